import { describe, expect, it } from 'vitest'
import { ACTION_AREAS, AUDIT_ACTIONS, actionLabel, displayValue, isCreateAction } from './labels'

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
  it('shows codes as Chinese words', () => {
    expect(displayValue('gender', 'female')).toBe('女')
    expect(displayValue('occupation', 'worker')).toBe('工人（工勤技能人员）')
    expect(displayValue('kind', 'joint_branch', undefined, (c) => (c === 'joint_branch' ? '联合党支部' : c))).toBe('联合党支部')
    expect(displayValue('kind', 'joint_branch')).toBe('joint_branch')
    expect(displayValue('status', 'dissolved')).toBe('已撤销')
    expect(displayValue('units', ['甲公司', '乙公司'])).toBe('甲公司、乙公司')
    expect(displayValue('committee', [{ name: '张三', post: 'secretary' }])).toBe('张三（书记）')
    expect(displayValue('phone', null)).toBe('（空）')
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
