// 民主评议党员: an organization's yearly appraisal, its entries, proposed and decided grades.
import { freeForm, http, type BodyOf, type CallOptions, type QueryOf } from '../api'
import type { Appraisal, AppraisalRow } from '../types'

export const appraisalApi = {
  list: (query: QueryOf<'/api/v1/appraisals'>, opts?: CallOptions) => freeForm<AppraisalRow[]>(http.get('/api/v1/appraisals', { query, ...opts })),
  get: (id: string, opts?: CallOptions) => freeForm<Appraisal>(http.get('/api/v1/appraisals/{id}', { path: { id }, ...opts })),
  create: (body: BodyOf<'post', '/api/v1/appraisals'>, opts?: CallOptions) =>
    freeForm<Appraisal>(http.post('/api/v1/appraisals', { body, ...opts })),
  updateEntry: (
    id: string,
    memberId: string,
    body: BodyOf<'put', '/api/v1/appraisals/{id}/entries/{member_id}'>,
    opts?: CallOptions,
  ) => freeForm<Appraisal>(http.put('/api/v1/appraisals/{id}/entries/{member_id}', { path: { id, member_id: memberId }, body, ...opts })),
  propose: (id: string, body: BodyOf<'post', '/api/v1/appraisals/{id}/propose'>, opts?: CallOptions) =>
    freeForm<Appraisal>(http.post('/api/v1/appraisals/{id}/propose', { path: { id }, body, ...opts })),
  decide: (id: string, body: BodyOf<'post', '/api/v1/appraisals/{id}/decide'>, opts?: CallOptions) =>
    freeForm<Appraisal>(http.post('/api/v1/appraisals/{id}/decide', { path: { id }, body, ...opts })),
}
