/**
 * The launch form as plain data: defaults, TrainConfig ⇄ form, and validation with every message
 * attached to the field it concerns. Pure (no Vue), so the rules are unit-tested without a DOM.
 * The engine's validateTrainConfig is the authority; this adds non-blocking warnings it cannot know
 * (the network against the dataset).
 */
import { validateTrainConfig, type TrainConfig } from '../../../../src-engine/train/train-config'
import { OPTIMIZER_FIELDS, OPTIMIZER_TYPES, resolveOptimizerConfig, type OptimizerConfig, type OptimizerType } from '../../../../src-engine/optim/optimizer'
import { SCHEDULE_TYPES, type LrSchedule } from '../../../../src-engine/optim/schedule'
import { LOSS_NAMES, type LossName } from '../../../../src-engine/losses/loss'
import { INITIALIZERS, type InitializerName } from '../../../../src-engine/spec/fields'
import type { InputNormalization } from '../../../../src-engine/data/normalize'
import { validateAugmentation, type Augmentation } from '../../../../src-engine/data/augment'
import { analyzeNetwork, type NetworkSpec } from '../../../../src-engine/spec/network-spec'

/** What a number input holds: a number, '' when empty, or the text typed when it is not a number. */
export type NumberInput = number | string

export type NormalizationChoice = 'default' | 'none' | 'minmax01' | 'minmax11' | 'standardize' | 'standardize-channel'
export type ScheduleType = (typeof SCHEDULE_TYPES)[number]
export type HyperparameterKey = 'momentum' | 'beta1' | 'beta2' | 'eps' | 'alpha' | 'weightDecay'

export interface LaunchForm {
  name: string
  datasetId: string
  validationSize: NumberInput
  trainSize: NumberInput
  stratified: boolean
  splitSeed: NumberInput
  epochs: NumberInput
  batchSize: NumberInput
  optimizer: OptimizerType
  lr: NumberInput
  /** Only those of OPTIMIZER_FIELDS[optimizer] are sent; '' means the engine's default. */
  hyper: Record<HyperparameterKey, NumberInput>
  schedule: ScheduleType
  stepSize: NumberInput
  gamma: NumberInput
  cosineEpochs: NumberInput
  minLr: NumberInput
  warmup: boolean
  warmupEpochs: NumberInput
  warmupStartFactor: NumberInput
  loss: LossName
  initializer: Exclude<InitializerName, 'auto'> | 'default'
  normalization: NormalizationChoice
  shift: NumberInput
  cropPadding: NumberInput
  noise: NumberInput
  flipHorizontal: boolean
  earlyStopping: boolean
  esMetric: 'val_loss' | 'val_accuracy'
  esPatience: NumberInput
  esMinDelta: NumberInput
  esRestoreBest: boolean
  seed: NumberInput
  evalBatchSize: NumberInput
}

export const HYPERPARAMETER_KEYS: readonly HyperparameterKey[] = ['momentum', 'beta1', 'beta2', 'eps', 'alpha', 'weightDecay']
export { OPTIMIZER_TYPES, SCHEDULE_TYPES, LOSS_NAMES }
export const INITIALIZER_CHOICES = INITIALIZERS.filter((i): i is Exclude<InitializerName, 'auto'> => i !== 'auto')

export const HYPERPARAMETER_LABELS: Record<HyperparameterKey, string> = {
  momentum: 'Momentum μ',
  beta1: 'β₁',
  beta2: 'β₂',
  eps: 'ε',
  alpha: 'α (smoothing)',
  weightDecay: 'Weight decay λ'
}

/** The hyperparameters (besides lr) the chosen optimizer reads. */
export function optimizerHyperparameters(type: OptimizerType): HyperparameterKey[] {
  return HYPERPARAMETER_KEYS.filter((k) => OPTIMIZER_FIELDS[type].includes(k))
}

/** The engine's default for a hyperparameter of this optimizer (shown as the input's placeholder). */
export function hyperparameterDefault(type: OptimizerType, key: HyperparameterKey): number {
  return resolveOptimizerConfig({ type, lr: 1 })[key]
}

