/**
 * Pure edits of a network spec or training config that studies are made of: take regularization out,
 * put dropout or a normalization layer in, swap activations. Each returns a new object.
 */
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { LayerSpec } from '../../src-engine/layers/registry'
import type { TrainConfig } from '../../src-engine/train/train-config'

export type NormalizationKind = 'batch' | 'layer' | 'instance' | 'group'
export const ACTIVATION_TYPES = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'swish', 'mish', 'frelu'] as const
export type ActivationType = (typeof ACTIVATION_TYPES)[number]
const NORMALIZATION_TYPES = new Set(['batchnorm', 'layernorm', 'instancenorm', 'groupnorm'])

function withLayers(network: NetworkSpec, layers: LayerSpec[]): NetworkSpec {
  return { ...structuredClone(network), layers }
}

/** The network and config with every regularizer removed: dropout and normalization layers, weight decay, augmentation, early stopping. */
export function stripRegularization(network: NetworkSpec, training: TrainConfig): { network: NetworkSpec; training: TrainConfig } {
  const layers = network.layers.filter((l) => l.type !== 'dropout' && !NORMALIZATION_TYPES.has(l.type))
  const t = structuredClone(training)
  delete t.optimizer.weightDecay
  delete t.augmentation
  delete t.earlyStopping
  return { network: withLayers(network, structuredClone(layers)), training: t }
}

/** The network without its normalization layers (dropout and everything else kept). */
export function removeNormalization(network: NetworkSpec): NetworkSpec {
  return withLayers(network, structuredClone(network.layers.filter((l) => !NORMALIZATION_TYPES.has(l.type))))
}

/**
 * Dropout before every dense layer but the first (that is, on the hidden features the classifier
 * reads); a network with a single dense layer gets it before that one.
 */
export function insertDropout(network: NetworkSpec, rate: number): NetworkSpec {
  const denseAt = network.layers.flatMap((l, i) => (l.type === 'dense' ? [i] : []))
  if (denseAt.length === 0) throw new Error('dropout needs a dense layer to go before; this network has none')
  const before = new Set(denseAt.length === 1 ? denseAt : denseAt.slice(1))
  const layers: LayerSpec[] = []
  network.layers.forEach((l, i) => {
    if (before.has(i)) layers.push({ type: 'dropout', rate })
    layers.push(structuredClone(l))
  })
  return withLayers(network, layers)
}

/** Largest of 8, 4, 2 that divides the channels (and leaves at least 2 per group), else 1. */
export function groupsFor(channels: number): number {
  for (const g of [8, 4, 2]) if (channels % g === 0 && channels / g >= 2) return g
  return 1
}

function normLayer(kind: NormalizationKind, channels: number): LayerSpec {
  switch (kind) {
    case 'batch':
      return { type: 'batchnorm' }
    case 'layer':
      return { type: 'layernorm' }
    case 'instance':
      return { type: 'instancenorm' }
    case 'group':
      return { type: 'groupnorm', groups: groupsFor(channels) }
  }
}

/**
 * A normalization layer after every convolution (before its activation). Networks without
 * convolutions get batch or layer normalization after every hidden dense layer instead; instance and
 * group normalization need feature maps, so they are refused there.
 */
export function insertNormalization(network: NetworkSpec, kind: NormalizationKind): NetworkSpec {
  const hasConv = network.layers.some((l) => l.type === 'conv2d')
  if (!hasConv && (kind === 'instance' || kind === 'group')) {
    throw new Error(`${kind} normalization needs convolution layers (feature maps); this network has none`)
  }
  const denseAt = network.layers.flatMap((l, i) => (l.type === 'dense' ? [i] : []))
  const hiddenDense = new Set(denseAt.slice(0, -1))
  const layers: LayerSpec[] = []
  network.layers.forEach((l, i) => {
    layers.push(structuredClone(l))
    if (l.type === 'conv2d') layers.push(normLayer(kind, l.filters))
    else if (!hasConv && l.type === 'dense' && hiddenDense.has(i)) layers.push(normLayer(kind, l.units))
  })
  return withLayers(network, layers)
}

/** Every activation layer (not softmax) becomes `activation`. */
export function replaceActivations(network: NetworkSpec, activation: ActivationType): NetworkSpec {
  const kinds = new Set<string>(ACTIVATION_TYPES)
  if (!network.layers.some((l) => kinds.has(l.type))) throw new Error('this network has no activation layers to swap')
  return withLayers(
    network,
    network.layers.map((l) => (kinds.has(l.type) ? ({ type: activation } as LayerSpec) : structuredClone(l)))
  )
}

/** Sets a dotted path (e.g. 'optimizer.lr') in a copy of the config, creating objects on the way. */
export function setConfigPath(training: TrainConfig, path: string, value: unknown): TrainConfig {
  const keys = path.split('.')
  if (keys.some((k) => k === '' || k === '__proto__' || k === 'constructor' || k === 'prototype')) throw new Error(`"${path}" is not a usable config path`)
  const copy = structuredClone(training) as unknown as Record<string, unknown>
  let obj = copy
  for (const k of keys.slice(0, -1)) {
    const next = obj[k]
    if (next === undefined) obj[k] = {}
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new Error(`"${path}": ${k} is not an object in the training config`)
    obj = obj[k] as Record<string, unknown>
  }
  obj[keys.at(-1)!] = value
  return copy as unknown as TrainConfig
}
