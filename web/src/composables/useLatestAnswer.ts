import { ref, watch, type Ref } from 'vue'
import { ApiError } from '../api'

/**
 * An answer read at the start and again whenever `source` changes (the organization, the year…). Only
 * the latest request counts, so a slow answer for an earlier choice never replaces a later one. A 403 or
 * 404 leaves no answer and sets `missing`: both read the same to the user.
 */
export function useLatestAnswer<T>(source: () => unknown, fetch: () => Promise<T>) {
  const answer = ref(null) as Ref<T | null>
  const loading = ref(false)
  const missing = ref(false)
  let seq = 0

  async function load() {
    const mine = ++seq
    loading.value = true
    try {
      const a = await fetch()
      if (mine !== seq) return
      answer.value = a
      missing.value = false
    } catch (e) {
      if (mine === seq && e instanceof ApiError && (e.status === 403 || e.status === 404)) {
        answer.value = null
        missing.value = true
      }
    } finally {
      if (mine === seq) loading.value = false
    }
  }
  watch(source, load, { immediate: true })

  return { answer, loading, missing, load }
}
