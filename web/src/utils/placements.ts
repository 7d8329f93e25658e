// Placements (编入): the members of a 党小组 or 临时党支部, who keep their formal relationship in their
// branch. Types of GET/PUT /organizations/{id}/placements and the rules the member picker follows.
import type { OrgKind } from '../types'

/** A member placed in an organization (GET/PUT /organizations/{id}/placements). */
export interface Placement {
  member_id: string
  name: string
  status: 'full' | 'probationary'
  home_organization_id: string
  home_organization_name: string
  placed_on: string
}

/** The organizations members are placed in: a party group and a temporary branch. */
export const PLACING_KINDS: readonly OrgKind[] = ['party_group', 'temporary_branch']

export function takesPlacements(kind: OrgKind): boolean {
  return PLACING_KINDS.includes(kind)
}

/**
 * Where the member picker searches: a party group takes only members of the branch it divides (its
 * parent); a temporary branch any member the user may see (the server refuses those the user may not
 * manage).
 */
export function pickerScope(kind: OrgKind, parentId: string | null): string | null {
  return kind === 'party_group' ? parentId : null
}

/** The list after adding a member (unchanged when already placed). */
export function withMember(ids: readonly string[], id: string): string[] {
  return ids.includes(id) ? [...ids] : [...ids, id]
}

/** The list after removing a member. */
export function withoutMember(ids: readonly string[], id: string): string[] {
  return ids.filter((m) => m !== id)
}
