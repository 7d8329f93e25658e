// What the 校验完整性 button shows for a check of the audit hash chain.
import type { ChainCheck } from '../types'

const KINDS: Record<string, string> = {
  altered: '记录被改动',
  missing: '记录被删除',
  reordered: '记录被调换或伪造',
  unlinked: '链接断开',
  truncated: '尾部被截断',
  head_mismatch: '链头不符',
  unchained: '链外记录',
}

export interface ChainSummary {
  type: 'success' | 'error'
  title: string
  detail: string
}

export function chainSummary(check: ChainCheck): ChainSummary {
  const head = `链头哈希 ${check.head_hash.slice(0, 16)}…`
  if (check.ok || !check.broken) {
    return { type: 'success', title: `审计日志完整：${check.head_seq} 条记录的哈希链全部校验通过`, detail: head }
  }
  const b = check.broken
  const where = b.seq !== null ? `第 ${b.seq} 条` : '链外'
  return {
    type: 'error',
    title: `审计日志完整性受损（${KINDS[b.kind] ?? b.kind}，${where}）`,
    detail: `${b.message}。此前 ${check.checked} 条完好；链头记有 ${check.head_seq} 条，${head}`,
  }
}
