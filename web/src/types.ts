// Shapes of the REST API (docs/API.md). Field names follow the wire format.

export type SystemRole = 'system_admin' | 'security_admin' | 'audit_admin'
export type OrgRole = 'org_admin' | 'secretary' | 'inspector' | 'member'

export interface Grant {
  id: string
  role: OrgRole
  organization_id: string
  organization_name: string
}

export interface Me {
  id: string
  username: string
  display_name: string
  member_id: string | null
  system_role: SystemRole | null
  grants: Grant[]
  csrf_token: string
  /** Set by an administrator's reset: only a new password may be set until then. */
  must_change_password: boolean
  /** Who reset the password, and when. */
  password_reset: ResetNotice | null
}

export interface ResetNotice {
  by: string
  at: string
}

export type OrgKind =
  | 'group_committee'
  | 'primary_committee'
  | 'general_branch'
  | 'branch'
  | 'joint_branch'
  | 'temporary_branch'
  | 'party_group'

export type CommitteePost =
  | 'secretary'
  | 'deputy_secretary'
  | 'organization'
  | 'publicity'
  | 'discipline'
  | 'youth'
  | 'member'

export interface OrgNode {
  id: string
  parent_id: string | null
  name: string
  short_name: string | null
  kind: OrgKind
  status: 'active' | 'dissolved'
  depth: number
}

export interface CommitteeSeat {
  member_id: string | null
  name: string
  post: CommitteePost
}

export interface Check {
  level: 'warning' | 'error' | 'info'
  rule: string
  message: string
}

export interface Organization {
  id: string
  parent_id: string | null
  parent_name: string | null
  name: string
  short_name: string | null
  kind: OrgKind
  units: string[]
  established_on: string | null
  term_start: string | null
  term_end: string | null
  status: 'active' | 'dissolved'
  dissolved_on: string | null
  committee: CommitteeSeat[]
  secretary_name: string | null
  full_members: number
  probationary_members: number
  children: number
  version: number
  checks: Check[]
}

export interface OrgInput {
  parent_id?: string | null
  name: string
  short_name: string
  kind: OrgKind | ''
  units: string[]
  established_on: string | null
  term_start: string | null
  term_end: string | null
  committee: CommitteeSeat[]
  version?: number
}

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

export interface Member {
  id: string
  name: string
  gender: Gender
  ethnicity: string
  birth_date: string
  id_number: string
  id_number_masked: boolean
  education: string
  occupation: Occupation
  work_unit: string | null
  post: string | null
  phone: string | null
  joined_on: string
  converted_on: string | null
  status: MemberStatus
  /** A probationary member's end of probation (rule recruit.probation_years). */
  probation_ends: string | null
  /** Probation over, no conversion recorded: the branch owes a decision. */
  probation_overdue: boolean
  organization_id: string
  organization_name: string
  version: number
  created_at: string
  updated_at: string
}

export interface MemberInput {
  name: string
  gender: Gender | ''
  ethnicity: string
  birth_date: string | null
  id_number: string
  education: string
  occupation: Occupation | ''
  work_unit: string
  post: string
  phone: string
  joined_on: string | null
  converted_on: string | null
  status: MemberStatus
  organization_id: string
  version?: number
}

export interface Page<T> {
  items: T[]
  next_cursor: string | null
  total?: number
  /** False when more than `total` match (the member list counts up to 10,000). */
  total_exact?: boolean
}

export interface FieldChange {
  field: string
  before: unknown
  after: unknown
}

export interface Change {
  id: string
  at: string
  actor: string | null
  action: string
  changes: FieldChange[]
}

export interface AuditEntry {
  id: string
  at: string
  actor_id: string | null
  actor: string | null
  action: string
  entity_type: string | null
  entity_id: string | null
  organization_id: string | null
  before: unknown
  after: unknown
  ip: string | null
  /** Place in the audit hash chain. */
  seq?: number | null
  hash?: string | null
}

/** GET /audit/verify: the audit hash chain checked from the first record to the head. */
export interface ChainCheck {
  ok: boolean
  checked: number
  head_seq: number
  head_hash: string
  broken: {
    kind: 'altered' | 'missing' | 'reordered' | 'unlinked' | 'truncated' | 'head_mismatch' | 'unchained'
    seq: number | null
    id: string | null
    message: string
  } | null
}

export interface User {
  id: string
  username: string
  display_name: string
  member_id: string | null
  system_role: SystemRole | null
  disabled: boolean
  grants: Grant[]
}

/** A reset of a security role's password, waiting for a second person. */
export interface PendingReset {
  id: string
  user_id: string
  username: string
  display_name: string
  system_role: SystemRole | null
  requested_by: string
  requested_by_id: string
  requested_role: SystemRole
  requested_at: string
}

export interface ResetAnswer {
  status: 'reset' | 'pending'
  request_id: string | null
}

