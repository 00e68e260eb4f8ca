import { describe, expect, it } from 'vitest'
import {
  checkLaunch,
  defaultForm,
  fieldOfMessage,
  formFromTrainConfig,
  hyperparameterDefault,
  optimizerHyperparameters,
  randomSeed,
  trainConfigFromForm
} from '../../src-renderer/src/components/launch/launch-form'
import { parseTrainConfig, validateTrainConfig, type TrainConfig } from '../../src-engine/train/train-config'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import lenet5 from '../../examples/lenet5.json'

const mnistNet = lenet5.network as NetworkSpec

describe('launch form ⇄ TrainConfig', () => {
  it('defaults to a valid Adam 1e-3, batch 64, 5 epochs run on mnist-10k with 2000 held out', () => {
    const config = trainConfigFromForm(defaultForm())
    expect(validateTrainConfig(config)).toEqual([])
    expect(config).toEqual({
      version: 1,
      dataset: { id: 'mnist-10k', validationSize: 2000 },
      epochs: 5,
      batchSize: 64,
      optimizer: { type: 'adam', lr: 0.001 },
      loss: 'cross_entropy',
      normalization: { kind: 'minmax', range: [0, 1] },
      seed: 1
    })
  })

  it('round-trips every option of a full config', () => {
    const full: TrainConfig = {
      version: 1,
      dataset: { id: 'shapes', validationSize: 300, trainSize: 500, stratified: false, splitSeed: 7 },
      epochs: 12,
      batchSize: 32,
      optimizer: { type: 'rmsprop', lr: 0.01, alpha: 0.95, eps: 1e-6, weightDecay: 0.0005 },
      schedule: { type: 'cosine', epochs: 10, minLr: 0.0001 },
      warmup: { epochs: 2, startFactor: 0.2 },
      loss: 'mse',
      initializer: 'he_normal',
      normalization: { kind: 'standardize', perChannel: true },
      augmentation: { shift: 2, crop: { padding: 1 }, noise: 0.05, flipHorizontal: true },
      earlyStopping: { metric: 'val_accuracy', patience: 4, minDelta: 0.001, restoreBest: false },
      seed: 99,
      evalBatchSize: 128
    }
    expect(trainConfigFromForm(formFromTrainConfig(full))).toEqual(full)
  })

  it('drops the hyperparameters a resolved config carries that its optimizer does not read', () => {
    // A stored run's config is resolved: every field present. A relaunch as momentum sends only lr and momentum (and decay).
    const stored = parseTrainConfig({ ...trainConfigFromForm(defaultForm()), optimizer: { type: 'momentum', lr: 0.1 } })
    const form = formFromTrainConfig(stored)
    expect(trainConfigFromForm(form).optimizer).toEqual({ type: 'momentum', lr: 0.1, momentum: 0.9, weightDecay: 0 })
    form.optimizer = 'sgd'
    expect(trainConfigFromForm(form).optimizer).toEqual({ type: 'sgd', lr: 0.1, weightDecay: 0 })
  })

  it('shows only the hyperparameters each optimizer reads, with the engine defaults as placeholders', () => {
    expect(optimizerHyperparameters('sgd')).toEqual(['weightDecay'])
    expect(optimizerHyperparameters('momentum')).toEqual(['momentum', 'weightDecay'])
    expect(optimizerHyperparameters('adagrad')).toEqual(['eps', 'weightDecay'])
    expect(optimizerHyperparameters('rmsprop')).toEqual(['eps', 'alpha', 'weightDecay'])
    expect(optimizerHyperparameters('adam')).toEqual(['beta1', 'beta2', 'eps', 'weightDecay'])
    expect(hyperparameterDefault('adagrad', 'eps')).toBe(1e-10)
    expect(hyperparameterDefault('adamw', 'weightDecay')).toBe(0.01)
  })

  it('leaves empty optional fields out and turns off augmentation and early stopping cleanly', () => {
    const f = defaultForm()
    f.validationSize = ''
    f.shift = 0
    f.noise = ''
    f.earlyStopping = false
    const c = trainConfigFromForm(f)
    expect(c.dataset).toEqual({ id: 'mnist-10k' })
    expect(c).not.toHaveProperty('augmentation')
    expect(c).not.toHaveProperty('earlyStopping')
  })
})