/** Facts about the built-in datasets that datasets:list does not carry (for warnings only). */
export const KNOWN_DATASETS: Record<string, { shape: [number, number, number]; classes: number; size: number; mirrorSafe: boolean }> = {
  'mnist-10k': { shape: [1, 28, 28], classes: 10, size: 10000, mirrorSafe: false },
  shapes: { shape: [1, 16, 16], classes: 4, size: 2000, mirrorSafe: true }
}

export function defaultForm(): LaunchForm {
  return {
    name: '',
    datasetId: 'mnist-10k',
    validationSize: 2000,
    trainSize: '',
    stratified: true,
    splitSeed: '',
    epochs: 5,
    batchSize: 64,
    optimizer: 'adam',
    lr: 0.001,
    hyper: { momentum: '', beta1: '', beta2: '', eps: '', alpha: '', weightDecay: '' },
    schedule: 'constant',
    stepSize: 10,
    gamma: 0.5,
    cosineEpochs: 5,
    minLr: '',
    warmup: false,
    warmupEpochs: 1,
    warmupStartFactor: 0.1,
    loss: 'cross_entropy',
    initializer: 'default',
    normalization: 'minmax01',
    shift: '',
    cropPadding: '',
    noise: '',
    flipHorizontal: false,
    earlyStopping: false,
    esMetric: 'val_loss',
    esPatience: 3,
    esMinDelta: '',
    esRestoreBest: true,
    seed: 1,
    evalBatchSize: ''
  }
}

/** The form for an existing config (relaunch, preset); fields the config lacks keep their defaults. */
export function formFromTrainConfig(t: TrainConfig, name = ''): LaunchForm {
  const f = defaultForm()
  f.name = name
  f.datasetId = t.dataset.id
  f.validationSize = t.dataset.validationSize ?? ''
  f.trainSize = t.dataset.trainSize ?? ''
  f.stratified = t.dataset.stratified ?? true
  f.splitSeed = t.dataset.splitSeed ?? ''
  f.epochs = t.epochs
  f.batchSize = t.batchSize
  f.optimizer = t.optimizer.type
  f.lr = t.optimizer.lr
  // Only the optimizer's own hyperparameters: a stored (resolved) config carries the others, unused.
  for (const k of optimizerHyperparameters(t.optimizer.type)) f.hyper[k] = t.optimizer[k] ?? ''
  if (t.schedule) {
    f.schedule = t.schedule.type
    if (t.schedule.type === 'step') {
      f.stepSize = t.schedule.stepSize
      f.gamma = t.schedule.gamma
    } else if (t.schedule.type === 'exponential') f.gamma = t.schedule.gamma
    else if (t.schedule.type === 'cosine') {
      f.cosineEpochs = t.schedule.epochs
      f.minLr = t.schedule.minLr ?? ''
    }
  }
  if (t.warmup) {
    f.warmup = true
    f.warmupEpochs = t.warmup.epochs
    f.warmupStartFactor = t.warmup.startFactor
  }
  f.loss = t.loss
  f.initializer = t.initializer ?? 'default'
  f.normalization = normalizationChoice(t.normalization)
  f.shift = t.augmentation?.shift || ''
  f.cropPadding = t.augmentation?.crop?.padding || ''
  f.noise = t.augmentation?.noise || ''
  f.flipHorizontal = t.augmentation?.flipHorizontal ?? false
  if (t.earlyStopping) {
    f.earlyStopping = true
    f.esMetric = t.earlyStopping.metric
    f.esPatience = t.earlyStopping.patience
    f.esMinDelta = t.earlyStopping.minDelta ?? ''
    f.esRestoreBest = t.earlyStopping.restoreBest ?? true
  }
  f.seed = t.seed
  f.evalBatchSize = t.evalBatchSize ?? ''
  return f
}

function normalizationChoice(n: InputNormalization | undefined): NormalizationChoice {
  if (!n) return 'default'
  if (n.kind === 'none') return 'none'
  if (n.kind === 'minmax') return n.range[0] === -1 ? 'minmax11' : 'minmax01'
  return n.perChannel ? 'standardize-channel' : 'standardize'
}

