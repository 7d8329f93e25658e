// Chinese labels for the API's codes. One place, so the tree, tables, forms and history agree.
// The lists GET /codes answers (organization kinds and statuses, member statuses, genders, occupations,
// grades, roles, meeting kinds and statuses, attendance, exclusion reasons, seat kinds) come from the
// server through stores/codes.ts; this file keeps the others.
import type {
  AppraisalStatus,
  CalendarBasis,
  CommitteePost,
  DuesCategory,
  Level,
  RuleStatus,
} from './types'
import type { CodeIndex } from './stores/codes'

export const POST_LABELS: Record<CommitteePost, string> = {
  secretary: '书记',
  deputy_secretary: '副书记',
  organization: '组织委员',
  publicity: '宣传委员',
  discipline: '纪检委员',
  youth: '青年委员',
  member: '委员',
}

export const EDUCATIONS = ['研究生', '大学本科', '大学专科', '中等专科', '高中', '初中及以下'] as const

// The 56 recognised ethnic groups, most frequent first so the common ones are at hand; the select also
// accepts free text for records like "外国血统中国籍人士".
export const ETHNICITIES = [
  '汉族', '壮族', '回族', '满族', '维吾尔族', '苗族', '彝族', '土家族', '藏族', '蒙古族',
  '侗族', '布依族', '瑶族', '白族', '朝鲜族', '哈尼族', '黎族', '哈萨克族', '傣族', '畲族',
  '傈僳族', '东乡族', '仡佬族', '拉祜族', '佤族', '水族', '纳西族', '羌族', '土族', '仫佬族',
  '锡伯族', '柯尔克孜族', '景颇族', '达斡尔族', '撒拉族', '布朗族', '毛南族', '塔吉克族', '普米族', '阿昌族',
  '怒族', '鄂温克族', '京族', '基诺族', '德昂族', '保安族', '俄罗斯族', '裕固族', '乌孜别克族', '门巴族',
  '鄂伦春族', '独龙族', '赫哲族', '高山族', '珞巴族', '塔塔尔族',
]

// In the order of the member form, which is also the order history entries list their fields in.
export const MEMBER_FIELD_LABELS: Record<string, string> = {
  name: '姓名',
  id_number: '公民身份号码',
  gender: '性别',
  birth_date: '出生日期',
  ethnicity: '民族',
  education: '学历',
  occupation: '职业类别',
  phone: '手机号',
  work_unit: '工作单位',
  post: '职务',
  status: '党员状态',
  joined_on: '入党日期',
  converted_on: '转正日期',
  organization_id: '所属组织',
  organization_name: '所属组织',
}

export const ORG_FIELD_LABELS: Record<string, string> = {
  parent_id: '上级组织',
  name: '全称',
  short_name: '简称',
  kind: '类型',
  units: '所在单位',
  established_on: '成立日期',
  term_start: '本届任期开始',
  term_end: '本届任期结束',
  committee: '班子成员',
  status: '状态',
  dissolved_on: '撤销日期',
  reason: '原因',
  placed_members: '编入的党员',
  placed_members_left: '离开的编入党员',
}

/** Verbs of the audit log's `area.verb` actions (e.g. `member.update`). */
const ACTION_VERBS: Record<string, string> = {
  create: '新增',
  update: '修改',
  delete: '删除',
  move: '调整上级',
  dissolve: '撤销',
  revoke: '撤销',
  login: '登录',
  login_failed: '登录失败',
  logout: '退出',
  password: '修改密码',
  disable: '停用',
  enable: '启用',
  read_unmasked: '查看完整信息',
  export: '导出',
  export_unmasked: '导出完整信息',
  export_ledger: '导出三会一课台账',
  export_compliance_rollup: '导出组织生活汇总',
  export_record: '下载会议记录',
  placements: '调整编入的党员',
  locked: '连续失败锁定',
  password_reset: '管理员重置密码',
  request: '申请',
  approve: '批准',
  reject: '驳回',
  plan: '生成计划',
  seed: '载入示例',
  entry: '填写评议',
  propose: '提出等次',
  decide: '评定等次',
  reencrypt: '重新加密',
}

export const ACTION_AREAS: Record<string, string> = {
  member: '党员',
  organization: '组织',
  meeting: '会议',
  user: '用户',
  grant: '授权',
  token: 'API令牌',
  session: '会话',
  password_reset: '密码重置',
  appraisal: '民主评议',
}

/** The actions the server records today, for the audit log's filter (which also takes any typed name). */
export const AUDIT_ACTIONS = [
  'member.create', 'member.update', 'member.read_unmasked', 'member.export', 'member.export_unmasked',
  'meeting.export_ledger', 'meeting.export_record', 'organization.export_compliance_rollup',
  'organization.create', 'organization.update', 'organization.move', 'organization.dissolve',
  'meeting.create', 'meeting.update', 'meeting.plan', 'appraisal.create', 'appraisal.entry',
  'appraisal.propose', 'appraisal.decide',
  'session.login', 'session.login_failed', 'session.locked', 'session.logout', 'user.create',
  'user.password', 'user.password_reset', 'user.disable', 'user.enable', 'password_reset.request',
  'password_reset.approve', 'password_reset.reject', 'grant.create', 'grant.revoke', 'token.create',
  'token.revoke', 'member.reencrypt',
]

