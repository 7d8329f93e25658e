import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { codeApi } from '../api/codes'
import type { CodeListName, CodeLists } from '../types'

/** label by code, per list. */
export type CodeIndex = Partial<Record<CodeListName, Map<string, string>>>

export function indexCodes(lists: CodeLists | null): CodeIndex {
  const index: CodeIndex = {}
  if (!lists) return index
  for (const name of Object.keys(lists) as CodeListName[]) {
    index[name] = new Map((lists[name] ?? []).map((c) => [c.code, c.label]))
  }
  return index
}

/**
 * The server's code lists (GET /codes: 组织类型, 会议类型, 出席情况…) with their Chinese labels, loaded
 * once after login and shared by every table, select and record. Until they have answered, a code shows
 * as itself.
 */
export const useCodeStore = defineStore('codes', () => {
  const lists = ref<CodeLists | null>(null)
  const loaded = computed(() => lists.value !== null)
  let pending: Promise<void> | null = null

  const index = computed(() => indexCodes(lists.value))

  function load(force = false): Promise<void> {
    if (lists.value && !force) return Promise.resolve()
    pending ??= codeApi
      .list({ quiet: true })
      .then((l) => {
        lists.value = l
      })
      .catch(() => {
        // Labels fall back to the codes; the next page that asks tries again.
      })
      .finally(() => {
        pending = null
      })
    return pending
  }

  /** The Chinese label of `code` in `list`; the code itself while loading or when unknown. */
  function label(list: CodeListName, code: string | null | undefined): string {
    if (code === null || code === undefined) return ''
    return index.value[list]?.get(code) ?? code
  }

  /** The codes of a list in the server's order, for selects and radio groups (empty while loading). */
  function options<C extends string = string>(list: CodeListName): { code: C; label: string }[] {
    return (lists.value?.[list] ?? []) as { code: C; label: string }[]
  }

  return { lists, loaded, index, load, label, options }
})
