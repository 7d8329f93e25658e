// Who may open which page. The menu and the router guard read the same rules, so a hidden item is also
// a refused URL.
import type { Me, OrgRole, SystemRole } from './types'

/**
 * - `any`: every logged-in user (calculators, rules, API tokens);
 * - `domain`: users without a system role (三员 read no domain data);
 * - `orglife`: users holding an organization role that reads the organization's records (组织部管理员,
 *   支部书记, 督查); a member's own grant does not open the meeting records of the branch;
 * - a list of system roles.
 */
export type Access = 'any' | 'domain' | 'orglife' | SystemRole[]

const ORGLIFE_ROLES: OrgRole[] = ['org_admin', 'secretary', 'inspector']

export function canAccess(me: Me | null, access: Access | undefined): boolean {
  if (!me) return false
  if (!access || access === 'any') return true
  // System roles read no domain data (三员分立), so they never see the organization or member pages.
  if (access === 'domain') return !me.system_role
  if (access === 'orglife') return !me.system_role && me.grants.some((g) => ORGLIFE_ROLES.includes(g.role))
  return !!me.system_role && access.includes(me.system_role)
}

/** Whether the user may record meetings or run 民主评议 anywhere (the buttons check the organization too). */
export function canWriteOrgLife(me: Me | null): boolean {
  return !!me && !me.system_role && me.grants.some((g) => g.role === 'org_admin' || g.role === 'secretary')
}

export type NavIcon =
  | 'OfficeBuilding'
  | 'User'
  | 'Document'
  | 'Avatar'
  | 'Key'
  | 'Calendar'
  | 'Tickets'
  | 'DataAnalysis'
  | 'Stamp'
  | 'Money'
  | 'Timer'
  | 'Reading'
  | 'Tools'
  | 'Finished'
  | 'Flag'

export interface NavItem {
  path: string
  title: string
  icon: NavIcon
  access: Access
  /** Items sharing a group are shown together under a sub-menu. */
  group?: NavGroupId
}

export type NavGroupId = 'orglife' | 'tools'

export const NAV_GROUPS: Record<NavGroupId, { title: string; icon: NavIcon }> = {
  orglife: { title: '组织生活', icon: 'Finished' },
  tools: { title: '工具', icon: 'Tools' },
}

export const NAV_ITEMS: NavItem[] = [
  { path: '/orgs', title: '组织机构', icon: 'OfficeBuilding', access: 'domain' },
  { path: '/members', title: '党员管理', icon: 'User', access: 'domain' },
  { path: '/recruitment', title: '发展党员', icon: 'Flag', access: 'orglife' },
  { path: '/meetings', title: '会议记录', icon: 'Tickets', access: 'orglife', group: 'orglife' },
  { path: '/orglife/calendar', title: '组织生活日历', icon: 'Calendar', access: 'orglife', group: 'orglife' },
  { path: '/orglife/rollup', title: '组织生活汇总', icon: 'DataAnalysis', access: 'orglife', group: 'orglife' },
  { path: '/appraisals', title: '民主评议', icon: 'Stamp', access: 'orglife', group: 'orglife' },
  { path: '/audit', title: '审计日志', icon: 'Document', access: ['audit_admin'] },
  { path: '/users', title: '用户管理', icon: 'Avatar', access: ['system_admin', 'security_admin'] },
  { path: '/calc/dues', title: '党费计算器', icon: 'Money', access: 'any', group: 'tools' },
  { path: '/calc/recruitment', title: '发展党员时间推算', icon: 'Timer', access: 'any', group: 'tools' },
  { path: '/rules', title: '规则', icon: 'Reading', access: 'any', group: 'tools' },
  { path: '/tokens', title: 'API令牌', icon: 'Key', access: 'any' },
]

export type NavEntry = { type: 'item'; item: NavItem } | { type: 'group'; id: NavGroupId; title: string; icon: NavIcon; items: NavItem[] }

/** The menu for this user: items in order, grouped items gathered where their group first appears. */
export function navEntries(me: Me | null): NavEntry[] {
  const out: NavEntry[] = []
  for (const item of NAV_ITEMS) {
    if (!canAccess(me, item.access)) continue
    if (!item.group) {
      out.push({ type: 'item', item })
      continue
    }
    const existing = out.find((e) => e.type === 'group' && e.id === item.group)
    if (existing && existing.type === 'group') existing.items.push(item)
    else out.push({ type: 'group', id: item.group, ...NAV_GROUPS[item.group], items: [item] })
  }
  return out
}

/** Where "/" leads: the first page of the user's own work; the tools are for everyone and never the home. */
export function homePath(me: Me | null): string {
  return NAV_ITEMS.find((i) => i.group !== 'tools' && canAccess(me, i.access))?.path ?? '/tokens'
}
