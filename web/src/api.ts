// The one way the UI talks to the server: same-origin cookie session, CSRF header on writes, and the
// API's single error shape turned into an ApiError the views can act on. Calls go through the per-area
// functions in src/api/ (members.ts, meetings.ts…), typed by the OpenAPI document via `http` below.
import { ElMessage } from 'element-plus'
import type { paths } from './api/schema'

export interface FieldError {
  field: string
  message: string
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: FieldError[]
  readonly rule: string | null
  /** When a rule blocks the action only until a date (a recruitment step taken too early): that date. */
  readonly firstAllowed: string | null

  constructor(
    status: number,
    code: string,
    message: string,
    fields: FieldError[] = [],
    rule: string | null = null,
    firstAllowed: string | null = null,
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
    this.rule = rule
    this.firstAllowed = firstAllowed
  }

  /** Field errors keyed by field name (first message wins), ready for `el-form-item :error`. */
  fieldMap(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const f of this.fields) if (!(f.field in out)) out[f.field] = f.message
    return out
  }
}

const FALLBACK_MESSAGES: Record<number, string> = {
  0: '无法连接服务器，请检查网络',
  400: '提交的数据有误',
  401: '登录已失效，请重新登录',
  403: '无权执行此操作',
  404: '未找到或无权查看',
  409: '与已有数据冲突',
  413: '提交的数据过大',
  415: '提交的数据格式不正确',
  429: '尝试次数过多，请稍后再试',
}

function fallbackMessage(status: number): string {
  return FALLBACK_MESSAGES[status] ?? (status >= 500 ? `服务器错误（${status}），请稍后再试` : `请求失败（${status}）`)
}

/**
 * Maps a failed response to an ApiError. Proxies and crashed servers answer with HTML or nothing, so
 * anything that is not the documented shape still yields a readable Chinese message.
 */
export function toApiError(status: number, bodyText: string): ApiError {
  let body: unknown = null
  try {
    body = bodyText ? JSON.parse(bodyText) : null
  } catch {
    body = null
  }
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>
    const code = typeof b.code === 'string' ? b.code : `http_${status}`
    const message = typeof b.message === 'string' && b.message ? b.message : fallbackMessage(status)
    const fields = Array.isArray(b.fields)
      ? b.fields
          .filter((f): f is FieldError => !!f && typeof f === 'object' && typeof (f as FieldError).field === 'string')
          .map((f) => ({ field: f.field, message: String(f.message ?? '') }))
      : []
    const rule = typeof b.rule === 'string' ? b.rule : null
    const firstAllowed = typeof b.first_allowed === 'string' ? b.first_allowed : null
    return new ApiError(status, code, message, fields, rule, firstAllowed)
  }
  return new ApiError(status, `http_${status}`, fallbackMessage(status))
}

export function buildQuery(params: Record<string, string | number | boolean | null | undefined>): string {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') continue
    qs.set(k, String(v))
  }
  const s = qs.toString()
  return s ? `?${s}` : ''
}

let csrfToken: string | null = null
let onUnauthorized: (() => void) | null = null

export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** Called on any 401 outside the login call; main.ts points it at the session store and router. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | null | undefined>
  body?: unknown
  /**
   * `true`: never toast; a list of statuses: the caller shows those itself (e.g. a form showing 409
   * under a field). 401 always goes to the login page unless `quiet` is true.
   */
  quiet?: boolean | number[]
  signal?: AbortSignal
}

export const API_BASE = '/api/v1'

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const init: RequestInit = { method, credentials: 'same-origin', headers, signal: opts.signal }
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(opts.body)
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken

  const url = `${path.startsWith('/') ? '' : API_BASE + '/'}${path}${buildQuery(opts.query ?? {})}`
  let res: Response
  try {
    res = await fetch(url, init)
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e
    const err = new ApiError(0, 'network', fallbackMessage(0))
    report(err, opts)
    throw err
  }
  if (res.ok) {
    if (res.status === 204) return undefined as T
    const text = await res.text()
    return (text ? JSON.parse(text) : undefined) as T
  }
  const err = toApiError(res.status, await res.text())
  report(err, opts)
  throw err
}

function report(err: ApiError, opts: RequestOptions): void {
  if (opts.quiet === true) return
  if (err.status === 401) {
    onUnauthorized?.()
    return
  }
  if (Array.isArray(opts.quiet) && opts.quiet.includes(err.status)) return
  ElMessage({ type: 'error', message: err.message, grouping: true })
}

/**
 * Untyped calls by path relative to /api/v1. The app calls the API through the per-area functions in
 * src/api/ (typed by the document, below); this remains for the client's own tests.
 */
export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, { ...opts, body }),
  del: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
}

/**
 * Downloads a file through fetch so the session cookie goes along and a refusal shows the server's
 * message instead of an error page in a new tab.
 */
export async function download(
  path: string,
  query: RequestOptions['query'],
  fallbackName: string,
  opts: Pick<RequestOptions, 'quiet'> = {},
): Promise<void> {
  const url = `${path.startsWith('/') ? '' : API_BASE + '/'}${path}${buildQuery(query ?? {})}`
  let res: Response
  try {
    res = await fetch(url, { credentials: 'same-origin' })
  } catch {
    const err = new ApiError(0, 'network', fallbackMessage(0))
    report(err, opts)
    throw err
  }
  if (!res.ok) {
    const err = toApiError(res.status, await res.text())
    report(err, opts)
    throw err
  }
  const blob = await res.blob()
  const name = filenameFromDisposition(res.headers.get('Content-Disposition')) ?? fallbackName
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10_000)
}

