import { describe, expect, it } from 'vitest'
import { pickerScope, takesPlacements, withMember, withoutMember } from './placements'

describe('placements', () => {
  it('are taken by party groups and temporary branches only', () => {
    expect(takesPlacements('party_group')).toBe(true)
    expect(takesPlacements('temporary_branch')).toBe(true)
    expect(takesPlacements('branch')).toBe(false)
    expect(takesPlacements('joint_branch')).toBe(false)
  })

  it('search a party group among its branch, a temporary branch everywhere', () => {
    expect(pickerScope('party_group', 'b1')).toBe('b1')
    expect(pickerScope('temporary_branch', 'c1')).toBeNull()
  })

  it('add once and remove', () => {
    expect(withMember(['a'], 'b')).toEqual(['a', 'b'])
    expect(withMember(['a', 'b'], 'a')).toEqual(['a', 'b'])
    expect(withoutMember(['a', 'b'], 'a')).toEqual(['b'])
  })
})
