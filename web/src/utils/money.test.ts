import { describe, expect, it } from 'vitest'
import { formatFen, formatRateBp, parseYuan } from './money'

const fen = (t: string) => {
  const r = parseYuan(t)
  if (!r.ok) throw new Error(r.message)
  return r.fen
}

describe('parseYuan', () => {
  it('converts exactly where float multiplication would not', () => {
    expect(4.35 * 100).not.toBe(435)
    expect(0.29 * 100).not.toBe(29)
    expect(fen('3000.01')).toBe(300001)
    expect(fen('0.29')).toBe(29)
    expect(fen('1.1')).toBe(110)
    expect(fen('4.35')).toBe(435)
    expect(fen('3000')).toBe(300000)
    expect(fen('3000.')).toBe(300000)
    expect(fen(' 0.2 ')).toBe(20)
    expect(fen('007.05')).toBe(705)
    expect(fen('0')).toBe(0)
  })

  it('handles large amounts without drift', () => {
    expect(fen('999999999999.99')).toBe(99999999999999)
    expect(parseYuan('9999999999999').ok).toBe(false)
  })

  it('rejects three decimals', () => {
    const r = parseYuan('3000.015')
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.message).toContain('两位小数')
  })

  it('rejects negatives', () => {
    const r = parseYuan('-1')
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.message).toContain('负数')
    expect(parseYuan('-0.01').ok).toBe(false)
  })

  it('rejects empty and non-numeric input', () => {
    for (const t of ['', '  ', 'abc', '1,000', '1e3', '.5', '1.2.3', '¥10', null, undefined]) {
      expect(parseYuan(t).ok, String(t)).toBe(false)
    }
  })
})

describe('formatFen / formatRateBp', () => {
  it('formats fen as yuan with two decimals', () => {
    expect(formatFen(300001)).toBe('3000.01')
    expect(formatFen(20)).toBe('0.20')
    expect(formatFen(0)).toBe('0.00')
  })

  it('formats basis points as a percentage', () => {
    expect(formatRateBp(50)).toBe('0.5%')
    expect(formatRateBp(100)).toBe('1%')
    expect(formatRateBp(150)).toBe('1.5%')
    expect(formatRateBp(125)).toBe('1.25%')
  })
})
