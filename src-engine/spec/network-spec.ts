/**
 * The NetworkSpec contract: the JSON the editor edits, runs store and the engine builds from.
 *   { "version": 1, "input": { "shape": [C, H, W] }, "layers": [ { "type": "conv2d", "filters": 6, ... }, ... ] }
 * Sequential for now; a later version may add per-layer `inputs` for skip connections, which is why
 * layers are objects in a list rather than positional tuples.
 */
import { checkField, show, type FieldSchemas } from './fields'
import { isLayerType, layerDefinition, LAYER_TYPES, type LayerSpec, type LayerType, type ResolvedLayer } from '../layers/registry'
import { ShapeError } from '../layers/layer'

export const NETWORK_SPEC_VERSION = 1

export interface NetworkSpec {
  version: 1
  /** Optional display name. */
  name?: string
  /** Per-sample input shape: [C, H, W] for images, [F] for feature vectors. */
  input: { shape: number[] }
  layers: LayerSpec[]
}

export interface ResolvedNetworkSpec {
  version: 1
  name?: string
  input: { shape: number[] }
  layers: ResolvedLayer[]
}

export interface SpecIssue {
  /** Index of the offending layer, or null for the network as a whole. */
  layer: number | null
  field: string | null
  /** Full message, e.g. `layer 3 (conv2d): kernel 5 exceeds padded input 4×4`. */
  message: string
}

export interface LayerInfo {
  index: number
  type: LayerType
  inputShape: number[]
  outputShape: number[]
  params: number
  macs: number
  formula?: string
}

export interface NetworkAnalysis {
  ok: boolean
  /** Present when ok. */
  spec: ResolvedNetworkSpec | null
  /** Shape information for every layer up to the first shape error. */
  layers: LayerInfo[]
  issues: SpecIssue[]
  totalParams: number
  totalMacs: number
  outputShape: number[] | null
}

export class SpecValidationError extends Error {
  constructor(readonly issues: SpecIssue[]) {
    super(issues.map((i) => i.message).join('\n'))
    this.name = 'SpecValidationError'
  }
}

/** Validates a spec, fills defaults and infers every layer's shape. Never throws. */
export function analyzeNetwork(raw: unknown): NetworkAnalysis {
  const issues: SpecIssue[] = []
  const fail = (): NetworkAnalysis => ({ ok: false, spec: null, layers: [], issues, totalParams: 0, totalMacs: 0, outputShape: null })
  if (!isObject(raw)) {
    issues.push({ layer: null, field: null, message: `network spec must be an object, got ${show(raw)}` })
    return fail()
  }
  if (raw.version !== NETWORK_SPEC_VERSION) {
    issues.push({ layer: null, field: 'version', message: `network spec: version must be ${NETWORK_SPEC_VERSION}, got ${show(raw.version)}` })
  }
  const inputShape = checkInputShape(raw.input, issues)
  if (!Array.isArray(raw.layers)) {
    issues.push({ layer: null, field: 'layers', message: `network spec: layers must be a list, got ${show(raw.layers)}` })
    return fail()
  }
  if (raw.layers.length === 0) issues.push({ layer: null, field: 'layers', message: 'network spec: the network has no layers' })
  if (raw.name !== undefined && typeof raw.name !== 'string') {
    issues.push({ layer: null, field: 'name', message: `network spec: name must be a string, got ${show(raw.name)}` })
  }
  const unknownTop = Object.keys(raw).filter((k) => !['version', 'name', 'input', 'layers'].includes(k))
  for (const key of unknownTop) issues.push({ layer: null, field: key, message: `network spec: unknown field "${key}"` })

  const resolved: (ResolvedLayer | null)[] = raw.layers.map((layer: unknown, index: number) => resolveLayer(layer, index, issues))

  // Shapes: run inference as far as it goes; a bad field or a shape error stops it at that layer.
  const layers: LayerInfo[] = []
  let totalParams = 0
  let totalMacs = 0
  let shape = inputShape
  let shapesComplete = inputShape !== null
  if (inputShape !== null) {
    for (let index = 0; index < resolved.length && shape; index++) {
      const spec = resolved[index]
      if (!spec) {
        shapesComplete = false
        break
      }
      const def = layerDefinition(spec.type)
      try {
        const info = def.infer(spec as never, shape)
        layers.push({ index, type: spec.type, inputShape: shape.slice(), outputShape: info.output, params: info.params, macs: info.macs, formula: info.formula })
        totalParams += info.params
        totalMacs += info.macs
        shape = info.output
      } catch (err) {
        if (!(err instanceof ShapeError)) throw err
        issues.push({ layer: index, field: err.field, message: `layer ${index} (${spec.type}): ${err.message}` })
        shapesComplete = false
        shape = null
      }
    }
  }
  const ok = issues.length === 0 && shapesComplete
  return {
    ok,
    spec: ok ? { version: 1, ...(typeof raw.name === 'string' ? { name: raw.name } : {}), input: { shape: inputShape! }, layers: resolved as ResolvedLayer[] } : null,
    layers,
    issues,
    totalParams,
    totalMacs,
    outputShape: ok ? shape : null
  }
}

