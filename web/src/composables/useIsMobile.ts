import { onBeforeUnmount, ref } from 'vue'

export const MOBILE_QUERY = '(max-width: 767px)'

/** Tracks the phone breakpoint (< 768px) used for the drawer menu and full-screen dialogs. */
export function useIsMobile() {
  const mql = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(MOBILE_QUERY) : null
  const isMobile = ref(mql?.matches ?? false)
  const update = (e: MediaQueryListEvent) => {
    isMobile.value = e.matches
  }
  mql?.addEventListener('change', update)
  onBeforeUnmount(() => mql?.removeEventListener('change', update))
  return isMobile
}
