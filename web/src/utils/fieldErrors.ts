import type { FieldError } from '../api'

/**
 * Field errors about rows of a list (`attendees[3].reason`), by row index, so each shows beside its row;
 * `fields` also keeps them by the field within the row (`{ 3: { reason: '…' } }`, `''` for the whole
 * row), so an editor can mark the very input. The rest are returned for the form's usual handling.
 */
export function rowErrors(
  fields: FieldError[],
  list: string,
): { rows: Record<number, string>; fields: Record<number, Record<string, string>>; rest: FieldError[] } {
  const rows: Record<number, string> = {}
  const byField: Record<number, Record<string, string>> = {}
  const rest: FieldError[] = []
  const re = new RegExp(`^${list}\\[(\\d+)\\](?:\\.(.+))?$`)
  for (const f of fields) {
    const m = re.exec(f.field)
    if (m) {
      const i = Number(m[1])
      rows[i] ??= f.message
      byField[i] ??= {}
      byField[i][m[2] ?? ''] ??= f.message
    } else rest.push(f)
  }
  return { rows, fields: byField, rest }
}
