// 会话与账号: signing in and out, one's own account and API tokens; user accounts, grants and the
// second-person password resets of the security roles.
import { http, type BodyOf, type CallOptions } from '../api'
import type { Me, PendingReset, ResetAnswer, User } from '../types'

export const sessionApi = {
  login: (body: BodyOf<'post', '/api/v1/auth/login'>, opts?: CallOptions) => http.post('/api/v1/auth/login', { body, ...opts }) as Promise<Me>,
  logout: (opts?: CallOptions) => http.post('/api/v1/auth/logout', { ...opts }),
  me: (opts?: CallOptions) => http.get('/api/v1/me', { ...opts }) as Promise<Me>,
  changePassword: (body: BodyOf<'post', '/api/v1/me/password'>, opts?: CallOptions) =>
    http.post('/api/v1/me/password', { body, ...opts }),
  tokens: (opts?: CallOptions) => http.get('/api/v1/tokens', { ...opts }),
  createToken: (body: BodyOf<'post', '/api/v1/tokens'>, opts?: CallOptions) => http.post('/api/v1/tokens', { body, ...opts }),
  deleteToken: (id: string, opts?: CallOptions) => http.del('/api/v1/tokens/{id}', { path: { id }, ...opts }),
}

export const userApi = {
  list: (opts?: CallOptions) => http.get('/api/v1/users', { ...opts }) as Promise<User[]>,
  create: (body: BodyOf<'post', '/api/v1/users'>, opts?: CallOptions) => http.post('/api/v1/users', { body, ...opts }),
  resetPassword: (id: string, body: BodyOf<'post', '/api/v1/users/{id}/password'>, opts?: CallOptions) =>
    http.post('/api/v1/users/{id}/password', { path: { id }, body, ...opts }) as Promise<ResetAnswer>,
  disable: (id: string, opts?: CallOptions) => http.post('/api/v1/users/{id}/disable', { path: { id }, ...opts }),
  enable: (id: string, opts?: CallOptions) => http.post('/api/v1/users/{id}/enable', { path: { id }, ...opts }),
  grant: (id: string, body: BodyOf<'post', '/api/v1/users/{id}/grants'>, opts?: CallOptions) =>
    http.post('/api/v1/users/{id}/grants', { path: { id }, body, ...opts }),
  revokeGrant: (grantId: string, opts?: CallOptions) => http.del('/api/v1/grants/{id}', { path: { id: grantId }, ...opts }),
  pendingResets: (opts?: CallOptions) => http.get('/api/v1/password-resets', { ...opts }) as Promise<PendingReset[]>,
  approveReset: (id: string, opts?: CallOptions) => http.post('/api/v1/password-resets/{id}/approve', { path: { id }, ...opts }),
  rejectReset: (id: string, opts?: CallOptions) => http.post('/api/v1/password-resets/{id}/reject', { path: { id }, ...opts }),
}
