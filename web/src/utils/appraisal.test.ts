import { describe, expect, it } from 'vitest'
import type { Grade } from '../types'
import { canGradeExcellent, countExcellent, excellentCap, parseRatio } from './appraisal'

describe('excellentCap', () => {
  it('allows at most floor(1/3) of the full members', () => {
    expect(excellentCap(0)).toBe(0)
    expect(excellentCap(1)).toBe(0)
    expect(excellentCap(2)).toBe(0)
    expect(excellentCap(3)).toBe(1)
    expect(excellentCap(5)).toBe(1)
    expect(excellentCap(6)).toBe(2)
    expect(excellentCap(10)).toBe(3)
    expect(excellentCap(12)).toBe(4)
    expect(excellentCap(100)).toBe(33)
  })

  it('follows a configured ratio', () => {
    expect(excellentCap(10, { num: 1, den: 4 })).toBe(2)
    expect(excellentCap(10, { num: 3, den: 10 })).toBe(3)
  })

  it('parses the rule value', () => {
    expect(parseRatio('1/3')).toEqual({ num: 1, den: 3 })
    expect(parseRatio(' 3 / 10 ')).toEqual({ num: 3, den: 10 })
    expect(parseRatio('1/0')).toBeNull()
    expect(parseRatio(0.33)).toBeNull()
  })
})

describe('counting and enforcing 优秀', () => {
  const entries = [
    { member_id: 'a', member_status: 'full' },
    { member_id: 'b', member_status: 'full' },
    { member_id: 'c', member_status: 'full' },
    { member_id: 'd', member_status: 'full' },
    { member_id: 'p', member_status: 'probationary' },
  ]

  it('counts only full members', () => {
    const grades: Record<string, Grade> = { a: 'excellent', p: 'excellent', b: 'qualified' }
    expect(countExcellent(entries, grades)).toBe(1)
  })

  it('refuses another 优秀 at the cap but keeps the ones already chosen', () => {
    const cap = excellentCap(4)
    expect(cap).toBe(1)
    const grades: Record<string, Grade> = { a: 'excellent' }
    expect(canGradeExcellent('b', entries, grades, cap)).toBe(false)
    expect(canGradeExcellent('a', entries, grades, cap)).toBe(true)
    expect(canGradeExcellent('b', entries, {}, cap)).toBe(true)
  })
})