/** 'member.update' → '修改'; with the area, '党员 · 修改'. Unknown actions show as sent. */
export function actionLabel(action: string, withArea = false): string {
  const dot = action.lastIndexOf('.')
  const area = dot >= 0 ? action.slice(0, dot) : ''
  const verb = ACTION_VERBS[dot >= 0 ? action.slice(dot + 1) : action]
  if (!verb) return action
  return withArea && ACTION_AREAS[area] ? `${ACTION_AREAS[area]} · ${verb}` : verb
}

export function isCreateAction(action: string): boolean {
  return action === 'create' || action.endsWith('.create')
}

/** The code lists a stored field's codes belong to: a status is a member's or an organization's. */
const FIELD_CODE_LISTS: Record<string, (keyof CodeIndex)[]> = {
  gender: ['genders'],
  occupation: ['occupations'],
  status: ['member_statuses', 'org_statuses'],
  kind: ['org_kinds'],
}

/**
 * Renders a stored value of a member or organization field the way a person reads it; codes by their
 * labels in `codes` (the code store's index), as sent while those have not answered.
 */
export function displayValue(
  field: string,
  value: unknown,
  orgName?: (id: string) => string | undefined,
  codes: CodeIndex = {},
): string {
  if (value === null || value === undefined || value === '') return '（空）'
  const lists = FIELD_CODE_LISTS[field]
  if (lists) {
    const code = String(value)
    for (const list of lists) {
      const label = codes[list]?.get(code)
      if (label) return label
    }
    return code
  }
  if ((field === 'organization_id' || field === 'parent_id') && typeof value === 'string') {
    return orgName?.(value) ?? value
  }
  if (field === 'committee' && Array.isArray(value)) {
    return value
      .map((s: Partial<{ name: string; post: CommitteePost }>) => `${s.name ?? ''}（${POST_LABELS[s.post as CommitteePost] ?? s.post ?? ''}）`)
      .join('、') || '（空）'
  }
  if (Array.isArray(value)) return value.join('、')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

// ---------------------------------------------------------------- calculators, organizational life

export const DUES_CATEGORY_LABELS: Record<DuesCategory, string> = {
  employed: '在职党员',
  retired: '离退休党员',
  farmer: '农民党员',
  relief: '学生、下岗失业、低保党员',
  annual_salary: '实行年薪制的党员',
  irregular_income: '收入不固定的党员',
}

export const ROUNDING_MODE_LABELS: Record<string, string> = { half_up: '四舍五入', down: '舍去', up: '进位' }
export const ROUNDING_UNIT_LABELS: Record<string, string> = { fen: '分', jiao: '角', yuan: '元' }

export const RULE_PACK_LABELS: Record<string, string> = {
  member: '党员条件',
  org: '组织设置与换届',
  orglife: '组织生活',
  recruit: '发展党员',
  dues: '党费',
  calendar: '工作日历',
}

/** Tag type per rule status: only confirmed rules block, the others warn and may be overridden. */
export const RULE_STATUS_TAG: Record<RuleStatus, 'success' | 'warning' | 'info'> = {
  confirmed: 'success',
  secondary: 'warning',
  local_default: 'info',
}

export const CALENDAR_BASIS_LABELS: Record<CalendarBasis, string> = {
  official: '依据国务院办公厅放假通知',
  provisional: '暂按法定假日推算，调休安排未公布',
  fallback: '超出工作日历覆盖年份，按周一至周五推算',
}

export const LEVEL_LABELS: Record<Level, string> = { error: '违反', warning: '提醒', info: '说明' }

export const APPRAISAL_STATUS_LABELS: Record<AppraisalStatus, string> = {
  open: '评议中',
  proposed: '已提出等次',
  decided: '已决定',
}

export const MEETING_FIELD_LABELS: Record<string, string> = {
  organization_id: '组织',
  kind: '会议类型',
  status: '状态',
  planned_on: '计划日期',
  held_on: '召开日期',
  start_time: '开始时间',
  end_time: '结束时间',
  place: '地点',
  chair: '主持人',
  recorder: '记录人',
  lecturer: '授课人',
  topic: '主题',
  agenda: '议程',
  minutes: '会议记录',
  decisions: '决定事项',
  votes: '表决',
  exclusions: '不计入应到会人数的党员',
  without_vote: '无表决权的正式党员人数',
  election: '选举',
  with_appraisal: '同时开展民主评议党员',
  attendees: '参会人员',
  issues: '查摆问题',
}
