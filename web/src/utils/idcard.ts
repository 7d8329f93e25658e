// 公民身份号码 (GB 11643-1999) checks, mirroring crates/rules/src/idcard.rs so the form can say what is
// wrong before the server does.
import type { Gender } from '../types'

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK_CHARS = '10X98765432'

export function checkChar(first17: string): string | null {
  if (!/^\d{17}$/.test(first17)) return null
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!
  return CHECK_CHARS[sum % 11]!
}

export interface ParsedIdNumber {
  number: string
  birthDate: string
  gender: Gender
}

export type IdParse = { ok: true; value: ParsedIdNumber } | { ok: false; message: string }

export function parseIdNumber(input: string): IdParse {
  const number = input.trim().toUpperCase()
  if (number.length !== 18) return { ok: false, message: '公民身份号码应为18位' }
  if (!/^\d{17}[\dX]$/.test(number)) return { ok: false, message: '公民身份号码前17位应为数字，最后一位为数字或X' }
  const y = Number(number.slice(6, 10))
  const m = Number(number.slice(10, 12))
  const d = Number(number.slice(12, 14))
  if (!isValidDate(y, m, d) || y < 1880) return { ok: false, message: '公民身份号码中的出生日期无效' }
  if (checkChar(number.slice(0, 17)) !== number[17]) return { ok: false, message: '公民身份号码校验位错误' }
  const birthDate = `${number.slice(6, 10)}-${number.slice(10, 12)}-${number.slice(12, 14)}`
  const gender: Gender = Number(number[16]) % 2 === 1 ? 'male' : 'female'
  return { ok: true, value: { number, birthDate, gender } }
}

function isValidDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false
  const dt = new Date(Date.UTC(y, m - 1, d))
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d
}

/**
 * The full validation shown under 公民身份号码: the number itself, then agreement with the birth date and
 * gender entered (if any). Returns null when fine.
 */
export function idNumberProblem(input: string, birthDate?: string | null, gender?: Gender | ''): string | null {
  const p = parseIdNumber(input)
  if (!p.ok) return p.message
  if (birthDate && birthDate !== p.value.birthDate) return '公民身份号码与出生日期不一致'
  if (gender && gender !== p.value.gender) return '公民身份号码与性别不一致'
  return null
}