function normalizationOf(c: NormalizationChoice): InputNormalization | undefined {
  switch (c) {
    case 'default':
      return undefined
    case 'none':
      return { kind: 'none' }
    case 'minmax01':
      return { kind: 'minmax', range: [0, 1] }
    case 'minmax11':
      return { kind: 'minmax', range: [-1, 1] }
    case 'standardize':
      return { kind: 'standardize', perChannel: false }
    case 'standardize-channel':
      return { kind: 'standardize', perChannel: true }
  }
}

/** A number input's value for the config: '' → undefined (not sent), text that is not a number stays text (so the message shows it). */
export function numberOf(v: NumberInput): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined
  const s = v.trim()
  if (s === '') return undefined
  const n = Number(s)
  return Number.isFinite(n) ? n : (s as unknown as number)
}

/** Builds the TrainConfig the form describes (possibly invalid: validate it with launchProblems). */
export function trainConfigFromForm(f: LaunchForm): TrainConfig {
  const dataset: TrainConfig['dataset'] = { id: f.datasetId }
  setIf(dataset, 'validationSize', numberOf(f.validationSize))
  setIf(dataset, 'trainSize', numberOf(f.trainSize))
  if (!f.stratified) dataset.stratified = false
  setIf(dataset, 'splitSeed', numberOf(f.splitSeed))

  const optimizer = { type: f.optimizer, lr: numberOf(f.lr) } as OptimizerConfig
  for (const k of optimizerHyperparameters(f.optimizer)) setIf(optimizer, k, numberOf(f.hyper[k]))

  const config = {
    version: 1,
    dataset,
    epochs: numberOf(f.epochs),
    batchSize: numberOf(f.batchSize),
    optimizer,
    loss: f.loss,
    seed: numberOf(f.seed)
  } as TrainConfig
  const schedule = scheduleOf(f)
  if (schedule) config.schedule = schedule
  if (f.warmup) config.warmup = { epochs: numberOf(f.warmupEpochs) as number, startFactor: numberOf(f.warmupStartFactor) as number }
  if (f.initializer !== 'default') config.initializer = f.initializer
  const normalization = normalizationOf(f.normalization)
  if (normalization) config.normalization = normalization
  const augmentation = augmentationOf(f)
  if (augmentation) config.augmentation = augmentation
  if (f.earlyStopping) {
    config.earlyStopping = { metric: f.esMetric, patience: numberOf(f.esPatience) as number, restoreBest: f.esRestoreBest }
    setIf(config.earlyStopping, 'minDelta', numberOf(f.esMinDelta))
  }
  setIf(config, 'evalBatchSize', numberOf(f.evalBatchSize))
  return config
}

function scheduleOf(f: LaunchForm): LrSchedule | undefined {
  switch (f.schedule) {
    case 'constant':
      return undefined
    case 'step':
      return { type: 'step', stepSize: numberOf(f.stepSize) as number, gamma: numberOf(f.gamma) as number }
    case 'exponential':
      return { type: 'exponential', gamma: numberOf(f.gamma) as number }
    case 'cosine': {
      const s: LrSchedule = { type: 'cosine', epochs: numberOf(f.cosineEpochs) as number }
      setIf(s, 'minLr', numberOf(f.minLr))
      return s
    }
  }
}

function augmentationOf(f: LaunchForm): Augmentation | undefined {
  const a: Augmentation = {}
  const shift = numberOf(f.shift)
  const padding = numberOf(f.cropPadding)
  const noise = numberOf(f.noise)
  if (shift !== undefined && shift !== 0) a.shift = shift
  if (padding !== undefined && padding !== 0) a.crop = { padding }
  if (noise !== undefined && noise !== 0) a.noise = noise
  if (f.flipHorizontal) a.flipHorizontal = true
  return Object.keys(a).length > 0 ? a : undefined
}

function setIf<T extends object, K extends keyof T>(target: T, key: K, value: unknown): void {
  if (value !== undefined) target[key] = value as T[K]
}

