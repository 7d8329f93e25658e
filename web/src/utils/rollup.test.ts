import { describe, expect, it } from 'vitest'
import { buildRollupTree, expandedRollupKeys, type RollupRow } from './rollup'

const tally = (done = 0, overdue = 0) => ({ done, due: 0, overdue, upcoming: 0, warning: 0 })
const row = (id: string, parent: string | null, depth = 0): RollupRow => ({
  organization_id: id,
  parent_id: parent,
  name: `中共${id}`,
  short_name: id,
  kind: 'branch',
  depth,
  children: 0,
  own: tally(1),
  subtree: tally(1),
})

describe('buildRollupTree', () => {
  it('nests rows by parent_id in the server order', () => {
    const roots = buildRollupTree([row('group', 'outside'), row('a', 'group', 1), row('b', 'group', 1), row('a1', 'a', 2)])
    expect(roots.map((r) => r.organization_id)).toEqual(['group'])
    expect(roots[0]!.nodes!.map((c) => c.organization_id)).toEqual(['a', 'b'])
    expect(roots[0]!.nodes![0]!.nodes!.map((c) => c.organization_id)).toEqual(['a1'])
  })

  it('leaves no children array on leaves', () => {
    const roots = buildRollupTree([row('group', null), row('a', 'group', 1)])
    expect(roots[0]!.nodes![0]!.nodes).toBeUndefined()
  })

  it('makes rows with an unknown parent roots and does not need parents first', () => {
    const roots = buildRollupTree([row('child', 'root', 1), row('root', 'hidden'), row('other', 'hidden')])
    expect(roots.map((r) => r.organization_id)).toEqual(['root', 'other'])
    expect(roots[0]!.nodes!.map((c) => c.organization_id)).toEqual(['child'])
  })

  it('keeps every row even with a cycle in bad data', () => {
    const roots = buildRollupTree([row('x', 'y'), row('y', 'x'), row('z', 'z')])
    const all: string[] = []
    const walk = (ns: typeof roots) => ns.forEach((n) => (all.push(n.organization_id), walk(n.nodes ?? [])))
    walk(roots)
    expect(all.sort()).toEqual(['x', 'y', 'z'])
  })

  it('keeps the tallies of each row', () => {
    const r = row('a', null)
    r.subtree = tally(5, 2)
    expect(buildRollupTree([r])[0]!.subtree).toEqual(tally(5, 2))
  })

  it('marks rows whose sub-organizations were not sent, and only those', () => {
    const leaf = row('a1', 'a', 2)
    const cut = { ...row('b', 'g', 1), children: 3 }
    const roots = buildRollupTree([{ ...row('g', null), children: 2 }, { ...row('a', 'g', 1), children: 1 }, cut, leaf])
    const [a, b] = roots[0]!.nodes!
    expect([roots[0]!.lazy, a!.lazy, b!.lazy, a!.nodes![0]!.lazy]).toEqual([undefined, undefined, true, undefined])
  })

  it('lists the keys to open to a depth', () => {
    const roots = buildRollupTree([row('g', null), row('a', 'g'), row('a1', 'a'), row('a11', 'a1')])
    expect(expandedRollupKeys(roots, 2)).toEqual(['g', 'a'])
  })
})
