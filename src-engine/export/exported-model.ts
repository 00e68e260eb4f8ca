/**
 * What every export format carries: the network, its weights (PyTorch state_dict names) and what is
 * known about how it was trained. The writers (onnx.ts, pytorch.ts, tatami-format.ts) take this; the
 * readers (tatami-format.ts, onnx-import.ts) give it back.
 */
import type { ResolvedNetworkSpec } from '../spec/network-spec'
import type { StateDict } from '../network'
import type { TrainConfig } from '../train/train-config'
import type { Normalizer } from '../data/normalize'

export type ExportFormat = 'onnx' | 'pytorch' | 'tatami'
export const EXPORT_FORMATS: readonly ExportFormat[] = ['onnx', 'pytorch', 'tatami']
export type WeightsChoice = 'best' | 'final'

/** Best and final metrics, as the run store keeps them (all optional). */
export interface MetricsSummary {
  bestEpoch?: number | null
  bestValAccuracy?: number | null
  bestValLoss?: number | null
  finalTrainLoss?: number | null
  finalTrainAccuracy?: number | null
  finalValLoss?: number | null
  finalValAccuracy?: number | null
  epochsCompleted?: number
  outcome?: string
}

export interface ModelSource {
  runId?: number
  runName?: string
  /** Which weights of the run these are. */
  weights?: WeightsChoice
  dataset?: string
  exportedAt?: string
}

export interface ExportedModel {
  spec: ResolvedNetworkSpec
  weights: StateDict
  /** How the run was trained (absent for a model that never trained in Tatami). */
  training: TrainConfig | null
  /** The input normalization the network expects its inputs to have gone through (fitted on the training split). */
  normalizer: Normalizer | null
  summary: MetricsSummary | null
  source: ModelSource
}
