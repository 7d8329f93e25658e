import { describe, expect, it } from 'vitest'
import type { OrgNode } from '../types'
import { ancestorIds, buildOrgTree, keysToDepth, orgLabel, orgSelectable, subtreeIds } from './tree'

const node = (id: string, parent_id: string | null, kind: OrgNode['kind'] = 'branch'): OrgNode => ({
  id,
  parent_id,
  name: `中共${id}委员会`,
  short_name: id,
  kind,
  status: 'active',
  depth: 0,
})

describe('buildOrgTree', () => {
  it('nests children under parents, keeping the server order', () => {
    const roots = buildOrgTree([node('group', null, 'group_committee'), node('a', 'group'), node('b', 'group'), node('a1', 'a')])
    expect(roots.map((r) => r.id)).toEqual(['group'])
    expect(roots[0]!.children.map((c) => c.id)).toEqual(['a', 'b'])
    expect(roots[0]!.children[0]!.children.map((c) => c.id)).toEqual(['a1'])
  })

  it('makes a node whose parent is not visible a root (a secretary sees their branch on top)', () => {
    const roots = buildOrgTree([node('branch1', 'hidden-committee'), node('group1', 'branch1'), node('branch2', 'hidden-committee')])
    expect(roots.map((r) => r.id)).toEqual(['branch1', 'branch2'])
    expect(roots[0]!.children.map((c) => c.id)).toEqual(['group1'])
  })

  it('does not depend on parents coming first', () => {
    const roots = buildOrgTree([node('child', 'root'), node('root', null)])
    expect(roots.map((r) => r.id)).toEqual(['root'])
    expect(roots[0]!.children[0]!.id).toBe('child')
  })

  it('survives a cycle in bad data without losing nodes', () => {
    const roots = buildOrgTree([node('x', 'y'), node('y', 'x')])
    const all = new Set<string>()
    const walk = (ns: typeof roots) => ns.forEach((n) => (all.add(n.id), walk(n.children)))
    walk(roots)
    expect([...all].sort()).toEqual(['x', 'y'])
  })

  it('returns an empty forest for an empty list', () => {
    expect(buildOrgTree([])).toEqual([])
  })
})

describe('tree helpers', () => {
  const flat = [node('g', null), node('p1', 'g'), node('b1', 'p1'), node('grp', 'b1'), node('p2', 'g')]

  it('lists keys of the first two levels for default expansion', () => {
    expect(keysToDepth(buildOrgTree(flat), 2)).toEqual(['g', 'p1', 'p2'])
  })

  it('walks ancestors nearest first', () => {
    expect(ancestorIds(flat, 'grp')).toEqual(['grp', 'b1', 'p1', 'g'])
    expect(ancestorIds(flat, 'missing')).toEqual([])
  })

  it('collects a subtree', () => {
    expect([...subtreeIds(flat, 'p1')].sort()).toEqual(['b1', 'grp', 'p1'])
  })

  it('labels with the short name when present', () => {
    expect(orgLabel({ name: '中共某公司第一支部委员会', short_name: '一支部' })).toBe('一支部')
    expect(orgLabel({ name: '中共某公司第一支部委员会', short_name: ' ' })).toBe('中共某公司第一支部委员会')
    expect(orgLabel({ name: '全称', short_name: null })).toBe('全称')
  })
})

describe('orgSelectable', () => {
  const branchKinds = ['branch', 'joint_branch', 'temporary_branch']
  it('lets a member be placed only in a branch', () => {
    expect(orgSelectable(node('a', 'c'), { selectableKinds: branchKinds })).toBe(true)
    expect(orgSelectable(node('c', null, 'primary_committee'), { selectableKinds: branchKinds })).toBe(false)
    expect(orgSelectable(node('g', 'a', 'party_group'), { selectableKinds: branchKinds })).toBe(false)
    expect(orgSelectable(node('c', null, 'primary_committee'))).toBe(true)
  })
  it('never offers a dissolved or excluded organization', () => {
    expect(orgSelectable({ ...node('a', 'c'), status: 'dissolved' })).toBe(false)
    expect(orgSelectable(node('a', 'c'), { disabledIds: new Set(['a']) })).toBe(false)
  })
})
