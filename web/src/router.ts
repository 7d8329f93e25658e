import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { canAccess, homePath, type Access } from './access'
import { useSessionStore } from './stores/session'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    access?: Access
    title?: string
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true, title: '登录' } },
  {
    path: '/',
    component: () => import('./layouts/MainLayout.vue'),
    children: [
      {
        path: '',
        name: 'home',
        redirect: () => homePath(useSessionStore().me),
      },
      { path: 'orgs', name: 'orgs', component: () => import('./views/OrgsView.vue'), meta: { access: 'domain', title: '组织机构' } },
      { path: 'orgs/:id', name: 'org', component: () => import('./views/OrgsView.vue'), meta: { access: 'domain', title: '组织机构' } },
      { path: 'members', name: 'members', component: () => import('./views/MembersView.vue'), meta: { access: 'domain', title: '党员管理' } },
      {
        path: 'members/:id',
        name: 'member',
        component: () => import('./views/MemberDetailView.vue'),
        meta: { access: 'domain', title: '党员详情' },
      },
      { path: 'audit', name: 'audit', component: () => import('./views/AuditView.vue'), meta: { access: ['audit_admin'], title: '审计日志' } },
      {
        path: 'users',
        name: 'users',
        component: () => import('./views/UsersView.vue'),
        meta: { access: ['system_admin', 'security_admin'], title: '用户管理' },
      },
      { path: 'tokens', name: 'tokens', component: () => import('./views/TokensView.vue'), meta: { access: 'any', title: 'API令牌' } },
      { path: 'forbidden', name: 'forbidden', component: () => import('./views/ForbiddenView.vue'), meta: { title: '无权访问' } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue'), meta: { title: '页面不存在' } },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
})

router.beforeEach(async (to) => {
  const session = useSessionStore()
  await session.restore()
  if (to.meta.public) {
    if (to.name === 'login' && session.me) return homePath(session.me)
    return true
  }
  if (!session.me) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (!canAccess(session.me, to.meta.access)) {
    // Keep the address the user typed visible, show the refusal in place.
    return { name: 'forbidden', query: { from: to.fullPath } }
  }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - 党务 · 党建工作平台` : '党务 · 党建工作平台'
})
