import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const message = vi.fn()
vi.mock('element-plus', () => ({ ElMessage: (opts: unknown) => message(opts) }))

const { ApiError, api, buildQuery, fillPath, filenameFromDisposition, http, setCsrfToken, setUnauthorizedHandler, toApiError } =
  await import('./api')

/** A stubbed fetch for the tests of the calling block, with no toast shown yet and a CSRF token set. */
function stubFetch() {
  const fetchMock = vi.fn()
  beforeEach(() => {
    vi.stubGlobal('fetch', fetchMock)
    fetchMock.mockReset()
    message.mockReset()
    setCsrfToken('tok-123')
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })
  return fetchMock
}

describe('toApiError', () => {
  it('keeps the documented error shape', () => {
    const e = toApiError(
      400,
      JSON.stringify({
        code: 'validation_failed',
        message: '提交的数据有误',
        fields: [
          { field: 'id_number', message: '公民身份号码校验位错误' },
          { field: 'id_number', message: '第二条同字段消息' },
          { field: 'joined_on', message: '入党日期不能早于年满18周岁之日' },
        ],
        rule: null,
      }),
    )
    expect(e).toBeInstanceOf(ApiError)
    expect(e.status).toBe(400)
    expect(e.code).toBe('validation_failed')
    expect(e.message).toBe('提交的数据有误')
    expect(e.fields).toHaveLength(3)
    expect(e.fieldMap()).toEqual({ id_number: '公民身份号码校验位错误', joined_on: '入党日期不能早于年满18周岁之日' })
    expect(e.rule).toBeNull()
  })

  it('carries the rule id of a rule violation', () => {
    const e = toApiError(409, '{"code":"rule_violation","message":"该组织仍有党员，不能撤销","fields":[],"rule":"org.dissolve.empty"}')
    expect(e.code).toBe('rule_violation')
    expect(e.rule).toBe('org.dissolve.empty')
  })

  it('gives a Chinese message when the body is not JSON (proxy error page)', () => {
    const e = toApiError(502, '<html>Bad Gateway</html>')
    expect(e.code).toBe('http_502')
    expect(e.message).toContain('服务器错误')
    expect(e.fields).toEqual([])
  })

  it('falls back per status when the message is missing', () => {
    expect(toApiError(429, '{"code":"too_many_attempts"}').message).toBe('尝试次数过多，请稍后再试')
    expect(toApiError(404, '').message).toBe('未找到或无权查看')
  })

  it('drops malformed field entries', () => {
    const e = toApiError(400, '{"code":"x","message":"m","fields":[null,{"message":"no field"},{"field":"name","message":"必填"}]}')
    expect(e.fields).toEqual([{ field: 'name', message: '必填' }])
  })
})

describe('buildQuery', () => {
  it('skips empty values and encodes the rest', () => {
    expect(buildQuery({ q: '张 三', status: '', after: null, subtree: true, limit: 20, x: undefined })).toBe('?q=%E5%BC%A0+%E4%B8%89&subtree=true&limit=20')
    expect(buildQuery({})).toBe('')
  })
})

describe('filenameFromDisposition', () => {
  it('prefers the UTF-8 form', () => {
    expect(filenameFromDisposition(`attachment; filename="roster.xlsx"; filename*=UTF-8''%E5%85%9A%E5%91%98%E5%90%8D%E5%86%8C.xlsx`)).toBe('党员名册.xlsx')
    expect(filenameFromDisposition('attachment; filename="roster.xlsx"')).toBe('roster.xlsx')
    expect(filenameFromDisposition(null)).toBeNull()
  })
})

