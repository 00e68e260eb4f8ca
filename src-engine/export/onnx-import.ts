/**
 * Reads back ONNX files that Tatami exported. The network comes from the NetworkSpec in metadata_props
 * and the weights from the initializers with the state_dict names; the graph must be exactly the one
 * the exporter writes for that spec. Any other file is refused with a message naming the operator
 * and node (a foreign operator), or what is missing.
 */
import { analyzeNetwork } from '../spec/network-spec'
import { createNetwork, type StateDict } from '../network'
import type { ExportedModel } from './exported-model'
import { decodeOnnxModel, ONNX_FLOAT, type OnnxTensor } from './onnx-proto'
import { buildOnnxGraph, EXPORTED_OPS, META, META_FORMAT_VALUE } from './onnx'
import { ModelFileError } from './tatami-format'

export function importOnnx(bytes: Uint8Array, what = 'ONNX file'): ExportedModel {
  const model = decodeOnnxModel(bytes, what)
  const nodes = model.graph.node
  const supported = new Set<string>(EXPORTED_OPS)
  nodes.forEach((node, index) => {
    const domain = node.domain ?? ''
    if (!supported.has(node.opType) || (domain !== '' && domain !== 'ai.onnx')) {
      const op = domain && domain !== 'ai.onnx' ? `${domain}.${node.opType}` : node.opType
      throw new ModelFileError(`${what}: unsupported operator ${op} at node ${index}${node.name ? ` (${node.name})` : ''}`)
    }
  })
  const meta = new Map(model.metadataProps.map((p) => [p.key, p.value]))
  const specText = meta.get(META.spec)
  if (meta.get(META.format) !== META_FORMAT_VALUE || !specText) {
    throw new ModelFileError(
      `${what}: not exported by Tatami (no ${META.spec} in metadata_props); only ONNX files exported by Tatami can be imported`
    )
  }
  const analysis = analyzeNetwork(parseJson(specText, META.spec, what))
  if (!analysis.ok || !analysis.spec) throw new ModelFileError(`${what}: invalid network spec in metadata: ${analysis.issues.map((i) => i.message).join('; ')}`)
  const spec = analysis.spec

  // Weights: every state_dict entry from the initializer of the same name (element count checked; the
  // exporter may store a broadcast shape, e.g. group norm's [C,1,1]); counters from the metadata.
  const inits = new Map(model.graph.initializer.map((t) => [t.name, t]))
  const counters = (parseJson(meta.get(META.counters) ?? '{}', META.counters, what) ?? {}) as Record<string, number>
  const network = createNetwork(spec)
  const template = network.stateDict()
  const weights: StateDict = {}
  for (const [name, entry] of Object.entries(template)) {
    if (name.endsWith('num_batches_tracked')) {
      weights[name] = { shape: entry.shape, data: Float32Array.of(Number(counters[name] ?? 0)) }
      continue
    }
    const init = inits.get(name)
    if (!init) throw new ModelFileError(`${what}: initializer ${name} is missing`)
    const data = floatsOf(init, what)
    if (data.length !== entry.data.length) {
      throw new ModelFileError(`${what}: initializer ${name} has ${data.length} values, the network needs ${entry.data.length} (shape ${entry.shape.join('×')})`)
    }
    weights[name] = { shape: entry.shape, data }
  }

  try {
    network.loadStateDict(weights)
  } catch (err) {
    throw new ModelFileError(`${what}: the weights do not fit the network: ${(err as Error).message}`)
  }

  // The graph must be the one the exporter writes for this spec: same operators in the same order.
  const expected = buildOnnxGraph({ spec, weights }).nodes
  const count = Math.max(expected.length, nodes.length)
  for (let i = 0; i < count; i++) {
    if (expected[i]?.opType !== nodes[i]?.opType) {
      throw new ModelFileError(
        `${what}: the graph does not match its ${META.spec} at node ${i}: expected ${expected[i]?.opType ?? 'the end of the graph'}, found ${nodes[i]?.opType ?? 'the end of the graph'}`
      )
    }
  }
  return {
    spec,
    weights,
    training: (parseJson(meta.get(META.training) ?? 'null', META.training, what) ?? null) as ExportedModel['training'],
    normalizer: (parseJson(meta.get(META.normalizer) ?? 'null', META.normalizer, what) ?? null) as ExportedModel['normalizer'],
    summary: (parseJson(meta.get(META.summary) ?? 'null', META.summary, what) ?? null) as ExportedModel['summary'],
    source: (parseJson(meta.get(META.source) ?? '{}', META.source, what) ?? {}) as ExportedModel['source']
  }
}

function floatsOf(t: OnnxTensor, what: string): Float32Array {
  if (t.dataType !== ONNX_FLOAT) throw new ModelFileError(`${what}: initializer ${t.name} is not float32 (data type ${t.dataType})`)
  const raw = t.rawData
  if (raw && raw.length > 0) {
    if (raw.length % 4 !== 0) throw new ModelFileError(`${what}: initializer ${t.name} has ${raw.length} raw bytes, not a whole number of float32 values`)
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
    return Float32Array.from({ length: raw.length / 4 }, (_, i) => view.getFloat32(i * 4, true))
  }
  return Float32Array.from(t.floatData ?? [])
}

function parseJson(text: string, key: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new ModelFileError(`${what}: metadata ${key} is not valid JSON (${(err as Error).message})`)
  }
}
