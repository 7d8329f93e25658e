import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { codeApi } from '../api/codes'
import { indexCodes, useCodeStore } from './codes'
import type { CodeLists } from '../types'

const LISTS: CodeLists = {
  org_kinds: [{ code: 'branch', label: '党支部' }],
  meeting_kinds: [
    { code: 'general_meeting', label: '党员大会' },
    { code: 'heart_to_heart_talk', label: '谈心谈话' },
  ],
  meeting_statuses: [
    { code: 'planned', label: '计划' },
    { code: 'held', label: '已召开' },
  ],
  attendance: [{ code: 'present', label: '出席' }],
  exclusion_reasons: [{ code: 'abroad', label: '自费出国（境）半年以上' }],
  seat_kinds: [{ code: 'delegates', label: '代表' }],
  org_statuses: [{ code: 'active', label: '正常' }],
  member_statuses: [{ code: 'full', label: '正式党员' }],
  genders: [{ code: 'male', label: '男' }],
  occupations: [{ code: 'worker', label: '工人' }],
  grades: [{ code: 'excellent', label: '优秀' }],
  roles: [{ code: 'secretary', label: '书记' }],
  system_roles: [{ code: 'system_admin', label: '系统管理员' }],
}

describe('indexCodes', () => {
  it('indexes every list by code', () => {
    const index = indexCodes(LISTS)
    expect(index.meeting_kinds?.get('heart_to_heart_talk')).toBe('谈心谈话')
    expect(index.exclusion_reasons?.get('abroad')).toBe('自费出国（境）半年以上')
    expect(indexCodes(null)).toEqual({})
  })
})

describe('useCodeStore', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.restoreAllMocks()
  })

  it('shows a code as itself until the lists have answered, then its label', async () => {
    let answer: (l: CodeLists) => void = () => undefined
    const list = vi.spyOn(codeApi, 'list').mockReturnValue(new Promise((resolve) => (answer = resolve)))
    const codes = useCodeStore()
    const loading = codes.load()
    expect(codes.label('meeting_statuses', 'held')).toBe('held')
    expect(codes.options('meeting_statuses')).toEqual([])
    answer(LISTS)
    await loading
    expect(codes.loaded).toBe(true)
    expect(codes.label('meeting_statuses', 'held')).toBe('已召开')
    expect(codes.label('org_kinds', 'unknown_kind')).toBe('unknown_kind')
    expect(codes.label('org_kinds', null)).toBe('')
    expect(codes.label('system_roles', 'system_admin')).toBe('系统管理员')
    expect(codes.index.member_statuses?.get('full')).toBe('正式党员')
    expect(codes.options('meeting_kinds').map((c) => c.code)).toEqual(['general_meeting', 'heart_to_heart_talk'])
    expect(list).toHaveBeenCalledTimes(1)
  })

  it('loads once, shared by concurrent callers', async () => {
    const list = vi.spyOn(codeApi, 'list').mockResolvedValue(LISTS)
    const codes = useCodeStore()
    await Promise.all([codes.load(), codes.load()])
    await codes.load()
    expect(list).toHaveBeenCalledTimes(1)
  })

  it('keeps the codes when the lists cannot be read, and tries again on the next load', async () => {
    const list = vi.spyOn(codeApi, 'list').mockRejectedValueOnce(new Error('offline')).mockResolvedValueOnce(LISTS)
    const codes = useCodeStore()
    await codes.load()
    expect(codes.label('attendance', 'present')).toBe('present')
    await codes.load()
    expect(codes.label('attendance', 'present')).toBe('出席')
    expect(list).toHaveBeenCalledTimes(2)
  })
})
