// 计算器与规则: the dues and recruitment-timeline calculators and the rules in force.
import { http, type BodyOf, type CallOptions, type QueryOf } from '../api'

export const calcApi = {
  dues: (body: BodyOf<'post', '/api/v1/calc/dues'>, opts?: CallOptions) =>
    http.post('/api/v1/calc/dues', { body, ...opts }),
  recruitmentTimeline: (body: BodyOf<'post', '/api/v1/calc/recruitment-timeline'>, opts?: CallOptions) =>
    http.post('/api/v1/calc/recruitment-timeline', { body, ...opts }),
  rules: (query: QueryOf<'/api/v1/rules'>, opts?: CallOptions) => http.get('/api/v1/rules', { query, ...opts }),
}
