// Dates travel as 'YYYY-MM-DD' strings; comparing them as strings is exact and avoids time-zone shifts.

export function todayIso(now: Date = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** Adds whole years/months to an ISO date, clamping the day to the end of the month (02-29 → 02-28). */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number]
  const total = y * 12 + (m - 1) + months
  const ny = Math.floor(total / 12)
  const nm = (total % 12) + 1
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate()
  return `${String(ny).padStart(4, '0')}-${pad(nm)}-${pad(Math.min(d, last))}`
}

export type TermStatus = 'expired' | 'expiring' | 'ok' | 'unknown'

/** 已到期 once the term has ended, 即将到期 within the six months before (time to prepare re-election). */
export function termStatus(termEnd: string | null | undefined, today: string = todayIso()): TermStatus {
  if (!termEnd) return 'unknown'
  if (termEnd < today) return 'expired'
  if (termEnd <= addMonths(today, 6)) return 'expiring'
  return 'ok'
}

/** Formats a server timestamp (RFC 3339) as local 'YYYY-MM-DD HH:mm'. */
export function formatDateTime(ts: string | null | undefined): string {
  if (!ts) return ''
  const d = new Date(ts)
  if (Number.isNaN(d.getTime())) return ts
  return `${todayIso(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}
