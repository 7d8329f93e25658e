import { computed } from 'vue'
import { useRoute, useRouter } from 'vue-router'

/** The year a page shows, kept in `?year=` (default: this year) so drill-downs keep it. */
export function useYearQuery() {
  const route = useRoute()
  const router = useRouter()
  return computed<number>({
    get: () => {
      const v = Number(route.query.year)
      return Number.isInteger(v) && v >= 1921 && v <= 2100 ? v : new Date().getFullYear()
    },
    set: (y) => void router.replace({ query: { ...route.query, year: String(y) } }),
  })
}
