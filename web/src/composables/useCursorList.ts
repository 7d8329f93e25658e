import { computed, reactive, ref, shallowRef, watch, type Ref, type WatchSource } from 'vue'
import { CursorPager } from '../utils/pager'

/** One page of a keyset-paged list as the API answers it (members, meetings, audit). */
export interface CursorPage<T> {
  items: T[]
  next_cursor?: string | null
  /** Only lists that count send it (the member list, up to a limit). */
  total?: number | null
  /** False when more than `total` match. */
  total_exact?: boolean | null
}

export interface CursorListOptions {
  /** Rows per request (the pager bar changes it; a change reloads from the first page). */
  pageSize?: number
  /** `true`: “load more” appends each next page instead of replacing the rows (the audit log). */
  append?: boolean
  /** Filters and the like: any change reloads from the first page; also loads once at the start. */
  reloadOn?: WatchSource | WatchSource[]
}

/**
 * A keyset-paged list: fetches pages through `fetchPage(after, limit)`, remembers the cursors so the
 * user can go back, and ignores an answer that arrives after a later request was made (a slow earlier
 * filter must not overwrite the rows of the current one). Failures are reported by the API client;
 * the last one is kept in `error`.
 */
export function useCursorList<T>(
  fetchPage: (after: string | null, limit: number) => Promise<CursorPage<T>>,
  options: CursorListOptions = {},
) {
  const items: Ref<T[]> = shallowRef([])
  const pageSize = ref(options.pageSize ?? 20)
  const total = ref<number | null>(null)
  const totalExact = ref(true)
  const loading = ref(false)
  const error = shallowRef<unknown>(null)
  const pager = reactive(new CursorPager())
  let seq = 0

  async function load(after: string | null, appendRows: boolean): Promise<void> {
    const mine = ++seq
    loading.value = true
    try {
      const page = await fetchPage(after, pageSize.value)
      if (mine !== seq) return
      items.value = appendRows ? [...items.value, ...page.items] : page.items
      if (page.total !== undefined && page.total !== null) total.value = page.total
      totalExact.value = page.total_exact ?? true
      pager.loaded(page.next_cursor)
      error.value = null
    } catch (e) {
      if (mine === seq) error.value = e
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  /** Back to the first page, e.g. after a filter changed. */
  function reload(): Promise<void> {
    return load(pager.reset(), false)
  }

  /** The next page (appended in `append` mode); nothing when there is none. */
  function next(): Promise<void> {
    const c = pager.forward()
    return c === undefined ? Promise.resolve() : load(c, options.append === true)
  }

  /** The previous page; nothing on the first. */
  function prev(): Promise<void> {
    const c = pager.back()
    return c === undefined ? Promise.resolve() : load(c, false)
  }

  const sources = options.reloadOn === undefined ? [] : Array.isArray(options.reloadOn) ? options.reloadOn : [options.reloadOn]
  watch([...sources, pageSize], () => void reload(), { immediate: options.reloadOn !== undefined })

  return {
    items,
    pageSize,
    total,
    totalExact,
    loading,
    error,
    page: computed(() => pager.page),
    hasPrev: computed(() => pager.hasPrev),
    hasNext: computed(() => pager.hasNext),
    reload,
    next,
    prev,
  }
}

export type CursorList = ReturnType<typeof useCursorList>
