import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import ChangeTimeline from './ChangeTimeline.vue'
import { MEMBER_FIELD_LABELS } from '../labels'
import { useOrgStore } from '../stores/orgs'
import { useCodeStore } from '../stores/codes'
import type { CodeLists } from '../types'

describe('ChangeTimeline', () => {
  it('shows each change as "字段: 旧值 → 新值" with Chinese labels and values, in form order', () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    useOrgStore().list = [
      { id: 'o1', parent_id: null, name: '中共甲公司第一支部委员会', short_name: '一支部', kind: 'branch', status: 'active', depth: 0 },
    ]
    useCodeStore().lists = {
      member_statuses: [
        { code: 'probationary', label: '预备党员' },
        { code: 'full', label: '正式党员' },
      ],
    } as Partial<CodeLists> as CodeLists
    const wrapper = mount(ChangeTimeline, {
      global: { plugins: [pinia] },
      props: {
        fieldLabels: MEMBER_FIELD_LABELS,
        changes: [
          {
            id: 'c1',
            at: '2026-03-01T08:30:00Z',
            actor: '王管理',
            action: 'update',
            changes: [
              { field: 'converted_on', before: null, after: '2026-02-28' },
              { field: 'version', before: 3, after: 4 },
              { field: 'status', before: 'probationary', after: 'full' },
              { field: 'organization_id', before: 'o1', after: 'o-unknown' },
            ],
          },
        ],
      },
    })
    const items = wrapper.findAll('.changes li').map((li) => li.text().replace(/\s+/g, ''))
    expect(items).toEqual(['党员状态:预备党员→正式党员', '转正日期:（空）→2026-02-28', '所属组织:一支部→o-unknown'])
    expect(wrapper.text()).toContain('修改')
    expect(wrapper.text()).toContain('王管理')
  })

  it('says so when there is no history', () => {
    setActivePinia(createPinia())
    const wrapper = mount(ChangeTimeline, { props: { fieldLabels: {}, changes: [] } })
    expect(wrapper.text()).toContain('暂无变更记录')
  })
})
