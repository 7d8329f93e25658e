// 民主评议: at most a fixed share of the full members may be graded 优秀 (the rule's ratio, 1/3 by
// default); probationary members get no grade at all.

import type { Grade } from '../types'

export interface Ratio {
  num: number
  den: number
}

export const DEFAULT_EXCELLENT_CAP: Ratio = { num: 1, den: 3 }

/** '1/3' → {num: 1, den: 3}; anything else → null. */
export function parseRatio(text: unknown): Ratio | null {
  if (typeof text !== 'string') return null
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text)
  if (!m) return null
  const num = Number(m[1])
  const den = Number(m[2])
  return den > 0 ? { num, den } : null
}

/** The most full members that may be graded 优秀: floor(full × num / den), in integers. */
export function excellentCap(fullMembers: number, ratio: Ratio = DEFAULT_EXCELLENT_CAP): number {
  if (fullMembers <= 0) return 0
  return Math.floor((fullMembers * ratio.num) / ratio.den)
}

export interface GradedEntry {
  member_id: string
  member_status: string
}

/** 优秀 among the full members (a probationary member's grade never counts, it is not allowed). */
export function countExcellent(entries: GradedEntry[], grades: Record<string, Grade | null | undefined>): number {
  return entries.filter((e) => e.member_status === 'full' && grades[e.member_id] === 'excellent').length
}

/** Whether `memberId` may be set to 优秀 without going over the cap. */
export function canGradeExcellent(
  memberId: string,
  entries: GradedEntry[],
  grades: Record<string, Grade | null | undefined>,
  cap: number,
): boolean {
  if (grades[memberId] === 'excellent') return true
  return countExcellent(entries, grades) < cap
}
