import { describe, expect, it } from 'vitest'
import { mayCarryAppraisal, meetingBody, talkPair, talkProblem, type MeetingDraft, type MeetingParts } from './meetingBody'

function draft(over: Partial<MeetingDraft> = {}): MeetingDraft {
  return {
    organization_id: 'org-1',
    kind: 'general_meeting',
    status: 'held',
    planned_on: null,
    held_on: '2026-05-08',
    start_time: '',
    end_time: '',
    place: ' 会议室 ',
    chair: '',
    recorder: '',
    lecturer: '梁敏',
    secretary_lecture: true,
    topic: ' 接收预备党员 ',
    minutes: '',
    decisions: '',
    with_appraisal: true,
    without_vote: 1,
    election_held: true,
    seat_kind: 'committee_members',
    seats: 3,
    candidates: 4,
    ...over,
  }
}

function parts(over: Partial<MeetingParts> = {}): MeetingParts {
  return {
    agenda: [],
    votes: [{ motion: '接收张三为预备党员', in_favour: 8, against: 0, abstain: 1, written_in_favour: 2 }],
    issues: [{ raised_by: '李四', problem: '学习不够', measure: '加强学习', member_id: null, due_on: null }],
    attachments: [],
    attendance: [
      { member_id: 'm1', status: 'present', reason: '' },
      { member_id: 'm2', status: 'leave', reason: ' 出差 ' },
      { member_id: 'm3', status: 'absent', reason: 'stale' },
    ],
    exclusions: [
      { reason: 'abroad', count: 2 },
      { reason: 'seriously_ill', count: 0 },
      { count: 1 },
    ],
    talk: { a: 'm1', b: 'm2' },
    ...over,
  }
}

describe('meetingBody', () => {
  it('sends a held 党员大会 with exclusions, written opinions, the election and the appraisal', () => {
    const b = meetingBody(draft(), parts())
    expect(b.topic).toBe('接收预备党员')
    expect(b.place).toBe('会议室')
    expect(b.lecturer).toBe('')
    expect(b.secretary_lecture).toBe(false)
    expect(b.exclusions).toEqual([{ reason: 'abroad', count: 2 }])
    expect(b.without_vote).toBe(1)
    expect(b.votes).toEqual([
      { motion: '接收张三为预备党员', in_favour: 8, against: 0, abstain: 1, written_in_favour: 2, written_against: 0, written_abstain: 0 },
    ])
    expect(b.election).toEqual({ seat_kind: 'committee_members', seats: 3, candidates: 4 })
    expect(b.with_appraisal).toBe(true)
    expect(b.issues).toEqual([])
    expect(b.attendees).toEqual([
      { member_id: 'm1', status: 'present', reason: '' },
      { member_id: 'm2', status: 'leave', reason: '出差' },
      { member_id: 'm3', status: 'absent', reason: '' },
    ])
  })

  it('sends no election when none was held, and nothing of the 党员大会 for a plan', () => {
    expect(meetingBody(draft({ election_held: false }), parts()).election).toBeNull()
    const plan = meetingBody(draft({ status: 'planned', planned_on: '2026-06-01' }), parts())
    expect(plan.held_on).toBeNull()
    expect(plan.votes).toEqual([])
    expect(plan.exclusions).toEqual([])
    expect(plan.without_vote).toBe(0)
    expect(plan.election).toBeNull()
    expect(plan.attendees).toEqual([])
    // The appraisal may be planned with the meeting.
    expect(plan.with_appraisal).toBe(true)
  })

  it('keeps the 党员大会 parts and the appraisal off other kinds', () => {
    const theme = meetingBody(draft({ kind: 'theme_day' }), parts())
    expect(theme.votes).toEqual([])
    expect(theme.exclusions).toEqual([])
    expect(theme.without_vote).toBe(0)
    expect(theme.election).toBeNull()
    expect(theme.with_appraisal).toBe(false)
    const life = meetingBody(draft({ kind: 'life_meeting' }), parts())
    expect(life.with_appraisal).toBe(true)
    expect(life.issues).toHaveLength(1)
  })

  it('sends a talk as its two people, both present', () => {
    const talk = meetingBody(draft({ kind: 'heart_to_heart_talk' }), parts())
    expect(talk.attendees).toEqual([
      { member_id: 'm1', status: 'present', reason: '' },
      { member_id: 'm2', status: 'present', reason: '' },
    ])
    expect(meetingBody(draft({ kind: 'heart_to_heart_talk' }), parts({ talk: { a: 'm1', b: '' } })).attendees).toHaveLength(1)
  })
})

describe('talks', () => {
  it('needs two different people', () => {
    expect(talkProblem({ a: '', b: 'm2' })).toBe('谈心谈话须选择谈话人和谈话对象两人')
    expect(talkProblem({ a: 'm1', b: 'm1' })).toBe('谈话人和谈话对象不能是同一人')
    expect(talkProblem({ a: 'm1', b: 'm2' })).toBeNull()
  })

  it('reads the two people of a stored talk', () => {
    expect(talkPair([
      { member_id: 'm3', status: 'absent' },
      { member_id: 'm1', status: 'present' },
      { member_id: 'm2', status: 'present' },
    ])).toEqual({ a: 'm1', b: 'm2' })
    expect(talkPair([])).toEqual({ a: '', b: '' })
  })

  it('offers the appraisal with 组织生活会 and 党员大会 only', () => {
    expect(mayCarryAppraisal('life_meeting')).toBe(true)
    expect(mayCarryAppraisal('general_meeting')).toBe(true)
    expect(mayCarryAppraisal('party_lecture')).toBe(false)
    expect(mayCarryAppraisal('')).toBe(false)
  })
})
