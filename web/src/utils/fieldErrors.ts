import type { FieldError } from '../api'

/**
 * Field errors about rows of a list (`attendees[3].reason`), by row index, so each shows beside its row.
 * The rest are returned for the form's usual handling.
 */
export function rowErrors(fields: FieldError[], list: string): { rows: Record<number, string>; rest: FieldError[] } {
  const rows: Record<number, string> = {}
  const rest: FieldError[] = []
  const re = new RegExp(`^${list}\\[(\\d+)\\]`)
  for (const f of fields) {
    const m = re.exec(f.field)
    if (m) rows[Number(m[1])] ??= f.message
    else rest.push(f)
  }
  return { rows, rest }
}
