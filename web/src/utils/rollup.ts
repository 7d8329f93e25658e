import type { RollupOrg } from '../types'
import { nestByParent } from './tree'

export type RollupRow = RollupOrg

export interface RollupNode extends RollupRow {
  /** Sub-organizations sent with the rollup; absent on leaves, so the table shows no expand arrow there. */
  nodes?: RollupNode[]
  /** Has sub-organizations that were not sent: the table loads them when the row is expanded. */
  lazy?: boolean
}

/**
 * Nests the rollup's flat rows by `parent_id`, keeping the server's order. A row whose parent is not in
 * the list (the organization the rollup was asked for) is a root.
 */
export function buildRollupTree(rows: RollupRow[]): RollupNode[] {
  const nodes: RollupNode[] = []
  const roots = nestByParent(
    rows,
    (r) => r.organization_id,
    (r) => r.parent_id,
    (r) => {
      const node: RollupNode = { ...r }
      nodes.push(node)
      return node
    },
    (parent, child) => (parent.nodes ??= []).push(child),
  )
  for (const node of nodes) if (!node.nodes && node.children > 0) node.lazy = true
  return roots
}

/** Row keys of the first `levels` levels, so the table opens with them expanded. */
export function expandedRollupKeys(roots: RollupNode[], levels: number): string[] {
  const out: string[] = []
  const walk = (nodes: RollupNode[], level: number) => {
    if (level >= levels) return
    for (const n of nodes) {
      if (n.nodes?.length) out.push(n.organization_id)
      walk(n.nodes ?? [], level + 1)
    }
  }
  walk(roots, 0)
  return out
}
