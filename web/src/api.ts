// The one way the UI talks to the server: same-origin cookie session, CSRF header on writes, and the
// API's single error shape turned into an ApiError the views can act on.
import { ElMessage } from 'element-plus'

export interface FieldError {
  field: string
  message: string
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: FieldError[]
  readonly rule: string | null

  constructor(status: number, code: string, message: string, fields: FieldError[] = [], rule: string | null = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
    this.rule = rule
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
    return new ApiError(status, code, message, fields, rule)
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
  const url = `${API_BASE}/${path}${buildQuery(query ?? {})}`
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
