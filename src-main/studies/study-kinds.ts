/**
 * The ready-made studies and grid sweeps: from a base network + config, the list of variants.
 * Pure functions; the service validates every variant with the engine before anything is launched.
 */
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { OptimizerConfig } from '../../src-engine/optim/optimizer'
import type { TrainConfig } from '../../src-engine/train/train-config'
import {
  insertDropout,
  insertNormalization,
  removeNormalization,
  replaceActivations,
  setConfigPath,
  stripRegularization,
  type NormalizationKind
} from './spec-transforms'
import type { GridAxis, StudyKind, StudyRequest, StudyVariant } from './study-types'

/** The regularizers of the regularization study, at the strengths classic practice starts from. */
export const REGULARIZERS = {
  weightDecay: 1e-3,
  dropout: 0.5,
  augmentation: { shift: 2 },
  earlyStopping: { metric: 'val_loss', patience: 5, restoreBest: true }
} as const

export const DEFAULT_TRAIN_SIZES = [250, 500, 1000, 2000, 8000]

/** Learning rates at which each optimizer trains a small CNN well. */
export const OPTIMIZER_CHOICES: { label: string; optimizer: OptimizerConfig }[] = [
  { label: 'SGD', optimizer: { type: 'sgd', lr: 0.05 } },
  { label: 'Momentum', optimizer: { type: 'momentum', lr: 0.01, momentum: 0.9 } },
  { label: 'NAG', optimizer: { type: 'nesterov', lr: 0.01, momentum: 0.9 } },
  { label: 'AdaGrad', optimizer: { type: 'adagrad', lr: 0.01 } },
  { label: 'RMSProp', optimizer: { type: 'rmsprop', lr: 0.001 } },
  { label: 'Adam', optimizer: { type: 'adam', lr: 0.001 } }
]

const FACTOR: Record<StudyKind, string> = {
  regularization: 'regularization',
  'training-size': 'training samples',
  optimizer: 'optimizer',
  'init-activation': 'initializer × activation',
  normalization: 'normalization',
  grid: 'grid'
}

const TITLE: Record<StudyKind, string> = {
  regularization: 'Regularization',
  'training-size': 'Training-set size',
  optimizer: 'Optimizers',
  'init-activation': 'Initialization × activation',
  normalization: 'Normalization',
  grid: 'Grid sweep'
}

export function studyTitle(kind: StudyKind): string {
  return TITLE[kind]
}

function variant(label: string, changes: string[], network: NetworkSpec, training: TrainConfig): StudyVariant {
  return { label, changes, network, training }
}

function regularization(network: NetworkSpec, training: TrainConfig): StudyVariant[] {
  const base = stripRegularization(network, training)
  const wd = (t: TrainConfig) => setConfigPath(t, 'optimizer.weightDecay', REGULARIZERS.weightDecay)
  const aug = (t: TrainConfig) => ({ ...structuredClone(t), augmentation: { ...REGULARIZERS.augmentation } })
  const es = (t: TrainConfig) => ({ ...structuredClone(t), earlyStopping: { ...REGULARIZERS.earlyStopping } })
  const all = insertNormalization(insertDropout(base.network, REGULARIZERS.dropout), 'batch')
  return [
    variant('none', ['no weight decay, dropout, normalization, augmentation or early stopping'], base.network, base.training),
    variant(`weight decay ${REGULARIZERS.weightDecay}`, [`L2 weight decay ${REGULARIZERS.weightDecay} on the weights`], base.network, wd(base.training)),
    variant(`dropout ${REGULARIZERS.dropout}`, [`dropout ${REGULARIZERS.dropout} before the dense layers`], insertDropout(base.network, REGULARIZERS.dropout), base.training),
    variant('batch norm', ['batch normalization after each convolution'], insertNormalization(base.network, 'batch'), base.training),
    variant('augmentation', [`random shifts of up to ${REGULARIZERS.augmentation.shift} pixels`], base.network, aug(base.training)),
    variant('early stopping', [`stop after ${REGULARIZERS.earlyStopping.patience} epochs without a better validation loss, keep the best weights`], base.network, es(base.training)),
    variant('all together', ['weight decay, dropout, batch norm, augmentation and early stopping'], all, es(aug(wd(base.training))))
  ]
}

function trainingSize(network: NetworkSpec, training: TrainConfig, sizes: number[], available: number | null): StudyVariant[] {
  const usable = [...new Set(sizes)].filter((n) => Number.isInteger(n) && n > 0 && (available === null || n <= available)).sort((a, b) => a - b)
  if (usable.length === 0) throw new Error(`none of the training sizes ${sizes.join(', ')} fits the ${available} training samples available`)
  return usable.map((n) => variant(`${n} samples`, [`${n} training samples (class-stratified)`], network, setConfigPath(setConfigPath(training, 'dataset.trainSize', n), 'dataset.stratified', true)))
}

