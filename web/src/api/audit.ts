// 审计: the audit log and the check of its hash chain.
import { http, type CallOptions, type QueryOf } from '../api'
import type { ChainCheck } from '../types'

export const auditApi = {
  list: (query: QueryOf<'/api/v1/audit'>, opts?: CallOptions) => http.get('/api/v1/audit', { query, ...opts }),
  /** Walks the whole chain on the server: a large log takes a few seconds. */
  verify: (opts?: CallOptions) => http.get('/api/v1/audit/verify', { ...opts }) as Promise<ChainCheck>,
}
