/** Row shapes the store returns (camelCase, JSON columns parsed). */
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'
import type { RUN_STATUSES } from './migrations'

export type RunStatus = (typeof RUN_STATUSES)[number]
export type MetricSplit = 'train' | 'val'
export type CheckpointKind = 'latest' | 'best'

/** Best and final metrics of a run; all optional so a partial run can have a partial summary. */
export interface RunSummary {
  bestValAccuracy?: number | null
  bestValLoss?: number | null
  finalTrainLoss?: number | null
  finalTrainAccuracy?: number | null
  finalValLoss?: number | null
  finalValAccuracy?: number | null
  epochsCompleted?: number
  /** e.g. 'completed', 'early_stopped', 'diverged'. */
  outcome?: string
  /** From the engine's start report: what a progress bar and ETA need, and the kernel backend used. */
  stepsPerEpoch?: number
  trainSize?: number
  validationSize?: number
  parameterCount?: number
  backend?: string
}

/** An error as plain data (what the engine process sends). */
export interface RunErrorInfo {
  name: string
  message: string
  stack?: string
}

export interface NewRun {
  name: string
  network: NetworkSpec
  training: TrainConfig
  experimentId?: number | null
  parentRunId?: number | null
  tags?: string[]
  notes?: string
}

export interface RunRecord {
  id: number
  experimentId: number | null
  parentRunId: number | null
  name: string
  status: RunStatus
  createdAt: number
  startedAt: number | null
  finishedAt: number | null
  network: NetworkSpec
  training: TrainConfig
  seed: number
  dataset: string
  summary: RunSummary | null
  bestEpoch: number | null
  error: RunErrorInfo | null
  notes: string
  tags: string[]
}

export type RunSortKey = 'created' | 'name' | 'status' | 'bestValAccuracy' | `hp:${string}`

export interface ListRunsQuery {
  status?: RunStatus | RunStatus[]
  tag?: string
  experimentId?: number
  /** Case-insensitive substring of the name, notes or dataset. */
  search?: string
  /** Hyperparameter equality filters, e.g. { 'optimizer.type': 'adam', 'dataset.trainSize': 500 }. */
  hyperparameters?: Record<string, string | number | boolean>
  /** 'hp:optimizer.lr' sorts by a hyperparameter (numerically when numeric). Default 'created'. */
  sortBy?: RunSortKey
  /** Default 'desc' for 'created' and 'bestValAccuracy', 'asc' otherwise. */
  order?: 'asc' | 'desc'
  limit?: number
  offset?: number
}

export interface MetricRow {
  step: number
  epoch: number
  split: MetricSplit
  /** e.g. 'loss', 'accuracy', 'lr'. */
  name: string
  /** NaN is stored as null (a diverged run). */
  value: number | null
  elapsedMs?: number
}

export interface MetricPoint {
  step: number
  epoch: number
  value: number | null
  elapsedMs: number
}

export interface StoredCheckpoint {
  runId: number
  kind: CheckpointKind
  epoch: number
  step: number
  bytes: Uint8Array
  createdAt: number
}

export interface StoredArtifact {
  runId: number
  kind: string
  bytes: Uint8Array
  createdAt: number
}

export interface HyperparameterDiff {
  key: string
  /** One entry per requested run, in the order asked; value null when the run lacks the key. */
  values: { runId: number; value: string | null; numeric: number | null }[]
}

export interface NetworkRecord {
  id: number
  name: string
  version: number
  spec: NetworkSpec
  createdAt: number
}

export interface NetworkListItem {
  name: string
  /** The latest version's id, number and time. */
  id: number
  latestVersion: number
  createdAt: number
  versions: number
}

export interface ExperimentRecord {
  id: number
  name: string
  kind: string
  createdAt: number
  /** What the experiment is (for studies: a StudyDefinition), parsed from JSON; null when not recorded. */
  definition: unknown
}

/** What a run recorded at one validated epoch end (src-engine/train/insight.ts), as stored. */
export interface InsightRecord {
  epoch: number
  classes: number
  scoreKind: 'probability' | 'output'
  k: number
  /** counts[t * classes + p] */
  confusion: Int32Array
  /** True class per validation sample. */
  labels: Uint16Array
  topLabels: Uint16Array
  topScores: Float32Array
  histograms: InsightHistograms
  /** When it was stored (ms since 1970); set by the store. */
  createdAt?: number
}

/** Per parameter: histograms of its values and of its last-step gradient. */
export type InsightHistograms = {
  name: string
  layer: number
  weights: { min: number; max: number; mean: number; std: number; counts: number[] }
  gradients: { min: number; max: number; mean: number; std: number; counts: number[] }
}[]
