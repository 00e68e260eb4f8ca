/**
 * Declarative field schemas. Each layer declares its fields once; the same declaration validates
 * specs (with messages naming the layer and field), fills defaults, types the layer's spec, and
 * drives the editor's forms — there is no second, hand-kept copy.
 */
export type Padding = number | 'same' | 'valid'

/** Weight initializers a layer may name; 'zeros' is there to show why symmetric weights cannot learn. */
export const INITIALIZERS = [
  'auto', 'xavier_uniform', 'xavier_normal', 'he_uniform', 'he_normal', 'lecun_uniform', 'lecun_normal', 'zeros'
] as const
export type InitializerName = (typeof INITIALIZERS)[number]

interface FieldBase {
  /** One line for the editor's tooltip. */
  doc: string
}
export interface IntField extends FieldBase {
  kind: 'int'
  min: number
  max?: number
  default?: number
  /** When left out, take the value of this other field (e.g. a pool's stride defaults to its size). */
  defaultFrom?: string
}
export interface NumberField extends FieldBase {
  kind: 'number'
  min?: number
  max?: number
  /** When true, `min` itself is not allowed (e.g. eps > 0). */
  minExclusive?: boolean
  maxExclusive?: boolean
  default?: number
}
export interface BoolField extends FieldBase {
  kind: 'bool'
  default: boolean
}
export interface EnumField<V extends string = string> extends FieldBase {
  kind: 'enum'
  values: readonly V[]
  default?: V
}
export interface PaddingField extends FieldBase {
  kind: 'padding'
  default: Padding
}
export interface InitField extends FieldBase {
  kind: 'init'
  default: InitializerName
}

export type FieldSchema = IntField | NumberField | BoolField | EnumField | PaddingField | InitField
export type FieldSchemas = Record<string, FieldSchema>

type ValueOf<F> = F extends IntField | NumberField
  ? number
  : F extends BoolField
    ? boolean
    : F extends EnumField<infer V>
      ? V
      : F extends PaddingField
        ? Padding
        : F extends InitField
          ? InitializerName
          : never

/** A layer's spec after validation: every field present, defaults filled. */
export type ResolvedFields<F extends FieldSchemas> = { -readonly [K in keyof F]: ValueOf<F[K]> }

type RequiredKeys<F extends FieldSchemas> = {
  [K in keyof F]: F[K] extends { default: unknown } ? never : F[K] extends { defaultFrom: string } ? never : K
}[keyof F]
type DefaultedKeys<F extends FieldSchemas> = Exclude<keyof F, RequiredKeys<F>>

/** A layer's spec as a person writes it: fields with defaults may be left out. */
export type WrittenFields<F extends FieldSchemas> = { [K in RequiredKeys<F>]: ValueOf<F[K]> } & {
  [K in DefaultedKeys<F>]?: ValueOf<F[K]>
}

/** Checks one field's value; returns an error message (without the layer prefix) or null. */
export function checkField(name: string, schema: FieldSchema, value: unknown): string | null {
  switch (schema.kind) {
    case 'int': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return `${name} must be an integer, got ${show(value)}`
      if (value < schema.min) return `${name} must be at least ${schema.min}, got ${value}`
      if (schema.max !== undefined && value > schema.max) return `${name} must be at most ${schema.max}, got ${value}`
      return null
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${name} must be a finite number, got ${show(value)}`
      if (schema.min !== undefined) {
        if (schema.minExclusive ? value <= schema.min : value < schema.min) {
          return `${name} must be ${schema.minExclusive ? 'greater than' : 'at least'} ${schema.min}, got ${value}`
        }
      }
      if (schema.max !== undefined) {
        if (schema.maxExclusive ? value >= schema.max : value > schema.max) {
          return `${name} must be ${schema.maxExclusive ? 'less than' : 'at most'} ${schema.max}, got ${value}`
        }
      }
      return null
    }
    case 'bool':
      return typeof value === 'boolean' ? null : `${name} must be true or false, got ${show(value)}`
    case 'enum':
      return typeof value === 'string' && schema.values.includes(value)
        ? null
        : `${name} must be one of ${schema.values.map((v) => JSON.stringify(v)).join(', ')}, got ${show(value)}`
    case 'padding':
      if (value === 'same' || value === 'valid') return null
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return null
      return `${name} must be "same", "valid" or a whole number of pixels >= 0, got ${show(value)}`
    case 'init':
      return typeof value === 'string' && (INITIALIZERS as readonly string[]).includes(value)
        ? null
        : `${name} must be one of ${INITIALIZERS.join(', ')}, got ${show(value)}`
  }
}

export function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (typeof value === 'string') return JSON.stringify(value)
  try {
    const text = JSON.stringify(value)
    return text === undefined ? String(value) : text.length > 40 ? text.slice(0, 37) + '...' : text
  } catch {
    return String(value)
  }
}
