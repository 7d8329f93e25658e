import type { OrgNode } from '../types'

export interface OrgTreeNode extends OrgNode {
  children: OrgTreeNode[]
}

/**
 * Nests flat rows under their parents, keeping their order; parents need not come first. A row whose
 * parent is absent (outside the caller's scope, or the organization a rollup was asked for) is a root,
 * and so is one whose parent would close a cycle in bad data, so every row is kept.
 */
export function nestByParent<R, N>(
  rows: readonly R[],
  id: (r: R) => string,
  parentId: (r: R) => string | null | undefined,
  toNode: (r: R) => N,
  adopt: (parent: N, child: N) => void,
): N[] {
  const byId = new Map<string, { row: R; node: N }>()
  for (const r of rows) byId.set(id(r), { row: r, node: toNode(r) })
  // Whether `childId` is `start` or one of its ancestors.
  const above = (childId: string, start: string) => {
    let cur: string | null | undefined = start
    for (let i = 0; cur && i <= byId.size; i++) {
      if (cur === childId) return true
      const up = byId.get(cur)
      cur = up ? parentId(up.row) : undefined
    }
    return false
  }
  const roots: N[] = []
  for (const r of rows) {
    const node = byId.get(id(r))!.node
    const pid = parentId(r)
    const parent = pid ? byId.get(pid) : undefined
    if (pid && parent && !above(id(r), pid)) adopt(parent.node, node)
    else roots.push(node)
  }
  return roots
}

/**
 * Builds the organization forest from the flat list. The server sends parents first, but we do not rely
 * on it; a node whose parent is absent (outside the caller's scope) becomes a root, so a branch
 * secretary sees their branch at the top.
 */
export function buildOrgTree(flat: OrgNode[]): OrgTreeNode[] {
  return nestByParent(
    flat,
    (n) => n.id,
    (n) => n.parent_id,
    (n): OrgTreeNode => ({ ...n, children: [] }),
    (parent, child) => parent.children.push(child),
  )
}

/** Keys of the nodes on the first `levels` levels, so they open expanded. */
export function keysToDepth(roots: OrgTreeNode[], levels: number): string[] {
  const out: string[] = []
  const walk = (nodes: OrgTreeNode[], level: number) => {
    if (level >= levels) return
    for (const n of nodes) {
      out.push(n.id)
      walk(n.children, level + 1)
    }
  }
  walk(roots, 0)
  return out
}

/** The ids of `id` and all its ancestors present in the list, nearest first. */
export function ancestorIds(flat: OrgNode[], id: string): string[] {
  const byId = new Map(flat.map((n) => [n.id, n]))
  const out: string[] = []
  let cur = byId.get(id)
  while (cur && !out.includes(cur.id)) {
    out.push(cur.id)
    cur = cur.parent_id ? byId.get(cur.parent_id) : undefined
  }
  return out
}

/** The ids of `id` and everything below it. */
export function subtreeIds(flat: OrgNode[], id: string): Set<string> {
  const children = new Map<string, string[]>()
  for (const n of flat) {
    if (!n.parent_id) continue
    const list = children.get(n.parent_id) ?? []
    list.push(n.id)
    children.set(n.parent_id, list)
  }
  const out = new Set<string>()
  const stack = [id]
  while (stack.length) {
    const cur = stack.pop()!
    if (out.has(cur)) continue
    out.add(cur)
    stack.push(...(children.get(cur) ?? []))
  }
  return out
}

export function orgLabel(n: { name: string; short_name?: string | null }): string {
  return n.short_name?.trim() || n.name
}

/** Whether an organization can be picked: active, not excluded, and of an allowed kind if kinds are given. */
export function orgSelectable(
  n: Pick<OrgNode, 'id' | 'kind' | 'status'>,
  opts: { disabledIds?: Set<string>; selectableKinds?: readonly string[] } = {},
): boolean {
  if (n.status === 'dissolved' || opts.disabledIds?.has(n.id)) return false
  return !opts.selectableKinds || opts.selectableKinds.includes(n.kind)
}
