import { computed, onBeforeUnmount, ref } from 'vue'

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

/** A form's labels: `width` wide beside their fields, above them on a phone. For `v-bind` on the form. */
export function useFormLabels(width: string) {
  const isMobile = useIsMobile()
  return computed(() => ({ labelWidth: isMobile.value ? 'auto' : width, labelPosition: isMobile.value ? ('top' as const) : ('right' as const) }))
}
