import { defineAsyncComponent, type Component } from 'vue'
import { createRouter, createWebHistory, type RouteRecordRaw, type RouteRecordSingleView } from 'vue-router'
import { canAccess, homePath, type Access } from './access'
import { useSessionStore } from './stores/session'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    access?: Access
    title?: string
  }
}

/** A page of the app: its address and name, its view (loaded when first opened), who may open it, its title. */
function page(
  path: string,
  name: string,
  view: RouteRecordSingleView['component'],
  access: Access | undefined,
  title: string,
  props?: Record<string, unknown>,
): RouteRecordRaw {
  return { path, name, component: view, props, meta: { access, title } }
}

const orgList = (list: () => Promise<Component | { default: Component }>) => ({ list: defineAsyncComponent(list) })
const orgListView = () => import('./views/OrgListView.vue')
const orgsView = () => import('./views/OrgsView.vue')
const complianceView = () => import('./views/ComplianceView.vue')

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
      page('orgs', 'orgs', orgsView, 'domain', '组织机构'),
      page('orgs/:id', 'org', orgsView, 'domain', '组织机构'),
      page('members', 'members', orgListView, 'domain', '党员管理', orgList(() => import('./components/MemberList.vue'))),
      page('members/:id', 'member', () => import('./views/MemberDetailView.vue'), 'domain', '党员详情'),
      page('meetings', 'meetings', orgListView, 'orglife', '会议记录', orgList(() => import('./components/MeetingList.vue'))),
      page('meetings/:id', 'meeting', () => import('./views/MeetingDetailView.vue'), 'orglife', '会议详情'),
      page('orglife/calendar/:orgId?', 'orglife-calendar', complianceView, 'orglife', '组织生活日历', { page: 'calendar' }),
      page('orglife/rollup/:orgId?', 'orglife-rollup', complianceView, 'orglife', '组织生活汇总', { page: 'rollup' }),
      page('appraisals', 'appraisals', orgListView, 'orglife', '民主评议', orgList(() => import('./components/AppraisalList.vue'))),
      page('appraisals/:id', 'appraisal', () => import('./views/AppraisalDetailView.vue'), 'orglife', '民主评议'),
      page('recruitment', 'recruitment', orgListView, 'orglife', '发展党员', orgList(() => import('./components/RecruitmentCaseList.vue'))),
      page('recruitment/:id', 'recruitment-case', () => import('./views/RecruitmentCaseView.vue'), 'orglife', '发展党员'),
      page('calc/dues', 'calc-dues', () => import('./views/DuesCalculatorView.vue'), 'any', '党费计算器'),
      page('calc/recruitment', 'calc-recruitment', () => import('./views/RecruitmentPlannerView.vue'), 'any', '发展党员时间推算'),
      page('rules', 'rules', () => import('./views/RulesView.vue'), 'any', '规则'),
      page('audit', 'audit', () => import('./views/AuditView.vue'), ['audit_admin'], '审计日志'),
      page('users', 'users', () => import('./views/UsersView.vue'), ['system_admin', 'security_admin'], '用户管理'),
      page('tokens', 'tokens', () => import('./views/TokensView.vue'), 'any', 'API令牌'),
      page('forbidden', 'forbidden', () => import('./views/ForbiddenView.vue'), undefined, '无权访问'),
      page(':pathMatch(.*)*', 'not-found', () => import('./views/NotFoundView.vue'), undefined, '页面不存在'),
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
