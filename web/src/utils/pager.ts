/**
 * Keyset pagination over `next_cursor`: the server only goes forward, so going back means remembering
 * the cursor each earlier page was fetched with.
 */
export class CursorPager {
  /** Cursors of the pages before the current one (null = first page). */
  private stack: (string | null)[] = []
  private current: string | null = null
  private next: string | null = null

  /** Back to the first page (after a filter or page-size change). Returns the cursor to fetch with. */
  reset(): string | null {
    this.stack = []
    this.current = null
    this.next = null
    return null
  }

  /** Records what the server returned for the current page. */
  loaded(nextCursor: string | null | undefined): void {
    this.next = nextCursor ?? null
  }

  get page(): number {
    return this.stack.length + 1
  }

  get hasPrev(): boolean {
    return this.stack.length > 0
  }

  get hasNext(): boolean {
    return this.next !== null
  }

  /** The cursor of the page being shown, to reload it in place. */
  get cursor(): string | null {
    return this.current
  }

  /** Moves forward; returns the cursor to fetch with, or undefined when there is no next page. */
  forward(): string | null | undefined {
    if (this.next === null) return undefined
    this.stack.push(this.current)
    this.current = this.next
    this.next = null
    return this.current
  }

  /** Moves back; returns the cursor to fetch with, or undefined on the first page. */
  back(): string | null | undefined {
    if (this.stack.length === 0) return undefined
    this.current = this.stack.pop()!
    this.next = null
    return this.current
  }
}
