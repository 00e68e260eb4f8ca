/**
 * ONNX export: one standard-operator subgraph per spec layer, opset 17 (LayerNormalization is opset 17),
 * a symbolic batch dimension "batch", weights as float32 initializers under their state_dict names, and
 * the NetworkSpec, training config, normalizer and metrics in metadata_props. Inference semantics:
 * batch norm uses its running statistics and dropout is the identity, as the engine's eval mode.
 */
import { analyzeNetwork, SpecValidationError } from '../spec/network-spec'
import type { ResolvedLayer } from '../layers/registry'
import { resolveWindow } from '../layers/geometry'
import type { StateDict } from '../network'
import type { ExportedModel } from './exported-model'
import {
  ATTR_FLOAT,
  ATTR_INT,
  ATTR_INTS,
  encodeOnnxModel,
  ONNX_FLOAT,
  ONNX_INT64,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo
} from './onnx-proto'

export const ONNX_OPSET = 17
export const ONNX_IR_VERSION = 8
export const ONNX_INPUT = 'input'
export const ONNX_OUTPUT = 'output'
export const BATCH_DIM = 'batch'

/** metadata_props keys (values are JSON). */
export const META = {
  format: 'tatami.format',
  spec: 'tatami.network_spec',
  training: 'tatami.training_config',
  normalizer: 'tatami.normalizer',
  summary: 'tatami.summary',
  source: 'tatami.source',
  counters: 'tatami.num_batches_tracked'
} as const
export const META_FORMAT_VALUE = 'tatami-onnx/1'

/** Every operator the exporter emits; the importer accepts only these. */
export const EXPORTED_OPS = [
  'Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Flatten', 'Gemm', 'Sigmoid', 'Tanh', 'Relu', 'LeakyRelu', 'Elu',
  'Mul', 'Softplus', 'BatchNormalization', 'Max', 'Softmax', 'Identity', 'LayerNormalization', 'InstanceNormalization',
  'Reshape', 'Add'
] as const

class GraphBuilder {
  readonly nodes: OnnxNode[] = []
  readonly initializers: OnnxTensor[] = []
  private readonly names = new Set<string>()

  constructor(private readonly weights: StateDict) {}

  /** Adds a float initializer from the state dict entry `name`, optionally with another (broadcast) shape. */
  weight(name: string, dims?: number[]): string {
    const entry = this.weights[name]
    if (!entry) throw new Error(`ONNX export: the weights have no entry ${name}`)
    return this.floats(name, dims ?? entry.shape, entry.data)
  }

  floats(name: string, dims: number[], data: ArrayLike<number>): string {
    const values = Float32Array.from(data)
    const bytes = new Uint8Array(values.byteLength)
    const view = new DataView(bytes.buffer)
    values.forEach((v, i) => view.setFloat32(i * 4, v, true))
    this.addInit({ name, dims, dataType: ONNX_FLOAT, rawData: bytes })
    return name
  }

  int64s(name: string, values: number[]): string {
    const bytes = new Uint8Array(values.length * 8)
    const view = new DataView(bytes.buffer)
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true))
    this.addInit({ name, dims: [values.length], dataType: ONNX_INT64, rawData: bytes })
    return name
  }

  node(opType: string, name: string, input: string[], output: string, attribute: OnnxAttribute[] = []): string {
    this.nodes.push({ opType, name, input, output: [output], attribute })
    return output
  }

  private addInit(t: OnnxTensor): void {
    if (this.names.has(t.name)) throw new Error(`ONNX export: initializer ${t.name} written twice`)
    this.names.add(t.name)
    this.initializers.push(t)
  }
}

const int = (name: string, i: number): OnnxAttribute => ({ name, type: ATTR_INT, i })
const ints = (name: string, values: number[]): OnnxAttribute => ({ name, type: ATTR_INTS, ints: values })
const float = (name: string, f: number): OnnxAttribute => ({ name, type: ATTR_FLOAT, f })

/**
 * Writes layer `index` reading tensor `x` into tensor `y`. Node names are "<index>.<role>" so that the
 * importer (and a person reading the graph in Netron) can tell which spec layer a node belongs to.
 */
