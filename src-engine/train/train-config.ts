/**
 * The TrainConfig contract: everything about a run except the network. Stored with every run,
 * validated at every boundary; errors name the field (`training.batchSize must be ...`).
 */
import { LOSS_NAMES, type LossName } from '../losses/loss'
import { resolveOptimizerConfig, validateOptimizerConfig, type OptimizerConfig } from '../optim/optimizer'
import { validateSchedule, type LrSchedule, type Warmup } from '../optim/schedule'
import { validateAugmentation, type Augmentation } from '../data/augment'
import type { InputNormalization } from '../data/normalize'
import { INITIALIZERS, show, type InitializerName } from '../spec/fields'

export const TRAIN_CONFIG_VERSION = 1

export interface DatasetChoice {
  /** 'mnist-10k' (bundled digits), 'shapes' (generated), or an imported dataset's id. */
  id: string
  /** Samples held out for validation (taken before trainSize). Default 2000 or 20%, see resolve. */
  validationSize?: number
  /** Use only this many training samples (e.g. 500 to provoke overfitting). Default: all the rest. */
  trainSize?: number
  /** Equal class counts in the training subset, class proportions kept in validation. Default true. */
  stratified?: boolean
  /** Seed of the split; default 0, so runs with different training seeds still share one split. */
  splitSeed?: number
  /**
   * SHA-256 of the dataset's content, recorded when a run is created so the run says exactly what it
   * trained on; the engine refuses to train when the data it finds has another hash.
   */
  hash?: string
  /** The dataset's title when the run was created (for people; not checked). */
  title?: string
}

export interface EarlyStopping {
  metric: 'val_loss' | 'val_accuracy'
  /** Epochs without improvement before stopping. */
  patience: number
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number
  /** Put back the weights of the best epoch when stopping (and at the end). Default true. */
  restoreBest?: boolean
}

export interface TrainConfig {
  version: 1
  dataset: DatasetChoice
  epochs: number
  batchSize: number
  optimizer: OptimizerConfig
  schedule?: LrSchedule
  warmup?: Warmup
  loss: LossName
  /** Default initializer for layers whose init is 'auto' and that no activation follows. */
  initializer?: Exclude<InitializerName, 'auto'>
  normalization?: InputNormalization
  augmentation?: Augmentation
  earlyStopping?: EarlyStopping
  seed: number
  /** Batch size for validation passes. Default 256. */
  evalBatchSize?: number
}

