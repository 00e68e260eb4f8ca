/**
 * Between a form control's text and a spec field's value. Empty text means "use the default" (the
 * field is removed). Text that is not a valid value is kept as typed, so the engine's validation
 * names the problem on that field instead of the form silently dropping it.
 */
import type { FieldSchema } from '../../../src-engine/spec/fields'

export function parseFieldText(schema: FieldSchema, text: string): unknown {
  const t = text.trim()
  if (t === '') return undefined
  switch (schema.kind) {
    case 'int':
    case 'number': {
      const n = Number(t)
      return Number.isFinite(n) ? n : t
    }
    case 'padding': {
      if (t === 'same' || t === 'valid') return t
      return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t
    }
    case 'bool':
      return t === 'true' ? true : t === 'false' ? false : t
    case 'enum':
    case 'init':
      return t
  }
}

export function fieldText(value: unknown): string {
  if (value === undefined || value === null) return ''
  return typeof value === 'string' ? value : String(value)
}

/** The default as the form shows it: "1", "valid", "= size" (copied from another field), or "" when required. */
export function defaultText(schema: FieldSchema): string {
  if (schema.kind === 'int' && schema.defaultFrom !== undefined) return `= ${schema.defaultFrom}`
  if ('default' in schema && schema.default !== undefined) return String(schema.default)
  return ''
}

/** Range text for help: "1–4096", "> 0", "0 ≤ x < 1". */
export function rangeText(schema: FieldSchema): string {
  if (schema.kind === 'int') return schema.max !== undefined ? `${schema.min}–${schema.max}` : `≥ ${schema.min}`
  if (schema.kind !== 'number') return ''
  const lo = schema.min !== undefined ? `${schema.min} ${schema.minExclusive ? '<' : '≤'} ` : ''
  const hi = schema.max !== undefined ? ` ${schema.maxExclusive ? '<' : '≤'} ${schema.max}` : ''
  return lo || hi ? `${lo}x${hi}` : ''
}
