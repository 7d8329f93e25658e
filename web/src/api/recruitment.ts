// 发展党员: recruitment cases of a branch or subtree, one case with the rules' assessment, opening a
// case on an application and recording its next step.
import { downloadFile, http, type BodyOf, type CallOptions, type QueryOf } from '../api'

export const recruitmentApi = {
  list: (query: QueryOf<'/api/v1/recruitment-cases'>, opts?: CallOptions) =>
    http.get('/api/v1/recruitment-cases', { query, ...opts }),
  get: (id: string, opts?: CallOptions) => http.get('/api/v1/recruitment-cases/{id}', { path: { id }, ...opts }),
  open: (body: BodyOf<'post', '/api/v1/recruitment-cases'>, opts?: CallOptions) =>
    http.post('/api/v1/recruitment-cases', { body, ...opts }),
  record: (id: string, body: BodyOf<'post', '/api/v1/recruitment-cases/{id}/steps'>, opts?: CallOptions) =>
    http.post('/api/v1/recruitment-cases/{id}/steps', { path: { id }, body, ...opts }),
  exportXlsx: (query: QueryOf<'/api/v1/recruitment-cases/export.xlsx'>, fileName: string) =>
    downloadFile('/api/v1/recruitment-cases/export.xlsx', { query }, fileName),
}