/** The form fields a message can point at (paths inside the TrainConfig, without "training."). */
export const FIELD_KEYS = [
  'dataset.id', 'dataset.validationSize', 'dataset.trainSize', 'dataset.stratified', 'dataset.splitSeed',
  'epochs', 'batchSize', 'evalBatchSize', 'seed',
  'optimizer.type', 'optimizer.lr', 'optimizer.momentum', 'optimizer.beta1', 'optimizer.beta2', 'optimizer.eps', 'optimizer.alpha', 'optimizer.weightDecay',
  'schedule.type', 'schedule.stepSize', 'schedule.gamma', 'schedule.epochs', 'schedule.minLr',
  'warmup.epochs', 'warmup.startFactor',
  'loss', 'initializer', 'normalization',
  'augmentation', 'augmentation.shift', 'augmentation.crop.padding', 'augmentation.noise', 'augmentation.flipHorizontal',
  'earlyStopping.metric', 'earlyStopping.patience', 'earlyStopping.minDelta', 'earlyStopping.restoreBest'
] as const
export type FieldKey = (typeof FIELD_KEYS)[number]

export interface Problem {
  /** The field it concerns, or null for the form as a whole. */
  field: FieldKey | null
  message: string
}

/** The field a validator message names ("training.optimizer.lr must be …" → optimizer.lr): the longest known key that prefixes its path. */
export function fieldOfMessage(message: string): FieldKey | null {
  const m = /^(?:training\.)?([A-Za-z][\w.]*)/.exec(message)
  if (!m) return null
  const path = m[1]!
  let best: FieldKey | null = null
  for (const key of FIELD_KEYS) {
    if ((path === key || path.startsWith(`${key}.`)) && (!best || key.length > best.length)) best = key
  }
  return best
}

export interface LaunchCheck {
  config: TrainConfig
  /** Blocking: the engine would refuse the config. */
  problems: Problem[]
  /** Not blocking: likely mistakes (network vs dataset). */
  warnings: Problem[]
}

/** Validates the form as the engine will, plus what only the launch form knows (the network, the dataset). */
export function checkLaunch(f: LaunchForm, network: NetworkSpec): LaunchCheck {
  const config = trainConfigFromForm(f)
  const problems: Problem[] = validateTrainConfig(config).map((message) => ({ field: fieldOfMessage(message), message: message.replace(/^training\./, '') }))
  if (f.datasetId === '') problems.unshift({ field: 'dataset.id', message: 'choose a dataset' })
  const shape = network.input?.shape
  if (config.augmentation && Array.isArray(shape) && shape.length === 3 && !problems.some((p) => p.field?.startsWith('augmentation'))) {
    for (const message of validateAugmentation(config.augmentation, shape as [number, number, number])) problems.push({ field: 'augmentation', message })
  }
  const analysis = analyzeNetwork(network)
  if (!analysis.ok) {
    for (const issue of analysis.issues) problems.push({ field: null, message: `network: ${issue.message}` })
  }
  return { config, problems, warnings: datasetWarnings(config, network, analysis.outputShape) }
}

function datasetWarnings(config: TrainConfig, network: NetworkSpec, outputShape: readonly number[] | null): Problem[] {
  const known = KNOWN_DATASETS[config.dataset.id]
  if (!known) return []
  const warnings: Problem[] = []
  const shape = network.input?.shape
  if (Array.isArray(shape) && shape.join('×') !== known.shape.join('×')) {
    warnings.push({ field: 'dataset.id', message: `the network takes ${shape.join('×')} inputs but ${config.dataset.id} images are ${known.shape.join('×')}` })
  }
  if (outputShape && outputShape.length === 1 && outputShape[0] !== known.classes) {
    warnings.push({ field: 'dataset.id', message: `the network has ${outputShape[0]} outputs but ${config.dataset.id} has ${known.classes} classes` })
  }
  const v = typeof config.dataset.validationSize === 'number' ? config.dataset.validationSize : 0
  const t = typeof config.dataset.trainSize === 'number' ? config.dataset.trainSize : 0
  if (v + t > known.size) {
    warnings.push({ field: 'dataset.trainSize', message: `validation + training (${v + t}) exceed the ${known.size} samples of ${config.dataset.id}` })
  }
  if (config.augmentation?.flipHorizontal && !known.mirrorSafe) {
    warnings.push({ field: 'augmentation.flipHorizontal', message: `mirrored ${config.dataset.id} images are not the same class: horizontal flips will hurt` })
  }
  return warnings
}

/** A fresh random seed (what the "random seed" button puts in). */
export function randomSeed(random: () => number = Math.random): number {
  return Math.floor(random() * 2 ** 31)
}
