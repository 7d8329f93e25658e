import { describe, expect, it } from 'vitest'
import { CursorPager } from './pager'

describe('CursorPager', () => {
  it('starts on page one with no way back or forward', () => {
    const p = new CursorPager()
    expect(p.page).toBe(1)
    expect(p.hasPrev).toBe(false)
    expect(p.hasNext).toBe(false)
    expect(p.forward()).toBeUndefined()
    expect(p.back()).toBeUndefined()
  })

  it('walks forward with next_cursor and back through the remembered cursors', () => {
    const p = new CursorPager()
    p.loaded('c2')
    expect(p.hasNext).toBe(true)
    expect(p.forward()).toBe('c2')
    expect(p.page).toBe(2)
    p.loaded('c3')
    expect(p.forward()).toBe('c3')
    expect(p.page).toBe(3)
    p.loaded(null)
    expect(p.hasNext).toBe(false)
    expect(p.cursor).toBe('c3')

    expect(p.back()).toBe('c2')
    expect(p.page).toBe(2)
    // Until the page answers, there is no known next page.
    expect(p.hasNext).toBe(false)
    p.loaded('c3')
    expect(p.back()).toBeNull()
    expect(p.page).toBe(1)
    expect(p.hasPrev).toBe(false)
  })

  it('resets to the first page on a new filter', () => {
    const p = new CursorPager()
    p.loaded('c2')
    p.forward()
    expect(p.reset()).toBeNull()
    expect(p.page).toBe(1)
    expect(p.cursor).toBeNull()
    expect(p.hasNext).toBe(false)
  })

  it('treats an absent next_cursor as the last page', () => {
    const p = new CursorPager()
    p.loaded(undefined)
    expect(p.hasNext).toBe(false)
  })
})
