// 民主评议党员: an organization's yearly appraisal, its entries, proposed and decided grades.
import { http, type BodyOf, type CallOptions, type QueryOf } from '../api'

export const appraisalApi = {
  list: (query: QueryOf<'/api/v1/appraisals'>, opts?: CallOptions) => http.get('/api/v1/appraisals', { query, ...opts }),
  get: (id: string, opts?: CallOptions) => http.get('/api/v1/appraisals/{id}', { path: { id }, ...opts }),
  create: (body: BodyOf<'post', '/api/v1/appraisals'>, opts?: CallOptions) =>
    http.post('/api/v1/appraisals', { body, ...opts }),
  updateEntry: (
    id: string,
    memberId: string,
    body: BodyOf<'put', '/api/v1/appraisals/{id}/entries/{member_id}'>,
    opts?: CallOptions,
  ) => http.put('/api/v1/appraisals/{id}/entries/{member_id}', { path: { id, member_id: memberId }, body, ...opts }),
  propose: (id: string, body: BodyOf<'post', '/api/v1/appraisals/{id}/propose'>, opts?: CallOptions) =>
    http.post('/api/v1/appraisals/{id}/propose', { path: { id }, body, ...opts }),
  decide: (id: string, body: BodyOf<'post', '/api/v1/appraisals/{id}/decide'>, opts?: CallOptions) =>
    http.post('/api/v1/appraisals/{id}/decide', { path: { id }, body, ...opts }),
}
