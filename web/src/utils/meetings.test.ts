import { describe, expect, it } from 'vitest'
import { kindFits, meetingDate } from './meetings'

describe('kindFits', () => {
  it('keeps branch meetings to branches and party-group meetings to party groups', () => {
    expect(kindFits('general_meeting', 'branch')).toBe(true)
    expect(kindFits('theme_day', 'temporary_branch')).toBe(true)
    expect(kindFits('general_meeting', 'primary_committee')).toBe(true)
    expect(kindFits('general_meeting', 'general_branch')).toBe(true)
    expect(kindFits('general_meeting', 'party_group')).toBe(false)
    expect(kindFits('theme_day', 'primary_committee')).toBe(false)
    expect(kindFits('party_group_meeting', 'party_group')).toBe(true)
    expect(kindFits('party_group_meeting', 'branch')).toBe(false)
    expect(kindFits('party_committee', 'group_committee')).toBe(true)
    expect(kindFits('party_committee', 'branch')).toBe(false)
    expect(kindFits('party_lecture', 'general_branch')).toBe(true)
    expect(kindFits('party_lecture', 'party_group')).toBe(false)
  })
})

describe('meetingDate', () => {
  it('prefers the held date', () => {
    expect(meetingDate({ held_on: '2026-05-02', planned_on: '2026-05-01' })).toBe('2026-05-02')
    expect(meetingDate({ held_on: null, planned_on: '2026-05-01' })).toBe('2026-05-01')
  })
})