describe('launch form validation', () => {
  it('puts each engine message on the field it names', () => {
    expect(fieldOfMessage('training.optimizer.lr must be a positive number, got 0')).toBe('optimizer.lr')
    expect(fieldOfMessage('training.augmentation.crop.padding must be a whole number of pixels >= 0, got -1')).toBe('augmentation.crop.padding')
    expect(fieldOfMessage('training.dataset.trainSize must be a whole number from 1 to 1000000000, got 0')).toBe('dataset.trainSize')
    expect(fieldOfMessage('training.warmup.startFactor must be in (0, 1], got 2')).toBe('warmup.startFactor')
    expect(fieldOfMessage('augmentation: shift + crop padding (30) must be less than the image size (28×28)')).toBe('augmentation')
    expect(fieldOfMessage('something else entirely')).toBeNull()
  })

  it('reports invalid values with the right messages on the right fields', () => {
    const f = defaultForm()
    f.lr = 0
    f.epochs = ''
    f.batchSize = 2.5
    f.trainSize = 0
    f.optimizer = 'momentum'
    f.hyper.momentum = 1.5
    f.schedule = 'step'
    f.stepSize = 0
    f.gamma = 2
    f.warmup = true
    f.warmupStartFactor = 0
    f.earlyStopping = true
    f.esPatience = 0
    f.noise = -1
    f.seed = 'abc'
    const { problems } = checkLaunch(f, mnistNet)
    const byField = Object.fromEntries(problems.map((p) => [p.field, p.message]))
    expect(byField).toEqual({
      'optimizer.lr': 'optimizer.lr must be a positive number, got 0',
      epochs: 'epochs must be a whole number from 1 to 100000, got nothing',
      batchSize: 'batchSize must be a whole number from 1 to 65536, got 2.5',
      'dataset.trainSize': 'dataset.trainSize must be a whole number from 1 to 1000000000, got 0',
      'optimizer.momentum': 'optimizer.momentum must be a number in [0, 1), got 1.5',
      'schedule.stepSize': expect.stringMatching(/^schedule\.stepSize must be/),
      'schedule.gamma': 'schedule.gamma must be a number in (0, 1], got 2',
      'warmup.startFactor': 'warmup.startFactor must be in (0, 1], got 0',
      'earlyStopping.patience': 'earlyStopping.patience must be a whole number from 1 to 100000, got 0',
      'augmentation.noise': 'augmentation.noise must be a number >= 0 (a standard deviation), got -1',
      seed: 'seed must be a whole number from 0 to 4294967295, got "abc"'
    })
    expect(problems).toHaveLength(11)
  })

  it('ignores the values of hyperparameters the chosen optimizer does not use', () => {
    const f = defaultForm()
    f.hyper.momentum = 7 // invalid for momentum SGD, but Adam does not read it
    expect(checkLaunch(f, mnistNet).problems).toEqual([])
    f.optimizer = 'nesterov'
    expect(checkLaunch(f, mnistNet).problems.map((p) => p.field)).toEqual(['optimizer.momentum'])
  })

  it('checks augmentation against the network input and the network itself', () => {
    const f = defaultForm()
    f.shift = 20
    f.cropPadding = 10
    expect(checkLaunch(f, mnistNet).problems).toEqual([{ field: 'augmentation', message: 'augmentation: shift + crop padding (30) must be less than the image size (28×28)' }])
    const broken: NetworkSpec = { version: 1, input: { shape: [1, 4, 4] }, layers: [{ type: 'conv2d', filters: 2, kernel: 9 }] }
    const problems = checkLaunch(defaultForm(), broken).problems
    expect(problems.length).toBeGreaterThan(0)
    expect(problems.every((p) => p.field === null && p.message.startsWith('network: '))).toBe(true)
  })

  it('warns (without blocking) when network and dataset do not fit', () => {
    const shapesNet: NetworkSpec = { version: 1, input: { shape: [1, 16, 16] }, layers: [{ type: 'flatten' }, { type: 'dense', units: 4 }] }
    const f = defaultForm()
    f.trainSize = 9000
    f.flipHorizontal = true
    const { problems, warnings } = checkLaunch(f, shapesNet)
    expect(problems).toEqual([])
    expect(warnings.map((w) => w.field)).toEqual(['dataset.id', 'dataset.id', 'dataset.trainSize', 'augmentation.flipHorizontal'])
    expect(warnings[0]!.message).toBe('the network takes 1×16×16 inputs but mnist-10k images are 1×28×28')
    f.datasetId = 'shapes'
    f.validationSize = 200
    f.trainSize = ''
    expect(checkLaunch(f, shapesNet).warnings).toEqual([])
  })

  it('random seeds are whole numbers the engine accepts', () => {
    expect(randomSeed(() => 0)).toBe(0)
    expect(randomSeed(() => 0.999999)).toBeLessThan(2 ** 31)
    const f = defaultForm()
    f.seed = randomSeed()
    expect(checkLaunch(f, mnistNet).problems).toEqual([])
  })
})
