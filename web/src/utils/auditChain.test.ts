import { describe, expect, it } from 'vitest'
import { chainSummary } from './auditChain'
import type { ChainCheck } from '../types'

const head = { checked: 12, head_seq: 12, head_hash: 'ab'.repeat(32) }

/** The summary of a chain found broken as `at` says, after `checked` intact records. */
const broken = (at: NonNullable<ChainCheck['broken']>, checked = head.checked) =>
  chainSummary({ ok: false, ...head, checked, broken: at })

describe('chainSummary', () => {
  it('reports an intact chain with its length', () => {
    const s = chainSummary({ ok: true, broken: null, ...head })
    expect(s.type).toBe('success')
    expect(s.title).toContain('12 条')
    expect(s.detail).toContain('abababab')
  })

  it('names the kind and place of the first break', () => {
    const s = broken({ kind: 'missing', seq: 5, id: null, message: '审计记录第 5 条缺失（已被删除）' }, 4)
    expect(s.type).toBe('error')
    expect(s.title).toContain('记录被删除')
    expect(s.title).toContain('第 5 条')
    expect(s.detail).toContain('此前 4 条完好')
  })

  it('says a record outside the chain is outside', () => {
    const s = broken({ kind: 'unchained', seq: null, id: 'x', message: '不在哈希链中' })
    expect(s.title).toContain('链外')
  })
})