describe('request', () => {
  const fetchMock = stubFetch()

  const json = (status: number, body: unknown) =>
    new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

  it('sends the CSRF token on writes only, with the cookie', async () => {
    fetchMock.mockResolvedValueOnce(json(200, [])).mockResolvedValueOnce(json(201, { id: 'a' }))
    await api.get('members', { query: { q: '张' } })
    await api.post('members', { name: '张三' })
    const [getUrl, getInit] = fetchMock.mock.calls[0]!
    expect(getUrl).toBe('/api/v1/members?q=%E5%BC%A0')
    expect(getInit.credentials).toBe('same-origin')
    expect(getInit.headers['X-CSRF-Token']).toBeUndefined()
    const [, postInit] = fetchMock.mock.calls[1]!
    expect(postInit.method).toBe('POST')
    expect(postInit.headers['X-CSRF-Token']).toBe('tok-123')
    expect(postInit.headers['Content-Type']).toBe('application/json')
    expect(postInit.body).toBe('{"name":"张三"}')
  })

  it('returns undefined for 204', async () => {
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }))
    await expect(api.del('tokens/1')).resolves.toBeUndefined()
  })

  it('toasts general errors and throws ApiError', async () => {
    fetchMock.mockResolvedValueOnce(json(403, { code: 'forbidden', message: '无权执行此操作', fields: [], rule: null }))
    await expect(api.post('organizations', {})).rejects.toMatchObject({ status: 403, code: 'forbidden' })
    expect(message).toHaveBeenCalledWith(expect.objectContaining({ type: 'error', message: '无权执行此操作' }))
  })

  it('leaves statuses the caller handles to the caller', async () => {
    fetchMock.mockResolvedValueOnce(json(409, { code: 'duplicate_id_number', message: '该公民身份号码已登记', fields: [], rule: null }))
    await expect(api.post('members', {}, { quiet: [409] })).rejects.toMatchObject({ code: 'duplicate_id_number' })
    expect(message).not.toHaveBeenCalled()
  })

  it('sends the user to the login page on 401 without a toast', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    fetchMock.mockResolvedValueOnce(json(401, { code: 'unauthenticated', message: '请先登录', fields: [], rule: null }))
    await expect(api.get('me')).rejects.toMatchObject({ status: 401 })
    expect(handler).toHaveBeenCalledOnce()
    expect(message).not.toHaveBeenCalled()
  })

  it('maps a network failure to status 0', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    await expect(api.get('organizations')).rejects.toMatchObject({ status: 0, code: 'network' })
    expect(message).toHaveBeenCalledOnce()
  })
})

describe('typed calls', () => {
  const fetchMock = stubFetch()

  it('fills path parameters, escaped', () => {
    expect(fillPath('/api/v1/appraisals/{id}/entries/{member_id}', { id: 'a 1', member_id: 'm/2' })).toBe(
      '/api/v1/appraisals/a%201/entries/m%2F2',
    )
    expect(() => fillPath('/api/v1/members/{id}', {})).toThrow(/id/)
  })

  it('sends path, query and body through the same client (CSRF header, quiet statuses)', async () => {
    fetchMock
      .mockResolvedValueOnce(new Response('{"id":"m1"}', { status: 200 }))
      .mockResolvedValueOnce(new Response('{"code":"stale_version","message":"已被他人修改","fields":[]}', { status: 409 }))
    const m = await http.get('/api/v1/members/{id}', { path: { id: 'm1' }, query: { unmask: true } })
    expect(m.id).toBe('m1')
    expect(fetchMock.mock.calls[0]![0]).toBe('/api/v1/members/m1?unmask=true')
    await expect(
      http.put('/api/v1/organizations/{id}', { path: { id: 'o1' }, body: { name: '一支部', kind: 'branch', version: 3 }, quiet: [409] }),
    ).rejects.toBeInstanceOf(ApiError)
    const [url, init] = fetchMock.mock.calls[1]!
    expect(url).toBe('/api/v1/organizations/o1')
    expect(init.method).toBe('PUT')
    expect(init.headers['X-CSRF-Token']).toBe('tok-123')
    expect(JSON.parse(init.body)).toEqual({ name: '一支部', kind: 'branch', version: 3 })
    expect(message).not.toHaveBeenCalled()
  })

  it('checks calls against the document (these lines are type errors, checked by `npm run lint`)', () => {
    const wrong = () => {
      // @ts-expect-error not a documented path
      void http.get('/api/v1/nowhere')
      // @ts-expect-error the path parameter is missing
      void http.get('/api/v1/members/{id}', {})
      // @ts-expect-error a query parameter the operation does not have
      void http.get('/api/v1/members', { query: { colour: 'red' } })
      // @ts-expect-error creating a token needs its name
      void http.post('/api/v1/tokens', { body: {} })
      // @ts-expect-error no DELETE on members
      void http.del('/api/v1/members/{id}', { path: { id: 'm1' } })
    }
    expect(typeof wrong).toBe('function')
  })
})
