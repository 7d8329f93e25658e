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