function emitLayer(g: GraphBuilder, layer: ResolvedLayer, index: number, input: readonly number[], x: string, y: string): void {
  const p = `${index}.`
  const n = (role: string): string => `${index}.${role}`
  switch (layer.type) {
    case 'conv2d': {
      const win = resolveWindow(input[1], input[2], layer.kernel, layer.stride, layer.padding, 'kernel')
      const inputs = [x, g.weight(p + 'weight')]
      if (layer.bias) inputs.push(g.weight(p + 'bias'))
      g.node('Conv', n('conv'), inputs, y, [
        ints('kernel_shape', [layer.kernel, layer.kernel]),
        ints('strides', [layer.stride, layer.stride]),
        ints('pads', [win.padTop, win.padLeft, win.padBottom, win.padRight]),
        ints('dilations', [1, 1]),
        int('group', 1)
      ])
      return
    }
    case 'maxpool2d':
    case 'avgpool2d': {
      const attrs = [
        ints('kernel_shape', [layer.size, layer.size]),
        ints('strides', [layer.stride, layer.stride]),
        ints('pads', [layer.padding, layer.padding, layer.padding, layer.padding])
      ]
      // The engine divides by the full window, padding included (PyTorch's count_include_pad=True).
      if (layer.type === 'avgpool2d') g.node('AveragePool', n('pool'), [x], y, [...attrs, int('count_include_pad', 1)])
      else g.node('MaxPool', n('pool'), [x], y, attrs)
      return
    }
    case 'global_avgpool': {
      const pooled = g.node('GlobalAveragePool', n('pool'), [x], n('pooled'))
      g.node('Flatten', n('flatten'), [pooled], y, [int('axis', 1)])
      return
    }
    case 'dense': {
      const inputs = [x, g.weight(p + 'weight')]
      if (layer.bias) inputs.push(g.weight(p + 'bias'))
      g.node('Gemm', n('gemm'), inputs, y, [int('transB', 1)])
      return
    }
    case 'flatten':
      g.node('Flatten', n('flatten'), [x], y, [int('axis', 1)])
      return
    case 'sigmoid':
      g.node('Sigmoid', n('sigmoid'), [x], y)
      return
    case 'tanh':
      g.node('Tanh', n('tanh'), [x], y)
      return
    case 'relu':
      g.node('Relu', n('relu'), [x], y)
      return
    case 'leaky_relu':
      g.node('LeakyRelu', n('leaky_relu'), [x], y, [float('alpha', layer.slope)])
      return
    case 'elu':
      g.node('Elu', n('elu'), [x], y, [float('alpha', layer.alpha)])
      return
    case 'swish': {
      const s = g.node('Sigmoid', n('sigmoid'), [x], n('sigmoid'))
      g.node('Mul', n('mul'), [x, s], y)
      return
    }
    case 'mish': {
      const sp = g.node('Softplus', n('softplus'), [x], n('softplus'))
      const t = g.node('Tanh', n('tanh'), [sp], n('tanh'))
      g.node('Mul', n('mul'), [x, t], y)
      return
    }
    case 'frelu': {
      // max(x, BN(DWConv3×3(x))): depthwise = one group per channel, zero padding 1, with bias.
      const channels = input[0]
      const conv = g.node('Conv', n('conv'), [x, g.weight(p + 'conv.weight'), g.weight(p + 'conv.bias')], n('funnel_conv'), [
        ints('kernel_shape', [3, 3]),
        ints('strides', [1, 1]),
        ints('pads', [1, 1, 1, 1]),
        ints('dilations', [1, 1]),
        int('group', channels)
      ])
      const bn = g.node(
        'BatchNormalization',
        n('bn'),
        [conv, g.weight(p + 'bn.weight'), g.weight(p + 'bn.bias'), g.weight(p + 'bn.running_mean'), g.weight(p + 'bn.running_var')],
        n('funnel'),
        [float('epsilon', 1e-5)]
      )
      g.node('Max', n('max'), [x, bn], y)
      return
    }
    case 'softmax':
      g.node('Softmax', n('softmax'), [x], y, [int('axis', 1)])
      return
    case 'identity':
      g.node('Identity', n('identity'), [x], y)
      return
    case 'dropout':
      // Inference: inverted dropout is the identity at evaluation time.
      g.node('Identity', n('dropout'), [x], y)
      return
    case 'batchnorm':
      g.node(
        'BatchNormalization',
        n('bn'),
        [x, g.weight(p + 'weight'), g.weight(p + 'bias'), g.weight(p + 'running_mean'), g.weight(p + 'running_var')],
        y,
        [float('epsilon', layer.eps)]
      )
      return
    case 'layernorm':
      // Over all of a sample's values: axis 1 to the end; weight and bias have the per-sample shape.
      g.node('LayerNormalization', n('ln'), [x, g.weight(p + 'weight'), g.weight(p + 'bias')], y, [int('axis', 1), float('epsilon', layer.eps)])
      return
    case 'instancenorm':
      g.node('InstanceNormalization', n('in'), [x, g.weight(p + 'weight'), g.weight(p + 'bias')], y, [float('epsilon', layer.eps)])
      return
    case 'groupnorm': {
      // [N, C, ...] → [N, G, C/G·S]: instance norm over the last axis gives each (sample, group) its own
      // mean and biased variance; back to the input's shape, then the per-channel affine.
      const channels = input[0]
      const groups = layer.groups
      const grouped = g.node('Reshape', n('group'), [x, g.int64s(p + 'groupnorm.grouped_shape', [0, groups, -1])], n('grouped'))
      const ones = g.floats(p + 'groupnorm.ones', [groups], new Array<number>(groups).fill(1))
      const zeros = g.floats(p + 'groupnorm.zeros', [groups], new Array<number>(groups).fill(0))
      const normed = g.node('InstanceNormalization', n('norm'), [grouped, ones, zeros], n('normalized'), [float('epsilon', layer.eps)])
      const back = g.node('Reshape', n('ungroup'), [normed, g.int64s(p + 'groupnorm.shape', [0, ...input])], n('ungrouped'))
      const affine = input.length === 3 ? [channels, 1, 1] : [channels]
      const scaled = g.node('Mul', n('scale'), [back, g.weight(p + 'weight', affine)], n('scaled'))
      g.node('Add', n('shift'), [scaled, g.weight(p + 'bias', affine)], y)
      return
    }
  }
}