export interface ApiToken {
  id: string
  name: string
  created_at?: string
  last_used_at?: string | null
  expires_at?: string | null
}

export interface NewApiToken {
  id: string
  name: string
  token: string
}

// ---------------------------------------------------------------- calculators and rules

export type DuesCategory = 'employed' | 'retired' | 'farmer' | 'relief' | 'annual_salary' | 'irregular_income'

export interface DuesInput {
  category: DuesCategory
  month: string
  base_fen?: number
  quarter_income_fen?: number[]
}

export interface DuesAmount {
  category: DuesCategory
  category_label: string
  month: string
  base_fen: number | null
  band: { index: number; up_to_fen: number | null; rate_bp: number } | null
  rate_text: string | null
  amount_fen: number
  amount_text: string
  fixed: boolean
  rounding: { mode: 'half_up' | 'down' | 'up'; unit: 'fen' | 'jiao' | 'yuan' } | null
  rules: string[]
  explanation: string
}

export type Level = 'error' | 'warning' | 'info'
export type CalendarBasis = 'official' | 'provisional' | 'fallback'

export interface DateLimit {
  kind: 'earliest' | 'deadline'
  date: string
  rule: string
  level: Level
  reason: string
  calendar_basis: CalendarBasis | null
}

export interface StepPlan {
  step: string
  number: number
  label: string
  stage: string
  stage_label: string
  recorded: string | null
  planned: string | null
  earliest: string | null
  deadline: string | null
  limits: DateLimit[]
  blocked: boolean
}

export interface PipelineProblem {
  step: string
  level: Level
  rule: string
  message: string
}

export interface PipelineAssessment {
  steps: StepPlan[]
  next_step: string | null
  problems: PipelineProblem[]
  probation_ends: string | null
  calendar_basis: CalendarBasis
}

export type RuleStatus = 'confirmed' | 'secondary' | 'local_default'

export interface RuleSource {
  regulation: string
  article: string | null
  url: string | null
  reference: string | null
}

export interface AppliedOverride {
  value: unknown
  from: string
  origin: string
  note: string | null
}

export interface RuleSummary {
  id: string
  title: string
  pack: string
  unit: string
  unit_label: string
  in_force: boolean
  value: unknown
  value_text: string
  default_value: unknown
  default_value_text: string
  status: RuleStatus
  status_label: string
  overridable: boolean
  source: RuleSource
  effective_from: string
  effective_to: string | null
  note: string | null
  defined_at: string
  overridden: AppliedOverride | null
  upcoming: { effective_from: string; value_text: string; status: RuleStatus }[]
  upcoming_overrides: AppliedOverride[]
}

export interface CalendarYear {
  year: number
  status: RuleStatus
  provisional: boolean
  source: string
  document: string | null
  note: string | null
}

/** A rule without a configurable value (tree shape, role separation…); refusals name it too. */
export interface StructuralRule {
  id: string
  title: string
  basis: string
}

export interface RulesAnswer {
  on: string
  rules: RuleSummary[]
  structural: StructuralRule[]
  calendar_years: CalendarYear[]
}

// ---------------------------------------------------------------- organizational life

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

export interface AgendaItem {
  title: string
  first_topic: boolean
  decision: boolean
}

export interface VoteInput {
  motion: string
  in_favour: number
  against: number
  abstain: number
}

export interface VoteRecord extends VoteInput {
  base: number
  required: number
  passed: boolean
  rule: string
  message: string
}

export interface Attendee {
  member_id: string
  name: string
  member_status: MemberStatus
  status: AttendanceStatus
  reason: string
}

export interface IssueInput {
  member_id: string | null
  raised_by: string
  problem: string
  measure: string
  due_on: string | null
}

export interface LifeIssue extends IssueInput {
  id: string
  status: string
  rectification_id: string | null
}

export interface Quorum {
  met?: boolean
  message?: string
  rule?: string
  [key: string]: unknown
}

export interface Meeting {
  id: string
  organization_id: string
  organization_name: string
  kind: MeetingKind
  kind_label: string
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
  agenda: AgendaItem[]
  first_topic: boolean
  minutes: string
  decisions: string
  quorum: Quorum | null
  votes: VoteRecord[]
  attachments: string[]
  present: number
  expected: number
  version: number
  attendees: Attendee[]
  issues: LifeIssue[]
}

export interface MeetingInput {
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
  agenda: AgendaItem[]
  minutes: string
  decisions: string
  votes: VoteInput[]
  attachments: string[]
  attendees: { member_id: string; status: AttendanceStatus; reason: string }[]
  issues: IssueInput[]
  version?: number
}

export interface ExpectedAttendee {
  member_id: string
  name: string
  status: MemberStatus
}

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

// ---------------------------------------------------------------- 民主评议

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
