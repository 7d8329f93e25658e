import { describe, expect, it } from 'vitest'
import { computed, ref } from 'vue'
import { mount } from '@vue/test-utils'
import CursorPagerBar from './CursorPagerBar.vue'

/** The paging state of a list on its first page, of `total` rows. */
function list(total: number | null, totalExact = true) {
  const none = async () => undefined
  return {
    pageSize: ref(20),
    total: ref(total),
    totalExact: ref(totalExact),
    loading: ref(false),
    page: computed(() => 1),
    hasPrev: computed(() => false),
    hasNext: computed(() => true),
    prev: none,
    next: none,
  }
}

describe('CursorPagerBar', () => {
  it('shows an exact total as it is', () => {
    const wrapper = mount(CursorPagerBar, { props: { list: list(28) } })
    expect(wrapper.find('[data-test=total]').text()).toBe('28')
  })

  it('marks a total the server stopped counting at as “more than”', () => {
    const wrapper = mount(CursorPagerBar, { props: { list: list(10000, false) } })
    expect(wrapper.find('[data-test=total]').text()).toBe('10000+')
  })

  it('shows no total for a list that is not counted', () => {
    const wrapper = mount(CursorPagerBar, { props: { list: list(null), counted: false, unit: '条' } })
    expect(wrapper.find('[data-test=total]').exists()).toBe(false)
    expect(wrapper.text()).toContain('第 1 页')
  })
})