function valueInfo(name: string, shape: readonly number[]): OnnxValueInfo {
  return {
    name,
    type: { tensorType: { elemType: ONNX_FLOAT, shape: { dim: [{ dimParam: BATCH_DIM }, ...shape.map((d) => ({ dimValue: d }))] } } }
  }
}

/** The ONNX graph of a network with the given weights (no metadata). */
export function buildOnnxGraph(model: Pick<ExportedModel, 'spec' | 'weights'>): { nodes: OnnxNode[]; initializers: OnnxTensor[]; input: OnnxValueInfo; output: OnnxValueInfo } {
  const analysis = analyzeNetwork(model.spec)
  if (!analysis.ok || !analysis.spec || !analysis.outputShape) throw new SpecValidationError(analysis.issues)
  const g = new GraphBuilder(model.weights)
  const layers = analysis.spec.layers
  let x = ONNX_INPUT
  layers.forEach((layer, i) => {
    const y = i === layers.length - 1 ? ONNX_OUTPUT : `${i}.output`
    emitLayer(g, layer, i, analysis.layers[i].inputShape, x, y)
    x = y
  })
  return { nodes: g.nodes, initializers: g.initializers, input: valueInfo(ONNX_INPUT, analysis.spec.input.shape), output: valueInfo(ONNX_OUTPUT, analysis.outputShape) }
}

/** The ONNX ModelProto bytes of an exported model. */
export function exportOnnx(model: ExportedModel, producerVersion = '0.1.0'): Uint8Array {
  const graph = buildOnnxGraph(model)
  const counters: Record<string, number> = {}
  for (const [name, entry] of Object.entries(model.weights)) {
    if (name.endsWith('num_batches_tracked')) counters[name] = Number(entry.data[0] ?? 0)
  }
  const meta: { key: string; value: string }[] = [
    { key: META.format, value: META_FORMAT_VALUE },
    { key: META.spec, value: JSON.stringify(model.spec) },
    { key: META.training, value: JSON.stringify(model.training) },
    { key: META.normalizer, value: JSON.stringify(model.normalizer) },
    { key: META.summary, value: JSON.stringify(model.summary) },
    { key: META.source, value: JSON.stringify(model.source) },
    { key: META.counters, value: JSON.stringify(counters) }
  ]
  const onnx: OnnxModel = {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'tatami',
    producerVersion,
    docString: `${model.spec.name ?? 'network'} exported by Tatami. Input: normalized NCHW float32 (see ${META.normalizer}).`,
    graph: {
      name: model.spec.name ?? 'tatami',
      node: graph.nodes,
      initializer: graph.initializers,
      input: [graph.input],
      output: [graph.output]
    },
    metadataProps: meta
  }
  return encodeOnnxModel(onnx)
}
