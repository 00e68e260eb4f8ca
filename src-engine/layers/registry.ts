import type { LayerDefinition, ResolvedLayerSpec, WrittenLayerSpec } from './layer'
import type { FieldSchemas } from '../spec/fields'
import { conv2dLayer } from './conv2d'
import { maxPool2dLayer } from './maxpool2d'
import { avgPool2dLayer } from './avgpool2d'
import { globalAvgPoolLayer } from './global-avgpool'
import { denseLayer } from './dense'
import { flattenLayer } from './flatten'
import { sigmoidLayer } from './sigmoid'
import { tanhLayer } from './tanh'
import { reluLayer } from './relu'
import { leakyReluLayer } from './leaky-relu'
import { eluLayer } from './elu'
import { swishLayer } from './swish'
import { mishLayer } from './mish'
import { freluLayer } from './frelu'
import { softmaxLayer } from './softmax'
import { identityLayer } from './identity'
import { batchNormLayer } from './batchnorm'
import { layerNormLayer } from './layernorm'
import { instanceNormLayer } from './instancenorm'
import { groupNormLayer } from './groupnorm'
import { dropoutLayer } from './dropout'

/**
 * Every layer the engine has, keyed by the spec's `type`. Adding a layer is one file plus one line here;
 * a compile-time check below makes each key and its definition's type agree.
 */
export const layerRegistry = {
  conv2d: conv2dLayer,
  maxpool2d: maxPool2dLayer,
  avgpool2d: avgPool2dLayer,
  global_avgpool: globalAvgPoolLayer,
  dense: denseLayer,
  flatten: flattenLayer,
  sigmoid: sigmoidLayer,
  tanh: tanhLayer,
  relu: reluLayer,
  leaky_relu: leakyReluLayer,
  elu: eluLayer,
  swish: swishLayer,
  mish: mishLayer,
  frelu: freluLayer,
  softmax: softmaxLayer,
  identity: identityLayer,
  batchnorm: batchNormLayer,
  layernorm: layerNormLayer,
  instancenorm: instanceNormLayer,
  groupnorm: groupNormLayer,
  dropout: dropoutLayer
} as const satisfies Record<string, LayerDefinition>

// Compile-time check that every key equals its definition's `type`.
type KeysMatch<R> = { [K in keyof R]: R[K] extends { type: K } ? true : false }[keyof R]
const keysMatch: KeysMatch<typeof layerRegistry> extends true ? true : never = true
void keysMatch

export type LayerRegistry = typeof layerRegistry
export type LayerType = keyof LayerRegistry
/** A layer as written in a NetworkSpec (fields with defaults may be left out). */
export type LayerSpec = { [K in LayerType]: WrittenLayerSpec<LayerRegistry[K]> }[LayerType]
/** A layer after validation, every field present. */
export type ResolvedLayer = { [K in LayerType]: ResolvedLayerSpec<LayerRegistry[K]> }[LayerType]

export const LAYER_TYPES = Object.keys(layerRegistry) as LayerType[]

export function isLayerType(type: unknown): type is LayerType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(layerRegistry, type)
}

/** The definition for a type, typed loosely for generic code (validation, editor forms). */
export function layerDefinition(type: LayerType): LayerDefinition<string, FieldSchemas> {
  return layerRegistry[type] as unknown as LayerDefinition<string, FieldSchemas>
}
