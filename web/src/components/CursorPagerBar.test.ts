import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import CursorPagerBar from './CursorPagerBar.vue'

const props = { page: 1, hasPrev: false, hasNext: true, pageSize: 20 }

describe('CursorPagerBar', () => {
  it('shows an exact total as it is', () => {
    const wrapper = mount(CursorPagerBar, { props: { ...props, total: 28 } })
    expect(wrapper.find('[data-test=total]').text()).toBe('28')
  })

  it('marks a total the server stopped counting at as “more than”', () => {
    const wrapper = mount(CursorPagerBar, { props: { ...props, total: 10000, totalExact: false } })
    expect(wrapper.find('[data-test=total]').text()).toBe('10000+')
  })
})
