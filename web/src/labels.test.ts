import { describe, expect, it } from 'vitest'
import { ACTION_AREAS, AUDIT_ACTIONS, actionLabel, displayValue, isCreateAction } from './labels'
import { indexCodes } from './stores/codes'
import type { CodeLists } from './types'

// The lists as GET /codes answers them, as far as these fields need them.
const CODES = indexCodes({
  genders: [{ code: 'male', label: '男' }, { code: 'female', label: '女' }],
  occupations: [{ code: 'worker', label: '工人（工勤技能人员）' }],
  member_statuses: [{ code: 'probationary', label: '预备党员' }, { code: 'full', label: '正式党员' }],
  org_statuses: [{ code: 'active', label: '正常' }, { code: 'dissolved', label: '已撤销' }],
  org_kinds: [{ code: 'joint_branch', label: '联合党支部' }],
} as Partial<CodeLists> as CodeLists)

describe('action labels', () => {
  it('reads the audit log’s area.verb actions', () => {
    expect(actionLabel('member.update')).toBe('修改')
    expect(actionLabel('organization.move', true)).toBe('组织 · 调整上级')
    expect(actionLabel('member.read_unmasked', true)).toBe('党员 · 查看完整信息')
    expect(actionLabel('meeting.export_record', true)).toBe('会议 · 下载会议记录')
    expect(actionLabel('something.else')).toBe('something.else')
    expect(isCreateAction('member.create')).toBe(true)
    expect(isCreateAction('member.update')).toBe(false)
  })
})

describe('displayValue', () => {
  it('shows codes as Chinese words, from the code lists', () => {
    expect(displayValue('gender', 'female', undefined, CODES)).toBe('女')
    expect(displayValue('occupation', 'worker', undefined, CODES)).toBe('工人（工勤技能人员）')
    expect(displayValue('kind', 'joint_branch', undefined, CODES)).toBe('联合党支部')
    expect(displayValue('status', 'probationary', undefined, CODES)).toBe('预备党员')
    expect(displayValue('status', 'dissolved', undefined, CODES)).toBe('已撤销')
    expect(displayValue('units', ['甲公司', '乙公司'])).toBe('甲公司、乙公司')
    expect(displayValue('committee', [{ name: '张三', post: 'secretary' }])).toBe('张三（书记）')
    expect(displayValue('phone', null)).toBe('（空）')
  })

  it('shows a code as sent while the lists have not answered, or when a list does not know it', () => {
    expect(displayValue('kind', 'joint_branch')).toBe('joint_branch')
    expect(displayValue('status', 'full')).toBe('full')
    expect(displayValue('gender', 'unknown', undefined, CODES)).toBe('unknown')
  })
})

describe('audit actions', () => {
  it('every action the server records has a Chinese label and area', () => {
    for (const action of AUDIT_ACTIONS) {
      expect(actionLabel(action), action).not.toBe(action)
      expect(ACTION_AREAS[action.slice(0, action.lastIndexOf('.'))], action).toBeTruthy()
    }
  })
})
