// Date rules of the member form (docs/API.md, Validation), checked in the browser for inline messages.
import { addMonths, todayIso } from './dates'

export const PARTY_FOUNDED = '1921-07-01'

export function joinedOnProblem(joinedOn: string | null, birthDate: string | null, today: string = todayIso()): string | null {
  if (!joinedOn) return null
  if (joinedOn < PARTY_FOUNDED) return '入党日期不能早于1921年7月1日'
  if (joinedOn > today) return '入党日期不能晚于今天'
  if (birthDate && joinedOn < addMonths(birthDate, 18 * 12)) return '入党日期不能早于年满18周岁之日'
  return null
}

export function convertedOnProblem(
  convertedOn: string | null,
  joinedOn: string | null,
  status: 'full' | 'probationary',
  today: string = todayIso(),
): string | null {
  if (status === 'probationary') return null
  if (!convertedOn) return '正式党员须填写转正日期'
  if (joinedOn && convertedOn <= joinedOn) return '转正日期应晚于入党日期'
  if (convertedOn > today) return '转正日期不能晚于今天'
  return null
}

export function phoneProblem(phone: string | null | undefined): string | null {
  if (!phone) return null
  return /^1\d{10}$/.test(phone) ? null : '手机号码应为以1开头的11位数字'
}
