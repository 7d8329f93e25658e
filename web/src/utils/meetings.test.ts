import { describe, expect, it } from 'vitest'
import { kindFits, meetingDate } from './meetings'

describe('kindFits', () => {
  it('keeps branch meetings to branches and party-group meetings to party groups', () => {
    const cases: [Parameters<typeof kindFits>[0], Parameters<typeof kindFits>[1], boolean][] = [
      ['general_meeting', 'branch', true],
      ['theme_day', 'temporary_branch', true],
      ['general_meeting', 'primary_committee', true],
      ['general_meeting', 'general_branch', true],
      ['general_meeting', 'party_group', false],
      ['theme_day', 'primary_committee', false],
      ['party_group_meeting', 'party_group', true],
      ['party_group_meeting', 'branch', false],
      ['party_committee', 'group_committee', true],
      ['party_committee', 'branch', false],
      ['party_lecture', 'general_branch', true],
      ['party_lecture', 'party_group', false],
    ]
    for (const [kind, orgKind, fits] of cases) expect(kindFits(kind, orgKind), `${kind} in ${orgKind}`).toBe(fits)
  })
})

describe('meetingDate', () => {
  it('prefers the held date', () => {
    expect(meetingDate({ held_on: '2026-05-02', planned_on: '2026-05-01' })).toBe('2026-05-02')
    expect(meetingDate({ held_on: null, planned_on: '2026-05-01' })).toBe('2026-05-01')
  })
})
