import { describe, expect, it } from 'vitest'
import { completionRate, suggestedDate, WINDOW_LEGEND, windowDisplay, windowLabel, windowMonths } from './compliance'

describe('windowDisplay', () => {
  it('maps each status to its colour and words', () => {
    expect(windowDisplay('done')).toMatchObject({ tone: 'done', text: '已完成', tagType: 'success' })
    expect(windowDisplay('due')).toMatchObject({ tone: 'due', text: '待完成', tagType: 'warning' })
    expect(windowDisplay('overdue')).toMatchObject({ tone: 'overdue', text: '已逾期', tagType: 'danger' })
    expect(windowDisplay('upcoming')).toMatchObject({ tone: 'upcoming', text: '未开始', tagType: 'info' })
  })

  it('shows an open window about to close as 即将到期 in a stronger yellow', () => {
    const w = windowDisplay('due', true)
    expect(w.text).toBe('即将到期')
    expect(w.background).not.toBe(windowDisplay('due').background)
  })

  it('ignores the warning flag on windows that are not open', () => {
    expect(windowDisplay('done', true).text).toBe('已完成')
    expect(windowDisplay('overdue', true).text).toBe('已逾期')
  })

  it('never relies on colour alone: every state has distinct text', () => {
    const texts = WINDOW_LEGEND.map((d) => d.text)
    expect(new Set(texts).size).toBe(texts.length)
    expect(new Set(WINDOW_LEGEND.map((d) => d.background)).size).toBe(texts.length)
  })

  it('treats an unknown status as not started rather than failing', () => {
    expect(windowDisplay('strange').text).toBe('未开始')
  })
})

describe('windowLabel / windowMonths', () => {
  it('names months, quarters, halves and the year', () => {
    expect(windowLabel('2026-05-01', '2026-05-31')).toBe('5月')
    expect(windowLabel('2026-02-01', '2026-02-28')).toBe('2月')
    expect(windowLabel('2026-04-01', '2026-06-30')).toBe('第2季度')
    expect(windowLabel('2026-07-01', '2026-12-31')).toBe('下半年')
    expect(windowLabel('2026-01-01', '2026-12-31')).toBe('全年')
  })

  it('shows the days of a partial window', () => {
    expect(windowLabel('2026-05-12', '2026-05-31')).toBe('5月12日–31日')
    expect(windowLabel('2026-05-12', '2026-06-30')).toBe('5月12日–6月30日')
  })

  it('gives the grid columns a window spans', () => {
    expect(windowMonths('2026-04-01', '2026-06-30')).toEqual({ start: 4, end: 7 })
    expect(windowMonths('2026-01-01', '2026-12-31')).toEqual({ start: 1, end: 13 })
  })
})

describe('suggestedDate / completionRate', () => {
  const w = { from: '2026-04-01', to: '2026-06-30' }
  it('suggests today inside an open window, the last day of a past one, a plan for a future one', () => {
    expect(suggestedDate(w, '2026-05-10')).toEqual({ date: '2026-05-10', held: true })
    expect(suggestedDate(w, '2026-08-01')).toEqual({ date: '2026-06-30', held: true })
    expect(suggestedDate(w, '2026-01-01')).toEqual({ date: '2026-04-01', held: false })
  })

  it('counts done among the windows already due', () => {
    expect(completionRate({ done: 3, due: 1, overdue: 0, upcoming: 8, warning: 0 })).toBe(75)
    expect(completionRate({ done: 0, due: 0, overdue: 0, upcoming: 4, warning: 0 })).toBeNull()
  })
})
