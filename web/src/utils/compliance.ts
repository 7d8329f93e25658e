// How a due window of the compliance calendar is shown. Every state has its own words as well as its
// colour, so the calendar reads the same printed in black and white or by someone who cannot tell red
// from green.
import type { Tally } from '../types'

export type WindowStatus = 'done' | 'due' | 'overdue' | 'upcoming'
export type WindowTone = 'done' | 'due' | 'warning' | 'overdue' | 'upcoming'

export interface WindowDisplay {
  tone: WindowTone
  text: string
  /** Element Plus tag type, for tags and legends. */
  tagType: 'success' | 'warning' | 'danger' | 'info'
  background: string
  border: string
  color: string
}

const DISPLAY: Record<WindowTone, WindowDisplay> = {
  done: { tone: 'done', text: '已完成', tagType: 'success', background: '#e8f6e0', border: '#67c23a', color: '#2f6b12' },
  due: { tone: 'due', text: '待完成', tagType: 'warning', background: '#fdf6e4', border: '#e6c068', color: '#7a5a00' },
  warning: { tone: 'warning', text: '即将到期', tagType: 'warning', background: '#fbdf8c', border: '#d49b00', color: '#5c3d00' },
  overdue: { tone: 'overdue', text: '已逾期', tagType: 'danger', background: '#fde2e2', border: '#e0474c', color: '#a8071a' },
  upcoming: { tone: 'upcoming', text: '未开始', tagType: 'info', background: '#f2f3f5', border: '#c8c9cc', color: '#606266' },
}

/** A window's status (and the server's `warning` flag for an open window about to close) as shown. */
export function windowDisplay(status: WindowStatus | string, warning = false): WindowDisplay {
  if (status === 'due' && warning) return DISPLAY.warning
  return DISPLAY[status as WindowStatus] ?? DISPLAY.upcoming
}

/** The legend, in the order a reader meets the states during a year. */
export const WINDOW_LEGEND: WindowDisplay[] = [DISPLAY.done, DISPLAY.due, DISPLAY.warning, DISPLAY.overdue, DISPLAY.upcoming]

const month = (iso: string) => Number(iso.slice(5, 7))
const day = (iso: string) => Number(iso.slice(8, 10))
const lastDay = (iso: string) => new Date(Date.UTC(Number(iso.slice(0, 4)), month(iso), 0)).getUTCDate()

/** '2026-04-01'..'2026-06-30' → '第2季度'; a month → '5月'; a part of a month shows its days. */
export function windowLabel(from: string, to: string): string {
  const m1 = month(from)
  const m2 = month(to)
  const whole = day(from) === 1 && day(to) === lastDay(to)
  const span = m2 - m1 + 1
  if (whole && span === 12) return '全年'
  if (whole && span === 6 && (m1 === 1 || m1 === 7)) return m1 === 1 ? '上半年' : '下半年'
  if (whole && span === 3 && m1 % 3 === 1) return `第${(m1 + 2) / 3}季度`
  if (whole && span === 1) return `${m1}月`
  if (span === 1) return `${m1}月${day(from)}日–${day(to)}日`
  return `${m1}月${day(from)}日–${m2}月${day(to)}日`
}

/** Grid columns (1-based months, end exclusive) a window covers in a 12-month row. */
export function windowMonths(from: string, to: string): { start: number; end: number } {
  return { start: month(from), end: month(to) + 1 }
}

export function windowContains(w: { from: string; to: string }, date: string): boolean {
  return w.from <= date && date <= w.to
}

/**
 * The date a new record for a window starts with: today if the window is open, its last day if it is
 * over (a meeting recorded late), its first day if it lies ahead (then only as a plan).
 */
export function suggestedDate(w: { from: string; to: string }, today: string): { date: string; held: boolean } {
  if (windowContains(w, today)) return { date: today, held: true }
  if (w.to < today) return { date: w.to, held: true }
  return { date: w.from, held: false }
}


/** Share of the windows that have come due which are done, as a whole percentage (null: none due yet). */
export function completionRate(t: Tally): number | null {
  const due = t.done + t.due + t.overdue
  return due ? Math.round((t.done * 100) / due) : null
}