export class TrainConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid training config:\n  ${problems.join('\n  ')}`)
    this.name = 'TrainConfigError'
  }
}

/** Returns every problem with the config (empty when valid). */
export function validateTrainConfig(raw: unknown): string[] {
  if (!isObject(raw)) return [`training config must be an object, got ${show(raw)}`]
  const problems: string[] = []
  const known = ['version', 'dataset', 'epochs', 'batchSize', 'optimizer', 'schedule', 'warmup', 'loss', 'initializer', 'normalization', 'augmentation', 'earlyStopping', 'seed', 'evalBatchSize']
  for (const key of Object.keys(raw)) if (!known.includes(key)) problems.push(`training: unknown field "${key}"`)
  if (raw.version !== TRAIN_CONFIG_VERSION) problems.push(`training.version must be ${TRAIN_CONFIG_VERSION}, got ${show(raw.version)}`)
  problems.push(...checkDataset(raw.dataset))
  intField(problems, 'epochs', raw.epochs, 1, 100000)
  intField(problems, 'batchSize', raw.batchSize, 1, 65536)
  if (raw.evalBatchSize !== undefined) intField(problems, 'evalBatchSize', raw.evalBatchSize, 1, 65536)
  intField(problems, 'seed', raw.seed, 0, 2 ** 32 - 1)
  problems.push(...validateOptimizerConfig(raw.optimizer).map(prefix))
  if (raw.schedule !== undefined) problems.push(...validateSchedule(raw.schedule).map(prefix))
  if (raw.warmup !== undefined) {
    if (!isObject(raw.warmup)) problems.push(`training.warmup must be an object, got ${show(raw.warmup)}`)
    else {
      intField(problems, 'warmup.epochs', raw.warmup.epochs, 1, 100000)
      const f = raw.warmup.startFactor
      if (typeof f !== 'number' || !(f > 0 && f <= 1)) problems.push(`training.warmup.startFactor must be in (0, 1], got ${show(f)}`)
    }
  }
  if (!(LOSS_NAMES as readonly unknown[]).includes(raw.loss)) {
    problems.push(`training.loss must be one of ${LOSS_NAMES.join(', ')}, got ${show(raw.loss)}`)
  }
  if (raw.initializer !== undefined && (raw.initializer === 'auto' || !(INITIALIZERS as readonly unknown[]).includes(raw.initializer))) {
    problems.push(`training.initializer must be one of ${INITIALIZERS.filter((i) => i !== 'auto').join(', ')}, got ${show(raw.initializer)}`)
  }
  if (raw.normalization !== undefined) problems.push(...checkNormalization(raw.normalization))
  if (raw.augmentation !== undefined) problems.push(...validateAugmentation(raw.augmentation).map(prefix))
  if (raw.earlyStopping !== undefined) problems.push(...checkEarlyStopping(raw.earlyStopping))
  return problems
}

export function parseTrainConfig(raw: unknown): TrainConfig {
  const problems = validateTrainConfig(raw)
  if (problems.length) throw new TrainConfigError(problems)
  const config = raw as TrainConfig
  return { ...config, optimizer: resolveOptimizerConfig(config.optimizer) }
}

function prefix(message: string): string {
  return message.startsWith('training.') ? message : `training.${message}`
}

function checkDataset(d: unknown): string[] {
  if (!isObject(d)) return [`training.dataset must be an object like {"id": "mnist-10k"}, got ${show(d)}`]
  const problems: string[] = []
  if (typeof d.id !== 'string' || d.id.length === 0) problems.push(`training.dataset.id must be a dataset name, got ${show(d.id)}`)
  if (d.validationSize !== undefined) intField(problems, 'dataset.validationSize', d.validationSize, 0, 1e9)
  if (d.trainSize !== undefined) intField(problems, 'dataset.trainSize', d.trainSize, 1, 1e9)
  if (d.splitSeed !== undefined) intField(problems, 'dataset.splitSeed', d.splitSeed, 0, 2 ** 32 - 1)
  if (d.hash !== undefined && (typeof d.hash !== 'string' || !/^[0-9a-f]{64}$/.test(d.hash))) problems.push(`training.dataset.hash must be 64 lowercase hex digits (SHA-256), got ${show(d.hash)}`)
  if (d.title !== undefined && (typeof d.title !== 'string' || d.title.length > 200)) problems.push(`training.dataset.title must be a string of at most 200 characters, got ${show(d.title)}`)
  if (d.stratified !== undefined && typeof d.stratified !== 'boolean') problems.push(`training.dataset.stratified must be true or false, got ${show(d.stratified)}`)
  return problems
}

function checkNormalization(n: unknown): string[] {
  if (!isObject(n)) return [`training.normalization must be an object, got ${show(n)}`]
  switch (n.kind) {
    case 'none':
      return []
    case 'minmax': {
      const r = n.range
      const ok = Array.isArray(r) && r.length === 2 && ((r[0] === 0 && r[1] === 1) || (r[0] === -1 && r[1] === 1))
      return ok ? [] : [`training.normalization.range must be [0, 1] or [-1, 1], got ${show(r)}`]
    }
    case 'standardize':
      return typeof n.perChannel === 'boolean' ? [] : [`training.normalization.perChannel must be true or false, got ${show(n.perChannel)}`]
    default:
      return [`training.normalization.kind must be "none", "minmax" or "standardize", got ${show(n.kind)}`]
  }
}

function checkEarlyStopping(e: unknown): string[] {
  if (!isObject(e)) return [`training.earlyStopping must be an object, got ${show(e)}`]
  const problems: string[] = []
  if (e.metric !== 'val_loss' && e.metric !== 'val_accuracy') problems.push(`training.earlyStopping.metric must be "val_loss" or "val_accuracy", got ${show(e.metric)}`)
  intField(problems, 'earlyStopping.patience', e.patience, 1, 100000)
  if (e.minDelta !== undefined && (typeof e.minDelta !== 'number' || !(e.minDelta >= 0))) problems.push(`training.earlyStopping.minDelta must be a number >= 0, got ${show(e.minDelta)}`)
  if (e.restoreBest !== undefined && typeof e.restoreBest !== 'boolean') problems.push(`training.earlyStopping.restoreBest must be true or false, got ${show(e.restoreBest)}`)
  return problems
}

function intField(problems: string[], name: string, v: unknown, min: number, max: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    problems.push(`training.${name} must be a whole number from ${min} to ${max}, got ${show(v)}`)
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
