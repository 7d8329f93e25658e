import { createApp } from 'vue'
import { createPinia } from 'pinia'
// Services called from script (not templates) are not seen by the on-demand resolver: load their CSS here.
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import './styles.css'
import App from './App.vue'
import { router } from './router'
import { setUnauthorizedHandler } from './api'
import { useSessionStore } from './stores/session'
import { useOrgStore } from './stores/orgs'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(router)

setUnauthorizedHandler(() => {
  const session = useSessionStore(pinia)
  const wasLoggedIn = !!session.me
  session.expire()
  useOrgStore(pinia).reset()
  const current = router.currentRoute.value
  if (current.name !== 'login') {
    void router.replace({ name: 'login', query: { redirect: current.fullPath, ...(wasLoggedIn ? { expired: '1' } : {}) } })
  }
})

app.mount('#app')
