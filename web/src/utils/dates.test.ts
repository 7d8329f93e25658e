import { describe, expect, it } from 'vitest'
import { addMonths, termStatus, todayIso } from './dates'
import { convertedOnProblem, joinedOnProblem, phoneProblem } from './memberRules'

describe('dates', () => {
  it('formats today as local ISO', () => {
    expect(todayIso(new Date(2026, 0, 5))).toBe('2026-01-05')
  })

  it('adds months clamping the day', () => {
    expect(addMonths('2025-08-31', 6)).toBe('2026-02-28')
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28')
    expect(addMonths('1990-05-17', 18 * 12)).toBe('2008-05-17')
  })

  it('flags terms that ended or end within six months', () => {
    const today = '2026-03-10'
    expect(termStatus('2026-03-09', today)).toBe('expired')
    expect(termStatus('2026-03-10', today)).toBe('expiring')
    expect(termStatus('2026-09-10', today)).toBe('expiring')
    expect(termStatus('2026-09-11', today)).toBe('ok')
    expect(termStatus(null, today)).toBe('unknown')
  })
})

describe('member date rules', () => {
  const today = '2026-03-10'
  it('requires the 18th birthday before joining', () => {
    expect(joinedOnProblem('2008-05-16', '1990-05-17', today)).toBe('入党日期不能早于年满18周岁之日')
    expect(joinedOnProblem('2008-05-17', '1990-05-17', today)).toBeNull()
  })

  it('rejects dates before the founding and in the future', () => {
    expect(joinedOnProblem('1921-06-30', null, today)).toBe('入党日期不能早于1921年7月1日')
    expect(joinedOnProblem('2026-03-11', null, today)).toBe('入党日期不能晚于今天')
  })

  it('requires a conversion date after joining for full members only', () => {
    expect(convertedOnProblem(null, '2015-07-01', 'full', today)).toBe('正式党员须填写转正日期')
    expect(convertedOnProblem('2015-07-01', '2015-07-01', 'full', today)).toBe('转正日期应晚于入党日期')
    expect(convertedOnProblem('2016-07-01', '2015-07-01', 'full', today)).toBeNull()
    expect(convertedOnProblem(null, '2025-07-01', 'probationary', today)).toBeNull()
  })

  it('checks mobile numbers', () => {
    expect(phoneProblem('13800138000')).toBeNull()
    expect(phoneProblem('')).toBeNull()
    expect(phoneProblem('1380013800')).toBe('手机号码应为以1开头的11位数字')
    expect(phoneProblem('23800138000')).toBe('手机号码应为以1开头的11位数字')
  })
})
