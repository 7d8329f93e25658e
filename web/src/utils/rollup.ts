import type { RollupOrg } from '../types'

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
  const byId = new Map<string, RollupNode>()
  for (const r of rows) byId.set(r.organization_id, { ...r })
  const roots: RollupNode[] = []
  for (const r of rows) {
    const node = byId.get(r.organization_id)!
    const parent = r.parent_id && r.parent_id !== r.organization_id ? byId.get(r.parent_id) : undefined
    if (parent && !isAncestor(byId, node.organization_id, parent)) (parent.nodes ??= []).push(node)
    else roots.push(node)
  }
  for (const node of byId.values()) if (!node.nodes && node.children > 0) node.lazy = true
  return roots
}

function isAncestor(byId: Map<string, RollupNode>, id: string, start: RollupNode): boolean {
  let cur: RollupNode | undefined = start
  for (let i = 0; cur && i <= byId.size; i++) {
    if (cur.organization_id === id) return true
    cur = cur.parent_id ? byId.get(cur.parent_id) : undefined
  }
  return false
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
