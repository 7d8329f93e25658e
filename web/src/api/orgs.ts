// 组织: the organization tree, records, history, and each organization's organizational-life views.
import { downloadFile, http, type BodyOf, type CallOptions, type QueryOf } from '../api'
import type { ExpectedAttendee, OrgNode, Organization } from '../types'

export const orgApi = {
  list: (opts?: CallOptions) => http.get('/api/v1/organizations', { ...opts }) as Promise<OrgNode[]>,
  get: (id: string, opts?: CallOptions) => http.get('/api/v1/organizations/{id}', { path: { id }, ...opts }) as Promise<Organization>,
  children: (id: string, opts?: CallOptions) => http.get('/api/v1/organizations/{id}/children', { path: { id }, ...opts }) as Promise<Organization[]>,
  history: (id: string, opts?: CallOptions) => http.get('/api/v1/organizations/{id}/history', { path: { id }, ...opts }),
  create: (body: BodyOf<'post', '/api/v1/organizations'>, opts?: CallOptions) =>
    http.post('/api/v1/organizations', { body, ...opts }) as Promise<Organization>,
  update: (id: string, body: BodyOf<'put', '/api/v1/organizations/{id}'>, opts?: CallOptions) =>
    http.put('/api/v1/organizations/{id}', { path: { id }, body, ...opts }) as Promise<Organization>,
  move: (id: string, body: BodyOf<'post', '/api/v1/organizations/{id}/move'>, opts?: CallOptions) =>
    http.post('/api/v1/organizations/{id}/move', { path: { id }, body, ...opts }) as Promise<Organization>,
  dissolve: (id: string, body: BodyOf<'post', '/api/v1/organizations/{id}/dissolve'>, opts?: CallOptions) =>
    http.post('/api/v1/organizations/{id}/dissolve', { path: { id }, body, ...opts }) as Promise<Organization>,

  // ---------------------------------------------------------------- organizational life
  compliance: (id: string, query: QueryOf<'/api/v1/organizations/{id}/compliance'>, opts?: CallOptions) =>
    http.get('/api/v1/organizations/{id}/compliance', { path: { id }, query, ...opts }),
  complianceRollup: (id: string, query: QueryOf<'/api/v1/organizations/{id}/compliance-rollup'>, opts?: CallOptions) =>
    http.get('/api/v1/organizations/{id}/compliance-rollup', { path: { id }, query, ...opts }),
  complianceRollupXlsx: (id: string, query: QueryOf<'/api/v1/organizations/{id}/compliance-rollup.xlsx'>, fileName: string) =>
    downloadFile('/api/v1/organizations/{id}/compliance-rollup.xlsx', { path: { id }, query }, fileName),
  meetingsLedgerXlsx: (id: string, query: QueryOf<'/api/v1/organizations/{id}/meetings-ledger.xlsx'>, fileName: string) =>
    downloadFile('/api/v1/organizations/{id}/meetings-ledger.xlsx', { path: { id }, query }, fileName),
  participation: (id: string, query: QueryOf<'/api/v1/organizations/{id}/participation'>, opts?: CallOptions) =>
    http.get('/api/v1/organizations/{id}/participation', { path: { id }, query, ...opts }),
  expectedAttendees: (id: string, opts?: CallOptions) =>
    http.get('/api/v1/organizations/{id}/expected-attendees', { path: { id }, ...opts }) as Promise<ExpectedAttendee[]>,
}
