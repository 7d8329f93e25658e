// Who may open which page. The menu and the router guard read the same rules, so a hidden item is also
// a refused URL.
import type { Me, SystemRole } from './types'

export type Access = 'any' | 'domain' | SystemRole[]

export function canAccess(me: Me | null, access: Access | undefined): boolean {
  if (!me) return false
  if (!access || access === 'any') return true
  // System roles read no domain data (三员分立), so they never see the organization or member pages.
  if (access === 'domain') return !me.system_role
  return !!me.system_role && access.includes(me.system_role)
}

export interface NavItem {
  path: string
  title: string
  icon: 'OfficeBuilding' | 'User' | 'Document' | 'Avatar' | 'Key'
  access: Access
}

export const NAV_ITEMS: NavItem[] = [
  { path: '/orgs', title: '组织机构', icon: 'OfficeBuilding', access: 'domain' },
  { path: '/members', title: '党员管理', icon: 'User', access: 'domain' },
  { path: '/audit', title: '审计日志', icon: 'Document', access: ['audit_admin'] },
  { path: '/users', title: '用户管理', icon: 'Avatar', access: ['system_admin', 'security_admin'] },
  { path: '/tokens', title: 'API令牌', icon: 'Key', access: 'any' },
]

/** Where "/" leads: the first page the user may open. */
export function homePath(me: Me | null): string {
  return NAV_ITEMS.find((i) => canAccess(me, i.access))?.path ?? '/tokens'
}
