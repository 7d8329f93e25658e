// The meeting form as sent: which parts a kind and status carry (votes, exclusions and an election only
// at a held 党员大会, issues only at a 组织生活会, the two people of a 谈心谈话…). Pure, so it is tested.
import type {
  AgendaItem,
  AttendanceStatus,
  Exclusion,
  IssueInput,
  MeetingInput,
  MeetingKind,
  MeetingStatus,
  SeatKind,
  VoteInput,
} from '../types'

/** The form as edited: the kind empty until chosen, dates null until picked. */
export interface MeetingDraft {
  organization_id: string
  kind: MeetingKind | ''
  status: MeetingStatus
  planned_on: string | null
  held_on: string | null
  start_time: string
  end_time: string
  place: string
  chair: string
  recorder: string
  lecturer: string
  secretary_lecture: boolean
  topic: string
  minutes: string
  decisions: string
  /** 组织生活会 or 党员大会: the year's 民主评议党员 was held with it. */
  with_appraisal: boolean
  /** 党员大会: full members without a vote. */
  without_vote: number
  /** 党员大会: an election was held at it (the fields below are sent only then). */
  election_held: boolean
  seat_kind: SeatKind | ''
  seats: number
  candidates: number
}

export interface AttendanceLine {
  member_id: string
  status: AttendanceStatus
  reason: string
}

/** The lists edited beside the form. `talk` holds the two people of a 谈心谈话 (谈话人, 谈话对象). */
export interface MeetingParts {
  agenda: AgendaItem[]
  votes: VoteInput[]
  issues: IssueInput[]
  attachments: string[]
  attendance: AttendanceLine[]
  exclusions: Partial<Exclusion>[]
  talk: { a: string; b: string }
}

/** Kinds a 民主评议党员 may be held with (the server's RecordKind::may_carry_appraisal). */
export function mayCarryAppraisal(kind: MeetingKind | ''): boolean {
  return kind === 'life_meeting' || kind === 'general_meeting'
}

/** What is wrong with the two people of a talk, or null when they are two different people. */
export function talkProblem(talk: { a: string; b: string }): string | null {
  if (!talk.a || !talk.b) return '谈心谈话须选择谈话人和谈话对象两人'
  if (talk.a === talk.b) return '谈话人和谈话对象不能是同一人'
  return null
}

/** The two people of a stored talk: those present, in the order recorded. */
export function talkPair(attendees: { member_id: string; status: string }[]): { a: string; b: string } {
  const present = attendees.filter((a) => a.status === 'present')
  return { a: present[0]?.member_id ?? '', b: present[1]?.member_id ?? '' }
}

const count = (n: number | null | undefined) => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0)

export function meetingBody(f: MeetingDraft, p: MeetingParts): MeetingInput {
  const held = f.status === 'held'
  const general = f.kind === 'general_meeting'
  const heldGeneral = general && held
  const talk = f.kind === 'heart_to_heart_talk'
  return {
    organization_id: f.organization_id,
    // Required by the form rules: never empty once validated.
    kind: f.kind as MeetingKind,
    status: f.status,
    planned_on: f.planned_on || null,
    held_on: held ? f.held_on || null : null,
    start_time: f.start_time ?? '',
    end_time: f.end_time ?? '',
    place: f.place.trim(),
    chair: f.chair.trim(),
    recorder: f.recorder.trim(),
    lecturer: f.kind === 'party_lecture' ? f.lecturer.trim() : '',
    secretary_lecture: f.kind === 'party_lecture' && f.secretary_lecture,
    topic: f.topic.trim(),
    agenda: p.agenda.map((a) => ({ ...a, title: a.title.trim() })),
    minutes: f.minutes,
    decisions: f.decisions,
    votes: heldGeneral
      ? p.votes.map((v) => ({
          motion: v.motion,
          in_favour: count(v.in_favour),
          against: count(v.against),
          abstain: count(v.abstain),
          written_in_favour: count(v.written_in_favour),
          written_against: count(v.written_against),
          written_abstain: count(v.written_abstain),
        }))
      : [],
    // Rows left without a reason or a number say nothing; the server takes one row per reason.
    exclusions: heldGeneral
      ? p.exclusions.filter((e): e is Exclusion => !!e.reason && count(e.count) > 0).map((e) => ({ reason: e.reason, count: count(e.count) }))
      : [],
    without_vote: heldGeneral ? count(f.without_vote) : 0,
    election:
      heldGeneral && f.election_held && f.seat_kind
        ? { seat_kind: f.seat_kind, seats: count(f.seats), candidates: count(f.candidates) }
        : null,
    with_appraisal: mayCarryAppraisal(f.kind) && f.with_appraisal,
    attachments: p.attachments,
    // A plan has no attendance yet; it is taken when the meeting is recorded as held. A talk names its
    // two people, both present.
    attendees: !held
      ? []
      : talk
        ? [p.talk.a, p.talk.b].filter(Boolean).map((member_id) => ({ member_id, status: 'present' as const, reason: '' }))
        : p.attendance.map((r) => ({ member_id: r.member_id, status: r.status, reason: r.status === 'leave' ? r.reason.trim() : '' })),
    issues: f.kind === 'life_meeting' ? p.issues : [],
  }
}
