// 计算器与规则: the dues and recruitment-timeline calculators and the rules in force.
import { freeForm, http, type BodyOf, type CallOptions, type QueryOf } from '../api'
import type { DuesAmount, PipelineAssessment, RulesAnswer } from '../types'

export const calcApi = {
  dues: (body: BodyOf<'post', '/api/v1/calc/dues'>, opts?: CallOptions) =>
    freeForm<DuesAmount>(http.post('/api/v1/calc/dues', { body, ...opts })),
  recruitmentTimeline: (body: BodyOf<'post', '/api/v1/calc/recruitment-timeline'>, opts?: CallOptions) =>
    freeForm<PipelineAssessment>(http.post('/api/v1/calc/recruitment-timeline', { body, ...opts })),
  rules: (query: QueryOf<'/api/v1/rules'>, opts?: CallOptions) => freeForm<RulesAnswer>(http.get('/api/v1/rules', { query, ...opts })),
}
