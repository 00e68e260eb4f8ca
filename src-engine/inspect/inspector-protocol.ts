/**
 * Messages between the main process and the inspector process, which runs the forward passes and data
 * reads of the "look inside" views so the main process never does. One union each way, plain data.
 */
import type { NetworkSpec } from '../spec/network-spec'
import type { TrainConfig } from '../train/train-config'
import type { StateDict } from '../network'
import type { SerializedError } from '../protocol'

/** A model to run. The same key must always mean the same network, training config and weights. */
export interface InspectorModel {
  key: string
  network: NetworkSpec
  training: TrainConfig
  weights: StateDict
}

export type InspectorInput = { kind: 'sample'; index: number } | { kind: 'pixels'; pixels: number[] }

export type ToInspector =
  /** Where datasets are found; sent once, before any request. */
  | { type: 'configure'; resourcesDir?: string; datasetsDir?: string }
  /** Without `model`, the inspector uses its cached model of that key or answers 'missing-model'. */
  | { type: 'forward'; id: number; modelKey: string; model?: InspectorModel; input: InspectorInput }
  /** Raw pixels of validation samples of the run trained with `training`. */
  | { type: 'samples'; id: number; training: TrainConfig; indices: number[] }

export interface LayerOutput {
  layer: number
  type: string
  shape: number[]
  values: number[]
}

export interface ForwardResult {
  /** The network's input after the run's normalization, CHW. */
  input: number[]
  inputShape: number[]
  layers: LayerOutput[]
  scores: number[]
  predicted: number
  scoreKind: 'probability' | 'output'
  /** The true label, for a validation sample. */
  label?: number
}

export interface SamplesResult {
  shape: number[]
  samples: { index: number; label: number; pixels: number[] }[]
}

export type FromInspector =
  | { type: 'ready' }
  | { type: 'forward'; id: number; result: ForwardResult }
  | { type: 'samples'; id: number; result: SamplesResult }
  | { type: 'missing-model'; id: number }
  | { type: 'error'; id: number; error: SerializedError }
