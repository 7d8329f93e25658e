import { nextTick, ref } from 'vue'
import { describe, expect, it, vi } from 'vitest'
import { useCursorList, type CursorPage } from './useCursorList'

/** A list of 1..n served in pages; the cursor is the last number sent. */
function server(n: number) {
  const calls: { after: string | null; limit: number }[] = []
  const fetchPage = vi.fn(async (after: string | null, limit: number): Promise<CursorPage<number>> => {
    calls.push({ after, limit })
    const start = after === null ? 0 : Number(after)
    const items = Array.from({ length: Math.max(0, Math.min(limit, n - start)) }, (_, i) => start + i + 1)
    const last = items[items.length - 1]
    return { items, next_cursor: last !== undefined && last < n ? String(last) : null, total: n, total_exact: true }
  })
  return { fetchPage, calls }
}

const flush = () => new Promise((r) => setTimeout(r, 0))

describe('useCursorList', () => {
  it('pages forward and back with the remembered cursors', async () => {
    const { fetchPage, calls } = server(5)
    const list = useCursorList(fetchPage, { pageSize: 2 })
    await list.reload()
    expect(list.items.value).toEqual([1, 2])
    expect(list.total.value).toBe(5)
    expect(list.page.value).toBe(1)
    expect(list.hasPrev.value).toBe(false)
    expect(list.hasNext.value).toBe(true)

    await list.next()
    await list.next()
    expect(list.items.value).toEqual([5])
    expect(list.page.value).toBe(3)
    expect(list.hasNext.value).toBe(false)
    await list.next() // no further page: nothing fetched
    expect(calls).toHaveLength(3)

    await list.prev()
    expect(list.items.value).toEqual([3, 4])
    expect(calls[calls.length - 1]).toEqual({ after: '2', limit: 2 })
    await list.prev()
    await list.prev() // on the first page already
    expect(list.items.value).toEqual([1, 2])
    expect(list.page.value).toBe(1)
    expect(calls).toHaveLength(5)
  })

  it('appends in “load more” mode', async () => {
    const { fetchPage } = server(3)
    const list = useCursorList(fetchPage, { pageSize: 2, append: true })
    await list.reload()
    await list.next()
    expect(list.items.value).toEqual([1, 2, 3])
    expect(list.hasNext.value).toBe(false)
    await list.reload()
    expect(list.items.value).toEqual([1, 2])
  })

  it('loads at the start and reloads from page one when a filter or the page size changes', async () => {
    const { fetchPage, calls } = server(10)
    const filter = ref('a')
    const list = useCursorList(fetchPage, { pageSize: 3, reloadOn: () => filter.value })
    await flush()
    expect(calls).toEqual([{ after: null, limit: 3 }])
    await list.next()
    expect(list.page.value).toBe(2)

    filter.value = 'b'
    await nextTick()
    await flush()
    expect(list.page.value).toBe(1)
    expect(calls[calls.length - 1]).toEqual({ after: null, limit: 3 })

    list.pageSize.value = 5
    await nextTick()
    await flush()
    expect(calls[calls.length - 1]).toEqual({ after: null, limit: 5 })
    expect(list.items.value).toEqual([1, 2, 3, 4, 5])
  })

  it('ignores an answer that arrives after a later request', async () => {
    const resolvers: ((p: CursorPage<string>) => void)[] = []
    const list = useCursorList<string>(() => new Promise((resolve) => resolvers.push(resolve)))
    const first = list.reload()
    const second = list.reload()
    resolvers[1]!({ items: ['new'], next_cursor: null })
    await second
    resolvers[0]!({ items: ['old'], next_cursor: 'x' })
    await first
    expect(list.items.value).toEqual(['new'])
    expect(list.hasNext.value).toBe(false)
    expect(list.loading.value).toBe(false)
  })

  it('keeps the rows and the failure when a page cannot be fetched', async () => {
    let fail = false
    const list = useCursorList<number>(async () => {
      if (fail) throw new Error('offline')
      return { items: [1], next_cursor: null, total: 7, total_exact: false }
    })
    await list.reload()
    expect(list.totalExact.value).toBe(false)
    fail = true
    await list.reload()
    expect(list.items.value).toEqual([1])
    expect((list.error.value as Error).message).toBe('offline')
    expect(list.loading.value).toBe(false)
  })
})
