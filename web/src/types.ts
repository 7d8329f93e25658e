// Shapes of the REST API. The truth is the OpenAPI document the server builds (src/api/openapi.json,
// kept current by crates/server/tests/openapi.rs) and the types generated from it (src/api/schema.d.ts,
// `npm run gen:api`): the names here are aliases of its schemas, so a changed Rust struct shows up as a
// type error where the web app uses it. Two code unions are still written here (committee posts and
// audit-chain break kinds), for fields the document types as plain strings.
import type { components } from './api/schema'

type Schemas = components['schemas']

/**
 * `T` with some fields narrowed to the codes the UI knows (labels, selects). Only narrowing: every
 * other field, and which fields exist, comes from the document.
 */
type WithCodes<T, Codes extends { [K in keyof Codes]: K extends keyof T ? unknown : never }> = Omit<T, keyof Codes> & Codes

// ---------------------------------------------------------------- codes (the code lists of GET /codes)

export type SystemRole = Schemas['SystemRole']
export type OrgRole = Schemas['Role']

export type OrgKind = Schemas['OrgKind']

export type OrgStatus = Schemas['OrgStatus']

export type CommitteePost =
  | 'secretary'
  | 'deputy_secretary'
  | 'organization'
  | 'publicity'
  | 'discipline'
  | 'youth'
  | 'member'

export type Gender = Schemas['Gender']
export type MemberStatus = Schemas['MemberStatus']
export type Occupation = Schemas['Occupation']

export type ChainBreakKind = 'altered' | 'missing' | 'reordered' | 'unlinked' | 'truncated' | 'head_mismatch' | 'unchained'

export type DuesCategory = Schemas['DuesCategory']

/** The kind of a meeting record (a requirement names the rules' narrower `Schemas['MeetingKind']`). */
export type MeetingKind = Schemas['RecordKind']

export type MeetingStatus = Schemas['MeetingStatus']
export type AttendanceStatus = Schemas['Attendance']

/** GET /codes: every code list with its Chinese labels. */
export type CodeLists = Schemas['CodeLists']
export type CodeListName = keyof CodeLists
export type Code = Schemas['Code']
export type ExclusionReason = Schemas['ExclusionReason']
export type SeatKind = Schemas['SeatKind']
export type Exclusion = Schemas['Exclusion']
export type ElectionInput = Schemas['ElectionInput']

// ---------------------------------------------------------------- session, accounts, audit

export type Grant = Schemas['GrantView']
export type ResetNotice = Schemas['ResetNotice']
export type Me = Schemas['Me']
export type User = Schemas['UserView']
/** A reset of a security role's password, waiting for a second person. */
export type PendingReset = Schemas['PendingResetView']
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

export type OrgNode = Schemas['OrgNodeView']
export type CommitteeSeat = WithCodes<Schemas['SeatView'], { post: CommitteePost }>
export type Check = WithCodes<Schemas['CheckView'], { level: Level }>
export type Organization = WithCodes<Schemas['OrgView'], { committee: CommitteeSeat[]; checks: Check[] }>
/** An organization as submitted: creating adds `parent_id`, editing the `version` read. */
export type OrgInput = Schemas['OrgFields']

export type Member = Schemas['MemberView']
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
export type PipelineStep = Schemas['PipelineStep']
export type RecruitmentCase = Schemas['CaseView']
export type RecruitmentListItem = Schemas['CaseListItem']
export type RecruitmentRecord = Schemas['RecruitmentRecord']
export type RecruitmentStage = Schemas['CaseStage']
export type RecruitmentStatus = Schemas['CaseStatus']
export type OpenCaseInput = Schemas['OpenCase']
export type RecordStepInput = Schemas['RecordStep']
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
export type AttendanceInput = Schemas['AttendeeView']
/** A meeting as submitted: editing adds the `version` read. */
export type MeetingInput = Schemas['MeetingFields']
export type ExpectedAttendee = Schemas['ExpectedAttendee']

// A meeting's votes, quorum and election as judged when it was recorded.
export type VoteRecord = Schemas['VoteRecord']
export type Quorum = Schemas['QuorumRecord']
export type ElectionRecord = Schemas['ElectionRecord']

export type Attendee = WithCodes<Schemas['Attendee'], { member_status: MemberStatus }>

export type LifeIssue = Schemas['LifeIssue']

export type Meeting = WithCodes<Schemas['MeetingView'], { attendees: Attendee[] }>
export type MeetingPage = Schemas['MeetingPage']

// The compliance calendar, rollup and participation answers.
export type ComplianceWindow = Schemas['WindowView']
export type Requirement = Schemas['RequirementView']
export type Tally = Schemas['Tally']
export type OrgCompliance = Schemas['Compliance']
/** One pair of a branch that has not talked enough this year. */
export type MissingPair = Schemas['MissingPair']
export type TalkView = Schemas['TalkView']
export type ComplianceAnswer = Schemas['CalendarAnswer']
export type KindTotal = Schemas['KindTotal']
export type RollupOrg = Schemas['RollupRow']
export type RollupAnswer = Schemas['RollupAnswer']
export type Participation = Schemas['Participation']

// ---------------------------------------------------------------- 民主评议

export type AppraisalStatus = Schemas['AppraisalStage']
export type Grade = Schemas['Grade']
export type AppraisalRow = Schemas['AppraisalRow']
export type AppraisalEntry = Schemas['AppraisalEntry']
export type Appraisal = Schemas['Appraisal']

/** One page of a keyset-paged list: `MemberPage`, `MeetingPage`, `AuditPage` with narrowed items. */
export type Page<T> = { items: T[]; next_cursor?: string | null; total?: number; total_exact?: boolean }
