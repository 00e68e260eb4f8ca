import { createAllocator, formatShape, sameShape, sizeOf, type Allocator, type DType, type FloatArray, type Tensor } from './core/tensor'
import { createRng, type Rng } from './core/rng'
import type { Kernels } from './kernels/kernels'
import { jsKernels } from './kernels/js/index'
import type { Layer, Mode } from './layers/layer'
import { layerDefinition, type ResolvedLayer } from './layers/registry'
import { analyzeNetwork, SpecValidationError, type LayerInfo, type NetworkSpec, type ResolvedNetworkSpec } from './spec/network-spec'
import type { InitializerName } from './spec/fields'
import { constantStatistics, fillFromStatistics, initStatistics, type ConcreteInitializer } from './init/initializers'

export interface NetworkOptions {
  /** Seed for a fresh RNG; ignored when `rng` is given. Default 0. */
  seed?: number
  /** The run's single RNG: initialization draws from it first, then dropout. */
  rng?: Rng
  dtype?: DType
  kernels?: Kernels
  /** What a layer's init 'auto' means when no activation follows it (default xavier_normal). */
  initializer?: Exclude<InitializerName, 'auto'>
  /** Also compute dL/d(input) in backward (gradient checks, saliency); off by default to save work. */
  inputGrad?: boolean
}

/** A parameter with its PyTorch state_dict name, e.g. "0.weight" or "4.bn.running_mean". */
export interface NamedParam {
  name: string
  layer: number
  value: Tensor
  grad: Tensor
  decay: boolean
}

export interface NamedBuffer {
  name: string
  layer: number
  value: Tensor
}

export interface StateEntry {
  shape: number[]
  data: FloatArray | number[]
}
export type StateDict = Record<string, StateEntry>

export interface ForwardOptions {
  /**
   * Stop before a final softmax layer and return its input (the logits), for the fused
   * softmax–cross-entropy loss. Has no effect when the network does not end in softmax.
   */
  logits?: boolean
}

export interface Network {
  readonly spec: ResolvedNetworkSpec
  readonly inputShape: readonly number[]
  readonly outputShape: readonly number[]
  readonly layerInfo: readonly LayerInfo[]
  readonly dtype: DType
  readonly kernels: Kernels
  readonly rng: Rng
  readonly allocator: Allocator
  /** True when the last layer is softmax (its input are logits). */
  readonly endsWithSoftmax: boolean
  params(): NamedParam[]
  buffers(): NamedBuffer[]
  /** x: [N, ...inputShape] -> [N, ...outputShape]. The result is owned by the network until the next forward. */
  forward(x: Tensor, mode: Mode, options?: ForwardOptions): Tensor
  /** dy: gradient of the loss w.r.t. forward's output (same options as that forward). Returns dL/dx when the network was created with inputGrad, else null. */
  backward(dy: Tensor, options?: ForwardOptions): Tensor | null
  zeroGrad(): void
  /** An eval-mode forward pass that returns a copy of every layer's output, in order (feature maps). */
  trace(x: Tensor): Tensor[]
  /** Copies of every parameter and buffer, in PyTorch state_dict order. */
  stateDict(): StateDict
  /** Loads weights by name; every key must be present with the right shape (strict). */
  loadStateDict(state: StateDict): void
}

