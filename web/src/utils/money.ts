// Money travels as integer fen (分). Amounts typed in 元 are parsed digit by digit, because
// 3000.01 * 100 in floating point is 300000.99999999994 and would lose a fen.

export type YuanParse = { ok: true; fen: number } | { ok: false; message: string }

// 12 integer digits keep every amount (in fen) inside the exactly representable integers.
const MAX_WHOLE_DIGITS = 12

/** '3000.01' → 300001 fen. Refuses negatives, more than two decimals and anything that is not a number. */
export function parseYuan(text: string | null | undefined): YuanParse {
  const t = (text ?? '').trim()
  if (!t) return { ok: false, message: '请输入金额' }
  if (/^-/.test(t)) return { ok: false, message: '金额不能为负数' }
  if (/^\+/.test(t)) return { ok: false, message: '请直接输入数字，如 3000.01' }
  const m = /^(\d+)(?:\.(\d*))?$/.exec(t)
  if (!m) return { ok: false, message: '请输入数字金额，如 3000.01' }
  const whole = m[1]!.replace(/^0+(?=\d)/, '')
  const frac = m[2] ?? ''
  if (frac.length > 2) return { ok: false, message: '金额最多保留两位小数（精确到分）' }
  if (whole.length > MAX_WHOLE_DIGITS) return { ok: false, message: '金额过大' }
  return { ok: true, fen: Number(whole) * 100 + Number(frac.padEnd(2, '0')) }
}

/** 300001 → '3000.01'. */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const a = Math.abs(Math.trunc(fen))
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`
}

/** Basis points as a percentage: 50 → '0.5%', 150 → '1.5%', 200 → '2%'. */
export function formatRateBp(bp: number): string {
  const whole = Math.floor(bp / 100)
  const frac = bp % 100
  if (frac === 0) return `${whole}%`
  return frac % 10 === 0 ? `${whole}.${frac / 10}%` : `${whole}.${String(frac).padStart(2, '0')}%`
}
