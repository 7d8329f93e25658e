import { computed, onMounted, ref, watch, type Ref } from 'vue'
import { useRoute, useRouter, type Router } from 'vue-router'
import { ApiError } from '../api'
import { useOrgStore } from '../stores/orgs'

/**
 * Back to where the user came from, or, opened directly, to the list (`members`, `meetings`…) of the
 * record's organization.
 */
export function backToList(router: Router, list: string, organizationId: string | undefined) {
  if (window.history.state?.back) router.back()
  else void router.push({ name: list, query: organizationId ? { org: organizationId } : {} })
}

/**
 * A page of one record, the route's `:id`: read with the organization list (for what the caller may
 * do), again when the id changes. A refusal is kept in `refused`: 404 also covers a record outside the
 * caller's organizations, and both read the same to the user.
 */
export function useRecordPage<T extends { organization_id: string }>(
  fetch: (id: string, opts: { quiet: number[] }) => Promise<T>,
  list: string,
) {
  const route = useRoute()
  const router = useRouter()
  const orgs = useOrgStore()

  const id = computed(() => String(route.params.id))
  const record = ref(null) as Ref<T | null>
  const loading = ref(true)
  const refused = ref<403 | 404 | null>(null)

  async function load() {
    loading.value = true
    try {
      const [r] = await Promise.all([fetch(id.value, { quiet: [403, 404] }), orgs.load().catch(() => undefined)])
      record.value = r
      refused.value = null
    } catch (e) {
      if (e instanceof ApiError && (e.status === 403 || e.status === 404)) refused.value = e.status
    } finally {
      loading.value = false
    }
  }
  onMounted(load)
  watch(id, load)

  const back = () => backToList(router, list, record.value?.organization_id)
  return { record, loading, refused, back }
}
