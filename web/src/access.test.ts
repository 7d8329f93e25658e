import { describe, expect, it } from 'vitest'
import { canAccess, canWriteOrgLife, homePath, navEntries } from './access'
import type { Me, OrgRole, SystemRole } from './types'

const me = (roles: OrgRole[], system: SystemRole | null = null): Me => ({
  id: 'u',
  username: 'u',
  display_name: 'u',
  member_id: null,
  system_role: system,
  grants: roles.map((role, i) => ({ id: `g${i}`, role, organization_id: 'o', organization_name: 'o' })),
  csrf_token: 't',
  must_change_password: false,
  password_reset: null,
})

const titles = (m: Me) =>
  navEntries(m).flatMap((e) => (e.type === 'item' ? [e.item.title] : [`[${e.title}]`, ...e.items.map((i) => i.title)]))

describe('access to organizational life', () => {
  it('opens it to organization roles that read records', () => {
    for (const r of ['org_admin', 'secretary', 'inspector'] as OrgRole[]) expect(canAccess(me([r]), 'orglife')).toBe(true)
  })

  it('keeps it from members and system roles', () => {
    expect(canAccess(me(['member']), 'orglife')).toBe(false)
    expect(canAccess(me([], 'audit_admin'), 'orglife')).toBe(false)
  })

  it('lets only org admins and secretaries write', () => {
    expect(canWriteOrgLife(me(['secretary']))).toBe(true)
    expect(canWriteOrgLife(me(['inspector']))).toBe(false)
    expect(canWriteOrgLife(me(['member']))).toBe(false)
  })
})

describe('menu', () => {
  it('groups the organizational-life pages and the tools', () => {
    const t = titles(me(['secretary']))
    expect(t).toEqual([
      '组织机构', '党员管理', '发展党员', '[组织生活]', '会议记录', '组织生活日历', '组织生活汇总', '民主评议',
      '[工具]', '党费计算器', '发展党员时间推算', '规则', 'API令牌',
    ])
  })

  it('shows a member the tools but no organizational life', () => {
    const t = titles(me(['member']))
    expect(t).toContain('党费计算器')
    expect(t).not.toContain('[组织生活]')
    expect(t).not.toContain('发展党员')
  })

  it('shows a system role the tools and its own page, no domain pages', () => {
    const t = titles(me([], 'audit_admin'))
    expect(t).toEqual(['审计日志', '[工具]', '党费计算器', '发展党员时间推算', '规则', 'API令牌'])
  })

  it('never makes a tool the home page', () => {
    expect(homePath(me([], 'audit_admin'))).toBe('/audit')
    expect(homePath(me(['secretary']))).toBe('/orgs')
    expect(homePath(me([], 'system_admin'))).toBe('/users')
  })
})