function optimizers(network: NetworkSpec, training: TrainConfig): StudyVariant[] {
  return OPTIMIZER_CHOICES.map(({ label, optimizer }) => {
    const opt: OptimizerConfig = { ...optimizer, ...(training.optimizer.weightDecay !== undefined ? { weightDecay: training.optimizer.weightDecay } : {}) }
    const extras = Object.entries(optimizer).filter(([k]) => k !== 'type' && k !== 'lr').map(([k, v]) => `${k} ${v}`)
    return variant(label, [`${label}, learning rate ${optimizer.lr}${extras.length ? `, ${extras.join(', ')}` : ''}`], network, { ...structuredClone(training), optimizer: opt })
  })
}

function initActivation(network: NetworkSpec, training: TrainConfig): StudyVariant[] {
  const out: StudyVariant[] = []
  for (const activation of ['sigmoid', 'tanh', 'relu'] as const) {
    for (const [label, init] of [['Xavier', 'xavier_uniform'], ['He', 'he_uniform']] as const) {
      // Layers whose init is 'auto' would pick their own; the study sets each layer explicitly.
      const net = replaceActivations(network, activation)
      const layers = net.layers.map((l) => (l.type === 'conv2d' || l.type === 'dense' ? { ...l, init } : l))
      out.push(variant(`${label} + ${activation}`, [`${activation} activations`, `${label} (${init}) initialization`], { ...net, layers }, { ...structuredClone(training), initializer: init }))
    }
  }
  return out
}

function normalization(network: NetworkSpec, training: TrainConfig): StudyVariant[] {
  const plain = removeNormalization(network)
  const hasConv = network.layers.some((l) => l.type === 'conv2d')
  const kinds: NormalizationKind[] = hasConv ? ['batch', 'layer', 'instance', 'group'] : ['batch', 'layer']
  const where = hasConv ? 'after each convolution' : 'after each hidden dense layer'
  // Only normalization layers change: dropout, weight decay, augmentation… stay as given.
  return [
    variant('none', ['no normalization layers'], plain, training),
    ...kinds.map((k) => variant(`${k} norm`, [`${k} normalization ${where}`], insertNormalization(plain, k), training))
  ]
}

function formatValue(v: number | string | boolean): string {
  return typeof v === 'number' ? String(v) : typeof v === 'string' ? v : v ? 'on' : 'off'
}

/** Every combination of the axes' values (the first axis varies slowest). */
export function gridCombinations(axes: GridAxis[]): { path: string; value: number | string | boolean }[][] {
  let combos: { path: string; value: number | string | boolean }[][] = [[]]
  for (const axis of axes) {
    if (axis.values.length === 0) throw new Error(`grid axis ${axis.path} has no values`)
    combos = combos.flatMap((c) => axis.values.map((value) => [...c, { path: axis.path, value }]))
  }
  return combos
}

export const MAX_STUDY_RUNS = 64

function grid(network: NetworkSpec, training: TrainConfig, axes: GridAxis[] | undefined): StudyVariant[] {
  if (!axes || axes.length === 0) throw new Error('a grid sweep needs at least one axis (a config path and its values)')
  return gridCombinations(axes).map((combo) => {
    let t = training
    for (const { path, value } of combo) t = setConfigPath(t, path, value)
    const parts = combo.map(({ path, value }) => `${path}=${formatValue(value)}`)
    return variant(parts.join(', '), parts, network, t)
  })
}

/**
 * The variants of a study. `availableTrainSamples` (dataset size minus the validation split) caps the
 * training-size study; null when unknown.
 */
export function buildStudyVariants(request: StudyRequest, availableTrainSamples: number | null = null): { factor: string; variants: StudyVariant[] } {
  const { network, training } = request.base
  let variants: StudyVariant[]
  switch (request.kind) {
    case 'regularization':
      variants = regularization(network, training)
      break
    case 'training-size':
      variants = trainingSize(network, training, request.trainSizes ?? DEFAULT_TRAIN_SIZES, availableTrainSamples)
      break
    case 'optimizer':
      variants = optimizers(network, training)
      break
    case 'init-activation':
      variants = initActivation(network, training)
      break
    case 'normalization':
      variants = normalization(network, training)
      break
    case 'grid':
      variants = grid(network, training, request.grid)
      break
  }
  const repeats = request.repeats ?? 1
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 10) throw new Error(`repeats must be a whole number from 1 to 10, got ${repeats}`)
  if (variants.length * repeats > MAX_STUDY_RUNS) {
    throw new Error(`this study would launch ${variants.length * repeats} runs; the limit is ${MAX_STUDY_RUNS} — use fewer values or repeats`)
  }
  return { factor: FACTOR[request.kind], variants }
}

/** Seeds of a variant's repeats: the same list in every variant, so variants differ only in what the study varies. */
export function repeatSeeds(baseSeed: number, repeats: number): number[] {
  return Array.from({ length: repeats }, (_, i) => baseSeed + i)
}
