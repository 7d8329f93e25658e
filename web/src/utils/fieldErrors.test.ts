import { describe, expect, it } from 'vitest'
import { rowErrors } from './fieldErrors'

describe('rowErrors', () => {
  it('splits row errors by index and keeps the rest', () => {
    const { rows, rest } = rowErrors(
      [
        { field: 'attendees[3].reason', message: '请假须填写原因' },
        { field: 'attendees[3].status', message: '无效' },
        { field: 'attendees', message: '未达到法定人数' },
        { field: 'topic', message: '会议主题必填' },
      ],
      'attendees',
    )
    expect(rows).toEqual({ 3: '请假须填写原因' })
    expect(rest.map((f) => f.field)).toEqual(['attendees', 'topic'])
  })

  it('reads plain indexed fields such as one of three monthly incomes', () => {
    const { rows, rest } = rowErrors([{ field: 'quarter_income_fen[2]', message: '不能为负数' }], 'quarter_income_fen')
    expect(rows).toEqual({ 2: '不能为负数' })
    expect(rest).toEqual([])
  })
})
