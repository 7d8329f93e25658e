// 党员: the member list, records and their history.
import { downloadFile, http, type BodyOf, type CallOptions, type QueryOf } from '../api'
import type { Member, Page } from '../types'

export const memberApi = {
  list: (query: QueryOf<'/api/v1/members'>, opts?: CallOptions) => http.get('/api/v1/members', { query, ...opts }) as Promise<Page<Member>>,
  get: (id: string, query: QueryOf<'/api/v1/members/{id}'> = {}, opts?: CallOptions) =>
    http.get('/api/v1/members/{id}', { path: { id }, query, ...opts }) as Promise<Member>,
  create: (body: BodyOf<'post', '/api/v1/members'>, opts?: CallOptions) => http.post('/api/v1/members', { body, ...opts }) as Promise<Member>,
  update: (id: string, body: BodyOf<'put', '/api/v1/members/{id}'>, opts?: CallOptions) =>
    http.put('/api/v1/members/{id}', { path: { id }, body, ...opts }) as Promise<Member>,
  history: (id: string, opts?: CallOptions) => http.get('/api/v1/members/{id}/history', { path: { id }, ...opts }),
  /** The roster as an Excel file (党员名册). */
  exportXlsx: (query: QueryOf<'/api/v1/members/export.xlsx'>, fileName: string) =>
    downloadFile('/api/v1/members/export.xlsx', { query }, fileName),
}