export function createNetwork(specInput: NetworkSpec | ResolvedNetworkSpec | unknown, options: NetworkOptions = {}): Network {
  const analysis = analyzeNetwork(specInput)
  if (!analysis.ok || !analysis.spec) throw new SpecValidationError(analysis.issues)
  const spec = analysis.spec
  const dtype = options.dtype ?? 'float32'
  const kernels = options.kernels ?? jsKernels
  const alloc = kernels.createAllocator?.(dtype) ?? createAllocator(dtype)
  const rng = options.rng ?? createRng(options.seed ?? 0)
  const fallbackInit = options.initializer ?? 'xavier_normal'

  // The first layer computes dL/dx only when asked: nobody else needs the gradient of the data.
  const layers: Layer[] = spec.layers.map((layerSpec, index) => {
    const def = layerDefinition(layerSpec.type)
    const ctx = { alloc, kernels, rng, dtype, needInputGrad: index > 0 || options.inputGrad === true }
    return def.create(layerSpec as never, analysis.layers[index].inputShape, ctx)
  })

  const named: NamedParam[] = []
  const buffers: NamedBuffer[] = []
  const order: { name: string; tensor: Tensor }[] = []
  layers.forEach((layer, index) => {
    for (const p of layer.params()) {
      const name = `${index}.${p.name}`
      named.push({ name, layer: index, value: p.value, grad: p.grad, decay: p.decay })
      order.push({ name, tensor: p.value })
      const init = p.init
      if (init.kind === 'weight') {
        const chosen = init.initializer === 'auto' ? autoInitializer(spec.layers, index, fallbackInit) : init.initializer
        fillFromStatistics(p.value.data, initStatistics(chosen as ConcreteInitializer, init.fanIn, init.fanOut), rng)
      } else {
        fillFromStatistics(p.value.data, constantStatistics(init.kind === 'ones' ? 1 : 0), rng)
      }
    }
    for (const b of layer.buffers()) {
      const name = `${index}.${b.name}`
      buffers.push({ name, layer: index, value: b.value })
      order.push({ name, tensor: b.value })
    }
  })

  const last = spec.layers.length - 1
  const endsWithSoftmax = spec.layers[last].type === 'softmax'
  const inputShape = spec.input.shape

  function checkInput(x: Tensor): void {
    const perSample = x.shape.slice(1)
    if (x.shape.length < 1 || !sameShape(perSample, inputShape) || x.data.length !== sizeOf(x.shape)) {
      throw new Error(
        `network input must be [N, ${formatShape(inputShape)}], got [${x.shape.join(', ')}] with ${x.data.length} values`
      )
    }
  }

  return {
    spec,
    inputShape,
    outputShape: analysis.outputShape!,
    layerInfo: analysis.layers,
    dtype,
    kernels,
    rng,
    allocator: alloc,
    endsWithSoftmax,
    params: () => named,
    buffers: () => buffers,
    forward(x, mode, opts) {
      checkInput(x)
      const end = opts?.logits && endsWithSoftmax ? last : last + 1
      let h = x
      for (let i = 0; i < end; i++) h = layers[i].forward(h, mode)
      return h
    },
    backward(dy, opts) {
      const end = opts?.logits && endsWithSoftmax ? last : last + 1
      let g: Tensor | null = dy
      for (let i = end - 1; i >= 0 && g; i--) g = layers[i].backward(g)
      return g
    },
    zeroGrad() {
      for (const p of named) p.grad.data.fill(0)
    },
    trace(x) {
      checkInput(x)
      const outputs: Tensor[] = []
      let h = x
      for (const layer of layers) {
        h = layer.forward(h, 'eval')
        outputs.push({ shape: h.shape.slice(), data: h.data.slice() })
      }
      return outputs
    },
    stateDict() {
      const out: StateDict = {}
      for (const { name, tensor } of order) out[name] = { shape: tensor.shape.slice(), data: tensor.data.slice() }
      return out
    },
    loadStateDict(state) {
      const expected = new Set(order.map((o) => o.name))
      const missing = order.filter((o) => !(o.name in state)).map((o) => o.name)
      const unexpected = Object.keys(state).filter((k) => !expected.has(k))
      if (missing.length || unexpected.length) {
        throw new Error(
          `state dict does not match the network:` +
            (missing.length ? ` missing ${missing.join(', ')};` : '') +
            (unexpected.length ? ` unexpected ${unexpected.join(', ')};` : '')
        )
      }
      for (const { name, tensor } of order) {
        const entry = state[name]
        if (!sameShape(entry.shape, tensor.shape) || entry.data.length !== tensor.data.length) {
          throw new Error(`state dict entry ${name}: expected shape ${formatShape(tensor.shape)}, got ${formatShape(entry.shape)} with ${entry.data.length} values`)
        }
        for (let i = 0; i < entry.data.length; i++) {
          const v = entry.data[i]
          if (!Number.isFinite(v)) throw new Error(`state dict entry ${name}: value ${i} is ${v}`)
        }
        tensor.data.set(entry.data)
      }
    }
  }
}

/** 'auto' looks past normalization, dropout and pooling to the activation that consumes the layer's output. */
function autoInitializer(layers: readonly ResolvedLayer[], index: number, fallback: Exclude<InitializerName, 'auto'>): InitializerName {
  for (let i = index + 1; i < layers.length; i++) {
    const def = layerDefinition(layers[i].type)
    if (def.autoInitializer) return def.autoInitializer(layers[i] as never)
    if (def.group === 'convolution' || def.group === 'dense' || def.group === 'output') break
  }
  return fallback
}
