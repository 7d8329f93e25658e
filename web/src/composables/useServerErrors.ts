import { computed, ref, type Ref } from 'vue'
import type { FormInstance } from 'element-plus'
import { ApiError } from '../api'

/**
 * Holds the server's field errors for a form: those naming a field of the form go under that field
 * (`el-form-item :error`), the rest are listed above the form so nothing the server said is lost.
 */
export function useServerErrors(formFields: readonly string[], labels: Record<string, string> = {}) {
  const errors = ref<Record<string, string>>({})
  const extra = ref<string[]>([])

  function set(e: ApiError) {
    const map: Record<string, string> = {}
    const rest: string[] = []
    for (const f of e.fields) {
      const key = formFields.find((k) => f.field === k || f.field.startsWith(`${k}[`) || f.field.startsWith(`${k}.`))
      if (key && f.field === key) map[key] ??= f.message
      else if (key) map[key] ??= `${f.field.slice(key.length)} ${f.message}`.trim()
      else rest.push(`${labels[f.field] ?? f.field}：${f.message}`)
    }
    errors.value = map
    extra.value = rest
  }

  function setField(field: string, message: string) {
    errors.value = { ...errors.value, [field]: message }
  }

  function clear(field?: string) {
    if (!field) {
      errors.value = {}
      extra.value = []
    } else if (field in errors.value) {
      const { [field]: _dropped, ...rest } = errors.value
      errors.value = rest
    }
  }

  const any = computed(() => Object.keys(errors.value).length > 0 || extra.value.length > 0)

  /** Sends the form (see `submitting`) once its own rules pass, the server's earlier errors cleared. */
  async function submit<T>(
    form: Ref<FormInstance | undefined>,
    busy: Ref<boolean>,
    send: () => Promise<T>,
    refused: (e: ApiError) => unknown,
  ): Promise<T | undefined> {
    clear()
    if (!(await form.value?.validate().catch(() => false))) return undefined
    return submitting(busy, send, refused)
  }

  return { errors, extra, any, set, setField, clear, submit }
}

/**
 * Sends a form: `busy` while the request runs (the button spins), a refusal by the API handed to
 * `refused` to show (under the fields, above the form…), any other failure thrown on as the bug it is.
 * Answers what `send` answered, or undefined after a refusal.
 */
export async function submitting<T>(
  busy: Ref<boolean>,
  send: () => Promise<T>,
  refused: (e: ApiError) => unknown,
): Promise<T | undefined> {
  busy.value = true
  try {
    return await send()
  } catch (e) {
    if (!(e instanceof ApiError)) throw e
    await refused(e)
    return undefined
  } finally {
    busy.value = false
  }
}
