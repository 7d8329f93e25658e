// 代码表: every code list the API takes or answers with, each code with its Chinese label.
import { http, type CallOptions } from '../api'

export const codeApi = {
  list: (opts?: CallOptions) => http.get('/api/v1/codes', { ...opts }),
}
