import { computed, onMounted, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { useOrgStore } from '../stores/orgs'

export type OrgSelectionMode = { param: string; route?: string } | { query: string }

/**
 * The organization a tree-and-content page shows, kept in the URL so the page can be bookmarked: as a
 * path parameter (`/orglife/calendar/:orgId`, or `/orgs/:id` of the route named `route` when the page
 * without one is another route) or, for lists, as `?org=`. With none given, the caller's top organization
 * is chosen.
 */
export function useOrgSelection(mode: OrgSelectionMode) {
  const route = useRoute()
  const router = useRouter()
  const orgs = useOrgStore()

  const id = computed(() => {
    const v = 'param' in mode ? route.params[mode.param] : route.query[mode.query]
    return typeof v === 'string' && v ? v : null
  })

  function select(orgId: string, replace = false) {
    const to =
      'param' in mode
        ? { name: mode.route ?? route.name ?? undefined, params: { ...route.params, [mode.param]: orgId }, query: route.query }
        : { query: { ...route.query, [mode.query]: orgId } }
    void (replace ? router.replace(to) : router.push(to))
  }

  onMounted(() => void orgs.load())

  watch(
    () => [id.value, orgs.tree] as const,
    () => {
      const first = orgs.tree[0]
      if (!id.value && first) select(first.id, true)
    },
    { immediate: true },
  )

  return { id, select, orgs }
}
