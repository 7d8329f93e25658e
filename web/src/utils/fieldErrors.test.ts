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

  it('keeps the field within the row, so the very input is marked', () => {
    const { rows, fields, rest } = rowErrors(
      [
        { field: 'votes[0].written_in_favour', message: '书面意见不能多于缺席的有表决权党员' },
        { field: 'votes[1]', message: '赞成、反对、弃权合计超过到会人数' },
        { field: 'votes', message: '表决只在党员大会上进行' },
      ],
      'votes',
    )
    expect(rows).toEqual({ 0: '书面意见不能多于缺席的有表决权党员', 1: '赞成、反对、弃权合计超过到会人数' })
    expect(fields).toEqual({ 0: { written_in_favour: '书面意见不能多于缺席的有表决权党员' }, 1: { '': '赞成、反对、弃权合计超过到会人数' } })
    expect(rest.map((f) => f.field)).toEqual(['votes'])
  })

  it('reads plain indexed fields such as one of three monthly incomes', () => {
    const { rows, rest } = rowErrors([{ field: 'quarter_income_fen[2]', message: '不能为负数' }], 'quarter_income_fen')
    expect(rows).toEqual({ 2: '不能为负数' })
    expect(rest).toEqual([])
  })
})
