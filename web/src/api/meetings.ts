// 组织生活: meetings (三会一课 and the rest) and their records.
import { downloadFile, http, type BodyOf, type CallOptions, type QueryOf } from '../api'
import type { Meeting, Page } from '../types'

export const meetingApi = {
  list: (query: QueryOf<'/api/v1/meetings'>, opts?: CallOptions) => http.get('/api/v1/meetings', { query, ...opts }) as Promise<Page<Meeting>>,
  get: (id: string, opts?: CallOptions) => http.get('/api/v1/meetings/{id}', { path: { id }, ...opts }) as Promise<Meeting>,
  create: (body: BodyOf<'post', '/api/v1/meetings'>, opts?: CallOptions) => http.post('/api/v1/meetings', { body, ...opts }) as Promise<Meeting>,
  update: (id: string, body: BodyOf<'put', '/api/v1/meetings/{id}'>, opts?: CallOptions) =>
    http.put('/api/v1/meetings/{id}', { path: { id }, body, ...opts }) as Promise<Meeting>,
  /** The meeting record as a PDF (会议记录). */
  recordPdf: (id: string, fileName: string, opts?: Pick<CallOptions, 'quiet'>) =>
    downloadFile('/api/v1/meetings/{id}/record.pdf', { path: { id }, ...opts }, fileName),
}
