import { describe, expect, it } from 'vitest'
import { checkChar, idNumberProblem, parseIdNumber } from './idcard'

describe('GB 11643 check character', () => {
  it('matches the standard example', () => {
    // The worked example of GB 11643-1999: 11010519491231002X.
    expect(checkChar('11010519491231002')).toBe('X')
    expect(checkChar('44052418800101001')).toBe('4')
  })

  it('rejects input that is not 17 digits', () => {
    expect(checkChar('1101051949123100')).toBeNull()
    expect(checkChar('1101051949123100A')).toBeNull()
  })
})

describe('parseIdNumber', () => {
  it('reads birth date and gender from a valid number', () => {
    expect(parseIdNumber('11010519491231002X')).toEqual({
      ok: true,
      value: { number: '11010519491231002X', birthDate: '1949-12-31', gender: 'female' },
    })
    const male = parseIdNumber('440524188001010014')
    expect(male.ok && male.value.gender).toBe('male')
  })

  it('accepts a lower-case x and normalises it', () => {
    const p = parseIdNumber(' 11010519491231002x ')
    expect(p.ok && p.value.number).toBe('11010519491231002X')
  })

  it('explains what is wrong', () => {
    expect(parseIdNumber('1101051949123100')).toEqual({ ok: false, message: '公民身份号码应为18位' })
    expect(parseIdNumber('11010519491231002A')).toEqual({ ok: false, message: '公民身份号码前17位应为数字，最后一位为数字或X' })
    expect(parseIdNumber('110105194902300021')).toEqual({ ok: false, message: '公民身份号码中的出生日期无效' })
    expect(parseIdNumber('110105194912310021')).toEqual({ ok: false, message: '公民身份号码校验位错误' })
  })
})

describe('idNumberProblem', () => {
  it('checks agreement with the birth date and gender entered', () => {
    expect(idNumberProblem('11010519491231002X', '1949-12-31', 'female')).toBeNull()
    expect(idNumberProblem('11010519491231002X', '1950-01-01', 'female')).toBe('公民身份号码与出生日期不一致')
    expect(idNumberProblem('11010519491231002X', '1949-12-31', 'male')).toBe('公民身份号码与性别不一致')
    expect(idNumberProblem('11010519491231002X', null, '')).toBeNull()
  })
})
