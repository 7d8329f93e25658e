import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ApiError, setCsrfToken } from '../api'
import { sessionApi } from '../api/accounts'
import type { Me, OrgNode, OrgRole } from '../types'
import { ancestorIds } from '../utils/tree'

export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null)
  /** True once the first GET /me has answered, so the router knows whether to send people to /login. */
  const checked = ref(false)
  let pending: Promise<void> | null = null

  function set(value: Me | null) {
    me.value = value
    setCsrfToken(value?.csrf_token ?? null)
  }

  /** Restores the session from the cookie; shared by concurrent callers. */
  function restore(): Promise<void> {
    if (checked.value) return Promise.resolve()
    pending ??= sessionApi
      .me({ quiet: true })
      .then(set)
      .catch((e) => {
        // Not logged in is the normal case here; anything else also leaves us at the login page.
        if (!(e instanceof ApiError)) console.error(e)
        set(null)
      })
      .finally(() => {
        checked.value = true
        pending = null
      })
    return pending
  }

  async function login(username: string, password: string): Promise<void> {
    const value = await sessionApi.login({ username, password }, { quiet: true })
    set(value)
    checked.value = true
  }

  async function logout(): Promise<void> {
    try {
      await sessionApi.logout({ quiet: true })
    } finally {
      set(null)
    }
  }

  /** Forgets the session without calling the server (it already said 401). */
  function expire() {
    set(null)
    checked.value = true
  }

  const systemRole = computed(() => me.value?.system_role ?? null)
  const hasDomainAccess = computed(() => !!me.value && !me.value.system_role)

  /**
   * Whether one of the given roles is granted on `orgId` or an ancestor (grants cover the subtree).
   * Needs the visible organization list, since only it knows the ancestry.
   */
  function hasRoleOn(orgId: string | null | undefined, roles: OrgRole[], orgs: OrgNode[]): boolean {
    if (!me.value || !orgId) return false
    const chain = new Set(ancestorIds(orgs, orgId))
    return me.value.grants.some((g) => roles.includes(g.role) && chain.has(g.organization_id))
  }

  function hasAnyRole(roles: OrgRole[]): boolean {
    return !!me.value?.grants.some((g) => roles.includes(g.role))
  }

  return { me, checked, systemRole, hasDomainAccess, set, restore, login, logout, expire, hasRoleOn, hasAnyRole }
})
