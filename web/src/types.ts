// Shapes of the REST API. The truth is the OpenAPI document the server builds (src/api/openapi.json,
// kept current by crates/server/tests/openapi.rs) and the types generated from it (src/api/schema.d.ts,
// `npm run gen:api`): the names here are aliases of its schemas, so a changed Rust struct shows up as a
// type error where the web app uses it. Two kinds of hand-written types remain, each marked:
// - code unions (`MeetingKind`, `MemberStatus`…) narrowing fields the document types as plain strings
//   today (they are `String` on the Rust side); once they are enums there, the generated types carry
//   the unions and the narrowing can go;
// - answers the document describes only as a free-form object (compliance, rollups, rules, appraisals,
//   the calculators, a meeting's attendees, votes and issues).
import type { components } from './api/schema'

type Schemas = components['schemas']

/**
 * `T` with some fields narrowed to the codes the UI knows (labels, selects). Only narrowing: every
 * other field, and which fields exist, comes from the document.
 */
type WithCodes<T, Codes extends { [K in keyof Codes]: K extends keyof T ? unknown : never }> = Omit<T, keyof Codes> & Codes

// ---------------------------------------------------------------- codes (plain strings in the document)

export type SystemRole = 'system_admin' | 'security_admin' | 'audit_admin'
export type OrgRole = 'org_admin' | 'secretary' | 'inspector' | 'member'

export type OrgKind =
  | 'group_committee'
  | 'primary_committee'
  | 'general_branch'
  | 'branch'
  | 'joint_branch'
  | 'temporary_branch'
  | 'party_group'

export type OrgStatus = 'active' | 'dissolved'

export type CommitteePost =
  | 'secretary'
  | 'deputy_secretary'
  | 'organization'
  | 'publicity'
  | 'discipline'
  | 'youth'
  | 'member'

export type Gender = 'male' | 'female'
export type MemberStatus = 'full' | 'probationary'
export type Occupation =
  | 'worker'
  | 'farmer'
  | 'professional'
  | 'manager'
  | 'official'
  | 'student'
  | 'other'
  | 'retired'

export type ChainBreakKind = 'altered' | 'missing' | 'reordered' | 'unlinked' | 'truncated' | 'head_mismatch' | 'unchained'

export type DuesCategory = Schemas['DuesCategory']

export type MeetingKind =
  | 'general_meeting'
  | 'branch_committee'
  | 'party_group_meeting'
  | 'party_lecture'
  | 'theme_day'
  | 'life_meeting'
  | 'democratic_appraisal'
  | 'heart_to_heart_talk'
  | 'party_committee'
  | 'central_study'

export type MeetingStatus = 'planned' | 'held'
export type AttendanceStatus = 'present' | 'leave' | 'absent'

/** GET /codes: every code list with its Chinese labels. */
export type CodeLists = Schemas['CodeLists']
export type CodeListName = keyof CodeLists
export type Code = Schemas['Code']
export type ExclusionReason = Schemas['ExclusionReason']
export type SeatKind = Schemas['SeatKind']
export type Exclusion = Schemas['Exclusion']
export type ElectionInput = Schemas['ElectionInput']

// ---------------------------------------------------------------- session, accounts, audit

export type Grant = WithCodes<Schemas['GrantView'], { role: OrgRole }>
export type ResetNotice = Schemas['ResetNotice']
export type Me = WithCodes<Schemas['Me'], { system_role?: SystemRole | null; grants: Grant[] }>
export type User = WithCodes<Schemas['UserView'], { system_role?: SystemRole | null; grants: Grant[] }>
/** A reset of a security role's password, waiting for a second person. */
export type PendingReset = WithCodes<Schemas['PendingResetView'], { system_role?: SystemRole | null; requested_role: SystemRole }>
export type ResetAnswer = WithCodes<Schemas['ResetAnswer'], { status: 'reset' | 'pending' }>
export type ApiToken = Schemas['TokenView']
export type NewApiToken = Schemas['CreatedToken']

export type FieldChange = Schemas['FieldChange']
export type Change = Schemas['Change']
export type AuditEntry = Schemas['AuditView']
/** GET /audit/verify: the audit hash chain checked from the first record to the head. */
export type ChainCheck = WithCodes<Schemas['ChainView'], { broken?: ChainBreak | null }>
export type ChainBreak = WithCodes<Schemas['ChainBreakView'], { kind: ChainBreakKind }>

// ---------------------------------------------------------------- organizations and members

export type OrgNode = WithCodes<Schemas['OrgNodeView'], { kind: OrgKind; status: OrgStatus }>
export type CommitteeSeat = WithCodes<Schemas['SeatView'], { post: CommitteePost }>
export type Check = WithCodes<Schemas['CheckView'], { level: Level }>
export type Organization = WithCodes<
  Schemas['OrgView'],
  { kind: OrgKind; status: OrgStatus; committee: CommitteeSeat[]; checks: Check[] }
>
/** An organization as submitted: creating adds `parent_id`, editing the `version` read. */
export type OrgInput = Schemas['OrgFields']

export type Member = WithCodes<Schemas['MemberView'], { gender: Gender; status: MemberStatus; occupation: Occupation }>
/** A member as submitted: editing adds the `version` read. */
export type MemberInput = Schemas['MemberFields']
export type MemberPage = Schemas['MemberPage']

// ---------------------------------------------------------------- calculators and rules

export type DuesInput = WithCodes<Schemas['DuesInput'], { category: DuesCategory }>