export function filenameFromDisposition(header: string | null): string | null {
  if (!header) return null
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''))
    } catch {
      /* fall through to the plain form */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header)
  return plain?.[1]?.trim() ?? null
}

// ---------------------------------------------------------------- typed calls
// The same client, typed by the OpenAPI document (src/api/openapi.json → src/api/schema.d.ts, see
// `npm run gen:api`): a call's path, path and query parameters, body and answer are checked against the
// document the server builds, so a changed response struct shows up as a type error where it is used.

type HttpMethod = 'get' | 'put' | 'post' | 'delete'

/** How a call reports failures (see RequestOptions). */
export type CallOptions = Pick<RequestOptions, 'quiet' | 'signal'>

/** The documented paths that have an operation for `M`. */
export type PathsFor<M extends HttpMethod> = {
  [P in keyof paths]: paths[P] extends { [K in M]: object } ? P : never
}[keyof paths]

/** The operation `M path`. */
export type Operation<M extends HttpMethod, P extends PathsFor<M>> = paths[P][M]

type Defined<T> = Exclude<T, undefined>
type Param<Op, K extends 'path' | 'query'> = Op extends { parameters: { [k in K]?: infer X } } ? Defined<X> : never

type PathPart<Op> = [Param<Op, 'path'>] extends [never] ? { path?: never } : { path: Param<Op, 'path'> }
type QueryPart<Op> = [Param<Op, 'query'>] extends [never]
  ? { query?: never }
  : object extends Param<Op, 'query'>
    ? { query?: Param<Op, 'query'> }
    : { query: Param<Op, 'query'> }
type BodyPart<Op> = Op extends { requestBody?: never }
  ? { body?: never }
  : Op extends { requestBody: { content: { 'application/json': infer B } } }
    ? { body: B }
    : Op extends { requestBody?: { content: { 'application/json': infer B } } }
      ? { body?: B }
      : { body?: never }

/** Path parameters, query, body (as the document says) and how failures are reported. */
export type CallArgs<Op> = PathPart<Op> & QueryPart<Op> & BodyPart<Op> & Pick<RequestOptions, 'quiet' | 'signal'>
type ArgList<Op> = object extends CallArgs<Op> ? [args?: CallArgs<Op>] : [args: CallArgs<Op>]

type SuccessStatus = 200 | 201 | 202 | 204
/** The JSON answer of a successful call (undefined for an answer without a body). */
export type Answer<Op> = Op extends { responses: infer R }
  ? {
      [S in keyof R & SuccessStatus]: R[S] extends { content: { 'application/json': infer B } } ? B : undefined
    }[keyof R & SuccessStatus]
  : never

/** The query parameters of `GET path`. */
export type QueryOf<P extends PathsFor<'get'>> = Param<Operation<'get', P>, 'query'>
/** The JSON body of `M path`. */
export type BodyOf<M extends HttpMethod, P extends PathsFor<M>> = Defined<CallArgs<Operation<M, P>>['body']>

/** `/api/v1/members/{id}` with `{id}` filled in from `params`. */
export function fillPath(template: string, params: Record<string, unknown> | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params?.[name]
    if (value === undefined || value === null) throw new Error(`missing path parameter ${name} for ${template}`)
    return encodeURIComponent(String(value))
  })
}

function typedRequest(method: string, template: string, args: unknown): Promise<unknown> {
  const { path, query, body, ...opts } = (args ?? {}) as {
    path?: Record<string, unknown>
    query?: RequestOptions['query']
    body?: unknown
  } & Pick<RequestOptions, 'quiet' | 'signal'>
  return request(method.toUpperCase(), fillPath(template, path), { ...opts, query, body })
}

/**
 * Calls of documented operations by their documented path, e.g.
 * `http.get('/api/v1/members/{id}', { path: { id }, query: { unmask: true } })`.
 */
export const http = {
  get: <P extends PathsFor<'get'>>(path: P, ...[args]: ArgList<Operation<'get', P>>) =>
    typedRequest('get', path, args) as Promise<Answer<Operation<'get', P>>>,
  post: <P extends PathsFor<'post'>>(path: P, ...[args]: ArgList<Operation<'post', P>>) =>
    typedRequest('post', path, args) as Promise<Answer<Operation<'post', P>>>,
  put: <P extends PathsFor<'put'>>(path: P, ...[args]: ArgList<Operation<'put', P>>) =>
    typedRequest('put', path, args) as Promise<Answer<Operation<'put', P>>>,
  del: <P extends PathsFor<'delete'>>(path: P, ...[args]: ArgList<Operation<'delete', P>>) =>
    typedRequest('delete', path, args) as Promise<Answer<Operation<'delete', P>>>,
}

/** `download` of a documented file answer (Excel, PDF) by its documented path. */
export function downloadFile<P extends PathsFor<'get'>>(
  path: P,
  args: CallArgs<Operation<'get', P>>,
  fallbackName: string,
): Promise<void> {
  const { path: params, query, quiet } = args as unknown as {
    path?: Record<string, unknown>
    query?: RequestOptions['query']
    quiet?: RequestOptions['quiet']
  }
  return download(fillPath(path, params), query, fallbackName, { quiet })
}
