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
      { path: 'meetings', name: 'meetings', component: () => import('./views/MeetingsView.vue'), meta: { access: 'orglife', title: '会议记录' } },
      {
        path: 'meetings/:id',
        name: 'meeting',
        component: () => import('./views/MeetingDetailView.vue'),
        meta: { access: 'orglife', title: '会议详情' },
      },
      {
        path: 'orglife/calendar/:orgId?',
        name: 'orglife-calendar',
        component: () => import('./views/ComplianceCalendarView.vue'),
        meta: { access: 'orglife', title: '组织生活日历' },
      },
      {
        path: 'orglife/rollup/:orgId?',
        name: 'orglife-rollup',
        component: () => import('./views/ComplianceRollupView.vue'),
        meta: { access: 'orglife', title: '组织生活汇总' },
      },
      { path: 'appraisals', name: 'appraisals', component: () => import('./views/AppraisalsView.vue'), meta: { access: 'orglife', title: '民主评议' } },
      {
        path: 'appraisals/:id',
        name: 'appraisal',
        component: () => import('./views/AppraisalDetailView.vue'),
        meta: { access: 'orglife', title: '民主评议' },
      },
      { path: 'calc/dues', name: 'calc-dues', component: () => import('./views/DuesCalculatorView.vue'), meta: { access: 'any', title: '党费计算器' } },
      {
        path: 'calc/recruitment',
        name: 'calc-recruitment',
        component: () => import('./views/RecruitmentPlannerView.vue'),
        meta: { access: 'any', title: '发展党员时间推算' },
      },
      { path: 'rules', name: 'rules', component: () => import('./views/RulesView.vue'), meta: { access: 'any', title: '规则' } },
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
    if (to.name === 'login' && session.me && !session.me.must_change_password) return homePath(session.me)
    return true
  }
  if (!session.me) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  // A one-time password (after an administrator's reset) allows only setting a new one, on the login page.
  if (session.me.must_change_password) return { name: 'login' }
  if (!canAccess(session.me, to.meta.access)) {
    // Keep the address the user typed visible, show the refusal in place.
    return { name: 'forbidden', query: { from: to.fullPath } }
  }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - 党务 · 党建工作平台` : '党务 · 党建工作平台'
})
