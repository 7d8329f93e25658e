import type { Meeting, MeetingKind, OrgKind } from '../types'

const BRANCHES: OrgKind[] = ['branch', 'joint_branch', 'temporary_branch']
const COMMITTEES: OrgKind[] = ['group_committee', 'primary_committee', 'general_branch']

/**
 * Whether an organization of `org` keeps records of `kind` (the server's orglife.kind_for_organization):
 * the form offers only these, so the refusal is seen before saving.
 */
export function kindFits(kind: MeetingKind, org: OrgKind | undefined): boolean {
  if (!org) return true
  switch (kind) {
    case 'party_group_meeting':
      return org === 'party_group'
    case 'general_meeting':
      // A 党员大会 wherever there is a general meeting to hold: branches, general branches, committees.
      return org !== 'party_group'
    case 'branch_committee':
    case 'theme_day':
    case 'democratic_appraisal':
      return BRANCHES.includes(org)
    case 'party_committee':
    case 'central_study':
      return COMMITTEES.includes(org)
    case 'life_meeting':
    case 'party_lecture':
    case 'heart_to_heart_talk':
      return org !== 'party_group'
  }
  return false
}

/** The date a meeting is listed under: when held, else when planned. */
export function meetingDate(m: Pick<Meeting, 'held_on' | 'planned_on'>): string {
  return m.held_on ?? m.planned_on ?? ''
}
