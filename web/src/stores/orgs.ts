import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ApiError } from '../api'
import { orgApi } from '../api/orgs'
import type { OrgNode } from '../types'
import { buildOrgTree, orgLabel } from '../utils/tree'

/** The caller's visible organizations, loaded once and shared by every tree, picker and permission check. */
export const useOrgStore = defineStore('orgs', () => {
  const list = ref<OrgNode[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  /** Set when the caller may not read organizations at all (system roles). */
  const forbidden = ref(false)
  let pending: Promise<void> | null = null

  const tree = computed(() => buildOrgTree(list.value))
  const byId = computed(() => new Map(list.value.map((n) => [n.id, n])))

  function load(force = false): Promise<void> {
    if (loaded.value && !force) return Promise.resolve()
    pending ??= (async () => {
      loading.value = true
      try {
        list.value = await orgApi.list({ quiet: [403] })
        forbidden.value = false
        loaded.value = true
      } catch (e) {
        if (e instanceof ApiError && e.status === 403) {
          forbidden.value = true
          list.value = []
          loaded.value = true
        } else {
          throw e
        }
      } finally {
        loading.value = false
        pending = null
      }
    })()
    return pending
  }

  function name(id: string | null | undefined): string | undefined {
    if (!id) return undefined
    const n = byId.value.get(id)
    return n ? orgLabel(n) : undefined
  }

  function reset() {
    list.value = []
    loaded.value = false
    forbidden.value = false
  }

  return { list, tree, byId, loaded, loading, forbidden, load, name, reset }
})