/** Validates and resolves a spec; throws SpecValidationError listing every problem. */
export function parseNetworkSpec(raw: unknown): ResolvedNetworkSpec {
  const analysis = analyzeNetwork(raw)
  if (!analysis.ok || !analysis.spec) throw new SpecValidationError(analysis.issues)
  return analysis.spec
}

function checkInputShape(input: unknown, issues: SpecIssue[]): number[] | null {
  const shape = isObject(input) ? input.shape : undefined
  const valid =
    Array.isArray(shape) &&
    (shape.length === 1 || shape.length === 3) &&
    shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1 && d <= 100000)
  if (!valid) {
    issues.push({
      layer: null,
      field: 'input',
      message: `network spec: input.shape must be [C, H, W] or [F] with positive whole numbers, got ${show(shape ?? input)}`
    })
    return null
  }
  return (shape as number[]).slice()
}

function resolveLayer(layer: unknown, index: number, issues: SpecIssue[]): ResolvedLayer | null {
  if (!isObject(layer)) {
    issues.push({ layer: index, field: null, message: `layer ${index}: must be an object with a "type", got ${show(layer)}` })
    return null
  }
  const type = layer.type
  if (!isLayerType(type)) {
    const hint = typeof type === 'string' ? suggest(type, LAYER_TYPES) : null
    issues.push({
      layer: index,
      field: 'type',
      message: `layer ${index}: unknown type ${show(type)}${hint ? ` (did you mean "${hint}"?)` : ''}; known types: ${LAYER_TYPES.join(', ')}`
    })
    return null
  }
  const fields: FieldSchemas = layerDefinition(type).fields
  const out: Record<string, unknown> = { type }
  let ok = true
  for (const [name, schema] of Object.entries(fields)) {
    const value = layer[name]
    if (value === undefined) {
      if (schema.kind === 'int' && schema.defaultFrom !== undefined) {
        // Resolved after the loop, once the field it copies is known to be valid.
        continue
      }
      if ('default' in schema && schema.default !== undefined) {
        out[name] = schema.default
        continue
      }
      issues.push({ layer: index, field: name, message: `layer ${index} (${type}): ${name} is required (${schema.doc})` })
      ok = false
      continue
    }
    const problem = checkField(name, schema, value)
    if (problem) {
      issues.push({ layer: index, field: name, message: `layer ${index} (${type}): ${problem}` })
      ok = false
    } else {
      out[name] = value
    }
  }
  for (const [name, schema] of Object.entries(fields)) {
    if (schema.kind === 'int' && schema.defaultFrom !== undefined && layer[name] === undefined) out[name] = out[schema.defaultFrom]
  }
  for (const key of Object.keys(layer)) {
    if (key === 'type' || key in fields) continue
    const hint = suggest(key, Object.keys(fields))
    issues.push({
      layer: index,
      field: key,
      message: `layer ${index} (${type}): unknown field "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`
    })
    ok = false
  }
  return ok ? (out as ResolvedLayer) : null
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The closest known name within edit distance 2, for "did you mean" hints. */
function suggest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null
  let bestDistance = 3
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase())
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  return best
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length]
}
