import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, RouterLinkStub } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import ParticipationTable from './ParticipationTable.vue'

function answer(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }))
}

describe('ParticipationTable', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('shows the server’s refusal of a scope too large instead of an empty list', async () => {
    const message = '该组织及下级共有党员 40000 名，超过一次统计 5000 名的上限，请选择下级组织查看党员参加情况'
    const fetch = vi.fn(() => answer(422, { code: 'scope_too_large', message, fields: [], rule: null }))
    vi.stubGlobal('fetch', fetch)
    const pinia = createPinia()
    setActivePinia(pinia)
    const wrapper = mount(ParticipationTable, { global: { plugins: [pinia], components: { RouterLink: RouterLinkStub } }, props: { organizationId: 'g', year: 2026 } })
    await flushPromises()
    expect(String(fetch.mock.calls[0]?.[0 as never])).toContain('organizations/g/participation?year=2026')
    expect(wrapper.find('[data-test=participation-refused]').text()).toContain('请选择下级组织')
    expect(wrapper.find('.el-table').exists()).toBe(false)
  })

  it('lists members when the scope is allowed', async () => {
    const row = { member_id: 'm1', name: '张三', organization_id: 'b', expected: 4, present: 1, leave: 0, absent: 3, consecutive_absences: 3, last_present: '2026-01-15' }
    vi.stubGlobal('fetch', vi.fn(() => answer(200, [row])))
    const pinia = createPinia()
    setActivePinia(pinia)
    const wrapper = mount(ParticipationTable, { global: { plugins: [pinia], components: { RouterLink: RouterLinkStub } }, props: { organizationId: 'b', year: 2026 } })
    await flushPromises()
    expect(wrapper.find('[data-test=participation-refused]').exists()).toBe(false)
    expect(wrapper.text()).toContain('共 1 人')
  })
})