export type DuesAmount = Schemas['DuesAmount']
export type Level = Schemas['Level']
export type CalendarBasis = Schemas['Basis']
export type DateLimit = Schemas['DateLimit']
export type StepPlan = Schemas['StepPlan']
export type PipelineProblem = Schemas['PipelineProblem']
export type PipelineAssessment = Schemas['PipelineAssessment']
export type RuleStatus = Schemas['RuleStatus']
export type RuleSource = Schemas['Source']
export type AppliedOverride = Schemas['AppliedOverride']
export type RuleSummary = Schemas['RuleSummary']
export type CalendarYear = Schemas['CalendarYear']
/** A rule without a configurable value (tree shape, role separation…); refusals name it too. */
export type StructuralRule = Schemas['StructuralRuleSummary']
export type RulesAnswer = Schemas['RulesAnswer']

// ---------------------------------------------------------------- organizational life

export type AgendaItem = Schemas['AgendaItemView']
export type VoteInput = Schemas['VoteInput']
export type IssueInput = Schemas['IssueView']
export type AttendanceInput = WithCodes<Schemas['AttendeeView'], { status: AttendanceStatus }>
/** A meeting as submitted: editing adds the `version` read. */
export type MeetingInput = Schemas['MeetingFields']
export type ExpectedAttendee = WithCodes<Schemas['ExpectedAttendee'], { status: MemberStatus }>

// A meeting's votes, quorum and election as judged when it was recorded.
export type VoteRecord = Schemas['VoteRecord']
export type Quorum = Schemas['QuorumRecord']
export type ElectionRecord = Schemas['ElectionRecord']

export type Attendee = WithCodes<Schemas['Attendee'], { member_status: MemberStatus; status: AttendanceStatus }>

export type LifeIssue = Schemas['LifeIssue']

export type Meeting = WithCodes<
  Schemas['MeetingView'],
  {
    kind: MeetingKind
    status: MeetingStatus
    votes: VoteRecord[]
    attendees: Attendee[]
    issues: LifeIssue[]
    quorum?: Quorum | null
  }
>
export type MeetingPage = Schemas['MeetingPage']

// Free-form in the document: the compliance calendar, rollup and participation answers.
export interface ComplianceWindow {
  from: string
  to: string
  partial: boolean
  required: number
  held: number
  status: 'done' | 'due' | 'overdue' | 'upcoming'
  warning: boolean
}

export interface Requirement {
  kind: MeetingKind
  requirement: string
  label: string
  rule: string
  rule_status: RuleStatus
  scope: string
  note: string | null
  windows: ComplianceWindow[]
}

export interface Tally {
  done: number
  due: number
  overdue: number
  upcoming: number
  warning: number
}

export interface OrgCompliance {
  organization_id: string
  name: string
  short_name: string
  kind: OrgKind
  parent_id: string | null
  depth: number
  requirements: Requirement[]
  tally: Tally
  /** A branch's 谈心谈话 judged pair by pair; absent where talks are not required or not judged. */
  talks?: TalkView | null
}

/** One pair of a branch that has not talked enough this year. */
export interface MissingPair {
  a: string
  a_name: string
  b: string
  b_name: string
  /** 支部委员之间 / 支部委员和党员之间 / 党员和党员之间 */
  kind: string
  held: number
}

export interface TalkView {
  /** Pairs that must talk this year, and those that did enough. */
  pairs: number
  covered: number
  per_pair: number
  /** The first pairs still missing (committee pairs first). */
  missing: MissingPair[]
  missing_total: number
  met: boolean
  rule: string
  message: string
}

export interface ComplianceAnswer {
  year: number
  today: string
  warning_days: number
  compliance: OrgCompliance
}

export interface KindTotal extends Tally {
  kind: MeetingKind
  label: string
}

export interface RollupOrg {
  organization_id: string
  parent_id: string | null
  name: string
  short_name: string
  kind: string
  /** Levels below the organization the rollup was asked for. */
  depth: number
  /** Active sub-organizations (those beyond the levels sent are loaded on expanding the row). */
  children: number
  own: Tally
  subtree: Tally
}

export interface RollupAnswer {
  year: number
  today: string
  kinds: KindTotal[]
  organizations_total: number
  /** The organization and its sub-organizations down to the `depth` asked for. */
  organizations: RollupOrg[]
  behind_total: number
  /** The first `behind_limit` organizations behind, most overdue first. */
  behind: RollupOrg[]
}

export interface Participation {
  member_id: string
  name: string
  organization_id: string
  expected: number
  present: number
  leave: number
  absent: number
  consecutive_absences: number
  last_present: string | null
}

// ---------------------------------------------------------------- 民主评议 (free-form in the document)

export type AppraisalStatus = 'open' | 'proposed' | 'decided'
export type Grade = 'excellent' | 'qualified' | 'basically_qualified' | 'unqualified'

export interface AppraisalRow {
  id: string
  organization_id: string
  organization_name: string
  year: number
  status: AppraisalStatus
  meeting_id: string | null
  version: number
  created_at: string
  updated_at: string
}

export interface AppraisalEntry {
  member_id: string
  name: string
  member_status: MemberStatus
  self_text: string
  peer_summary: string
  votes_excellent: number
  votes_qualified: number
  votes_basic: number
  votes_unqualified: number
  proposed_grade: Grade | null
  final_grade: Grade | null
  version: number
}

export interface Appraisal extends AppraisalRow {
  entries: AppraisalEntry[]
}

/** One page of a keyset-paged list: `MemberPage`, `MeetingPage`, `AuditPage` with narrowed items. */
export type Page<T> = { items: T[]; next_cursor?: string | null; total?: number; total_exact?: boolean }
