/**
 * Studies: a base network + training config and a set of variants launched together as one experiment,
 * every variant on the same data split and with the same seeds, so the comparison is fair.
 * Types only (no Node imports): shared by the service, the contract and the renderer.
 */
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'

export const STUDY_KINDS = ['regularization', 'training-size', 'optimizer', 'init-activation', 'normalization', 'grid'] as const
export type StudyKind = (typeof STUDY_KINDS)[number]

/** A grid sweep axis: a dotted path into the TrainConfig (e.g. 'optimizer.lr', 'dataset.trainSize') and its values. */
export interface GridAxis {
  path: string
  values: (number | string | boolean)[]
}

export interface StudyRequest {
  kind: StudyKind
  name?: string
  base: { network: NetworkSpec; training: TrainConfig }
  /** Seeds per variant (1 = no repeats); repeats use seeds base.seed, base.seed+1, … in every variant. */
  repeats?: number
  /** For 'grid': the axes; every combination becomes a variant. */
  grid?: GridAxis[]
  /** For 'training-size': sizes to try (default 250, 500, 1000, 2000, 8000, capped by the dataset). */
  trainSizes?: number[]
}

export interface StudyVariant {
  /** Short label for legends and tables, e.g. "dropout 0.5". */
  label: string
  /** What differs from the study's baseline, in words, e.g. ["dropout 0.5 before each dense layer"]. */
  changes: string[]
  network: NetworkSpec
  training: TrainConfig
}

/** What is stored with the experiment so the study can be shown again. */
export interface StudyDefinition {
  kind: StudyKind
  /** The column that differs between variants (shown first in the ranking). */
  factor: string
  repeats: number
  variants: { label: string; changes: string[]; runIds: number[] }[]
}

export interface StudyPreview {
  name: string
  factor: string
  variants: StudyVariant[]
  repeats: number
  runs: number
  /** Estimated wall time of the whole study at the backend's concurrency, in seconds. */
  estimatedSeconds: number
  /** How the estimate was made (measured throughput or the default). */
  estimateBasis: string
}

/** One variant's outcome, averaged over its seeds. */
export interface VariantResult {
  label: string
  runIds: number[]
  /** Runs finished / all runs of the variant. */
  finished: number
  finalTrainAccuracy: number | null
  finalValAccuracy: number | null
  bestValAccuracy: number | null
  bestValAccuracyStd: number | null
  /** Train − validation accuracy at the last epoch, in percentage points. */
  finalGapPoints: number | null
  finalGapPointsStd: number | null
  /** Train − validation loss at the last epoch. */
  finalLossGap: number | null
  bestEpoch: number | null
  /** Epoch where early stopping ended the run, when it did. */
  stoppedEarlyAt: number | null
  seconds: number | null
}

/** One epoch of a run: accuracies as fractions (0–1). */
export interface EpochPoint {
  epoch: number
  trainLoss: number | null
  trainAccuracy: number | null
  valLoss: number | null
  valAccuracy: number | null
}

export interface StudyRun {
  runId: number
  variant: string
  seed: number
  status: string
  bestEpoch: number | null
  /** Per-epoch metrics so far. */
  epochs: EpochPoint[]
}

export interface StudyListItem {
  experimentId: number
  name: string
  kind: StudyKind
  createdAt: number
  runs: number
  finished: number
}

export interface StudyReport {
  experimentId: number
  name: string
  definition: StudyDefinition
  runs: StudyRun[]
  results: VariantResult[]
  /** Variant labels, best validation accuracy first. */
  ranking: string[]
  /** Sentences computed from the results, e.g. "dropout 0.5 cut the final gap from 9.8 to 3.1 points …". */
  summary: string[]
}
