import { createRng, shuffleInPlace, type Rng } from '../core/rng'
import type { DType, FloatArray, Tensor } from '../core/tensor'
import type { Kernels } from '../kernels/kernels'
import { createNetwork, type Network, type StateDict } from '../network'
import { createLoss, accuracy, type Loss, type Targets } from '../losses/loss'
import { createOptimizer, type Optimizer } from '../optim/optimizer'
import { learningRateAt } from '../optim/schedule'
import { applyNormalizer, type Normalizer } from '../data/normalize'
import { fitRunNormalizer } from './prepare-data'
import { augmentBatch, createAugmentScratch, isIdentityAugmentation, type AugmentScratch } from '../data/augment'
import type { Dataset } from '../data/dataset'
import { parseNetworkSpec, type NetworkSpec, type ResolvedNetworkSpec } from '../spec/network-spec'
import { parseTrainConfig, type TrainConfig } from './train-config'
import type { TrainEvent, TrainOutcome } from './events'
import type { Checkpoint, EarlyStoppingState, EpochAccumulators } from './checkpoint'
import { parameterHistograms, PredictionRecorder, type EpochInsight } from './insight'

export interface TrainData {
  train: Dataset
  /** null trains without validation (no early stopping, no best epoch). */
  validation: Dataset | null
}

export interface TrainerOptions {
  kernels?: Kernels
  dtype?: DType
  /** Continue from this checkpoint instead of starting fresh. */
  resumeFrom?: Checkpoint
  /** Start from these weights (fine-tuning) instead of fresh ones; ignored when resuming. */
  initialWeights?: StateDict
  /** Clock in milliseconds (tests may pass a fake one). Default performance.now. */
  now?: () => number
  /** Emit a 'checkpoint' event at every epoch end. Default true. */
  checkpointEveryEpoch?: boolean
  /**
   * Emit an 'insight' event after every validated epoch: confusion matrix, top-k predictions per
   * validation sample, parameter and gradient histograms, weights (insight.ts). Default false.
   */
  recordInsights?: boolean
}

/** A request from outside (the run manager) that the trainer honours between steps. */
export type ControlRequest = 'pause' | 'stop' | null

export interface EvaluationResult {
  loss: number
  accuracy: number
  count: number
}

/**
 * Trains a network on prepared data, one mini-batch at a time, and reports everything through
 * events. It never logs. All randomness (initialization, shuffling, augmentation, dropout) comes
 * from one RNG seeded by config.seed, whose state is part of every checkpoint.
 */
export class Trainer {
  readonly spec: ResolvedNetworkSpec
  readonly config: TrainConfig
  readonly network: Network
  readonly optimizer: Optimizer
  readonly normalizer: Normalizer
  readonly rng: Rng
  private readonly loss: Loss
  private readonly useLogits: boolean
  private readonly now: () => number
  private readonly trainX: FloatArray
  private readonly trainY: Int32Array
  private readonly valX: FloatArray | null
  private readonly valY: Int32Array | null
  private readonly sampleSize: number
  private readonly stepsPerEpoch: number
  private readonly samplesPerEpoch: number
  private readonly batchX: Tensor
  private readonly batchLabels: Int32Array
  private readonly augmentScratch: AugmentScratch = createAugmentScratch()
  private readonly dataFingerprint: string
  private readonly checkpointEveryEpoch: boolean
  private readonly recordInsights: boolean

  private epoch = 0
  private stepInEpoch = 0
  private globalStep = 0
  private order: Int32Array | null = null
  private acc: EpochAccumulators = { lossSum: 0, correct: 0, seen: 0 }
  private early: EarlyStoppingState = { bestMetric: null, bestEpoch: null, bestValLoss: null, bestValAccuracy: null, epochsWithoutImprovement: 0 }
  private bestWeights: StateDict | null = null
  private epochStartedAt = 0
  private epochTrainMillis = 0
  private lastStepAt = 0
  private finished: TrainOutcome | null = null
  /** Wall time of earlier sessions of this run (from the checkpoint) plus this session's, see elapsed(). */
  private elapsedBefore = 0
  private sessionStartedAt = 0
  private readonly resumedAt: { epoch: number; step: number } | null

  constructor(spec: NetworkSpec | ResolvedNetworkSpec | unknown, config: TrainConfig | unknown, data: TrainData, options: TrainerOptions = {}) {
    this.spec = parseNetworkSpec(spec)
    this.config = parseTrainConfig(config)
    const cfg = this.config
    const dtype = options.dtype ?? 'float32'
    this.now = options.now ?? (() => performance.now())
    this.checkpointEveryEpoch = options.checkpointEveryEpoch ?? true
    this.recordInsights = options.recordInsights ?? false
    checkDataFits(this.spec, data)
    this.rng = createRng(cfg.seed)
    this.network = createNetwork(this.spec, { rng: this.rng, dtype, kernels: options.kernels, initializer: cfg.initializer })
    // After the initializers have drawn from the RNG, so shuffles and dropout follow a fresh run's sequence.
    if (options.initialWeights && !options.resumeFrom) {
      try {
        this.network.loadStateDict(options.initialWeights)
      } catch (err) {
        throw new Error(`initial weights: ${(err as Error).message}`)
      }
    }
    this.optimizer = createOptimizer(cfg.optimizer, this.network.params(), { kernels: this.network.kernels, allocator: this.network.allocator })
    this.loss = createLoss(cfg.loss, this.network.allocator)
    this.useLogits = cfg.loss === 'cross_entropy'

    const shape = data.train.inputShape
    this.sampleSize = shape[0] * shape[1] * shape[2]
    const resume = options.resumeFrom
    this.normalizer = resume ? resume.normalizer : fitRunNormalizer(cfg, data.train)
    this.trainX = this.prepareImages(data.train)
    this.trainY = data.train.labels
    this.valX = data.validation && data.validation.size > 0 ? this.prepareImages(data.validation) : null
    this.valY = this.valX ? data.validation!.labels : null
    // Batch statistics need two samples: with batch norm (or FReLU's), a last batch of one is skipped.
    const usesBatchStatistics = this.spec.layers.some((l) => l.type === 'batchnorm' || l.type === 'frelu')
    this.samplesPerEpoch = usesBatchStatistics && data.train.size % cfg.batchSize === 1 && data.train.size > 1 ? data.train.size - 1 : data.train.size
    this.stepsPerEpoch = Math.ceil(this.samplesPerEpoch / cfg.batchSize)
    const alloc = this.network.allocator
    const batchShape = [cfg.batchSize, ...this.network.inputShape]
    this.batchX = { shape: batchShape, data: alloc.alloc(cfg.batchSize * this.sampleSize) }
    this.batchLabels = new Int32Array(cfg.batchSize)
    this.dataFingerprint = fingerprint(data)

    this.resumedAt = null
    if (resume) {
      this.restore(resume)
      this.resumedAt = { epoch: this.epoch, step: this.globalStep }
    }
  }

  get outcome(): TrainOutcome | null {
    return this.finished
  }

  /** Runs until done or until `control` asks to pause or stop; yields to the event loop between chunks. */
  async run(onEvent: (e: TrainEvent) => void, control: () => ControlRequest = () => null, chunkMillis = 50): Promise<TrainOutcome> {
    this.begin(onEvent)
    while (!this.finished) {
      // At least one step per chunk; chunkMillis 0 consults control after every step.
      const until = this.now() + chunkMillis
      do this.advance(onEvent)
      while (!this.finished && this.now() < until)
      if (this.finished) break
      await new Promise<void>((resolve) => setTimeout(resolve, 0))
      const request = control()
      if (request) this.interrupt(request, onEvent)
    }
    return this.finished!
  }

  /** Synchronous run to the end (tests, benchmarks). */
  runToEnd(onEvent: (e: TrainEvent) => void = () => {}): TrainOutcome {
    this.begin(onEvent)
    while (!this.finished) this.advance(onEvent)
    return this.finished!
  }

  /** Evaluates on a dataset's already-normalized images in eval mode; `recorder` also collects every prediction. */
  evaluate(images: FloatArray, labels: Int32Array, recorder?: PredictionRecorder): EvaluationResult {
    const evalBatch = this.config.evalBatchSize ?? 256
    const n = labels.length
    let lossSum = 0
    let correct = 0
    for (let start = 0; start < n; start += evalBatch) {
      const b = Math.min(evalBatch, n - start)
      const x: Tensor = { shape: [b, ...this.network.inputShape], data: images.subarray(start * this.sampleSize, (start + b) * this.sampleSize) }
      const y = this.network.forward(x, 'eval', { logits: this.useLogits })
      const targets: Targets = { kind: 'indices', labels: labels.subarray(start, start + b) }
      recorder?.add(y.data, targets.labels)
      lossSum += this.loss.forward(y, targets) * b
      correct += accuracy(y, targets)
    }
    return { loss: lossSum / n, accuracy: correct / n, count: n }
  }

  /** The state from which a new Trainer continues exactly where this one is. */
  checkpoint(): Checkpoint {
    return {
      version: 1,
      spec: this.spec,
      config: this.config,
      normalizer: this.normalizer,
      dataFingerprint: this.dataFingerprint,
      epoch: this.epoch,
      stepInEpoch: this.stepInEpoch,
      globalStep: this.globalStep,
      order: this.order ? this.order.slice() : null,
      rng: this.rng.getState(),
      weights: this.network.stateDict(),
      bestWeights: this.bestWeights,
      optimizer: this.optimizer.state(),
      accumulators: { ...this.acc },
      earlyStopping: { ...this.early },
      elapsedMs: this.elapsed()
    }
  }

  /** Milliseconds this run has trained, over all its sessions. */
  private elapsed(): number {
    return this.elapsedBefore + (this.sessionStartedAt ? this.now() - this.sessionStartedAt : 0)
  }

  /** Best-epoch weights (by the early-stopping metric, else validation loss), if any epoch was validated. */
  bestStateDict(): StateDict | null {
    return this.bestWeights
  }

  private begin(onEvent: (e: TrainEvent) => void): void {
    this.sessionStartedAt = this.now()
    this.epochStartedAt = this.sessionStartedAt
    this.lastStepAt = this.epochStartedAt
    onEvent({
      type: 'start',
      epochs: this.config.epochs,
      stepsPerEpoch: this.stepsPerEpoch,
      trainSize: this.trainY.length,
      validationSize: this.valY ? this.valY.length : 0,
      parameterCount: this.network.params().reduce((s, p) => s + p.value.data.length, 0),
      backend: this.network.kernels.name,
      dtype: this.network.dtype,
      resumedAt: this.resumedAt
    })
    if (this.epoch >= this.config.epochs) this.finish('completed', onEvent, 'all epochs were already done')
  }

  /** One training step, plus the epoch's end when it was the last step. */
  private advance(onEvent: (e: TrainEvent) => void): void {
    const cfg = this.config
    if (this.stepInEpoch === 0 && !this.order) {
      this.order = new Int32Array(this.trainY.length)
      for (let i = 0; i < this.order.length; i++) this.order[i] = i
      shuffleInPlace(this.order, this.rng)
      this.acc = { lossSum: 0, correct: 0, seen: 0 }
      this.epochTrainMillis = 0
    }
    this.optimizer.lr = learningRateAt(cfg.optimizer.lr, cfg.schedule ?? { type: 'constant' }, this.epoch, cfg.warmup)
    const started = this.now()
    const start = this.stepInEpoch * cfg.batchSize
    const b = Math.min(cfg.batchSize, this.samplesPerEpoch - start)
    const x = this.gatherBatch(this.order!, start, b)
    const targets: Targets = { kind: 'indices', labels: this.batchLabels.subarray(0, b) }

    this.network.zeroGrad()
    const y = this.network.forward(x, 'train', { logits: this.useLogits })
    const loss = this.loss.forward(y, targets)
    const correct = accuracy(y, targets)
    if (!Number.isFinite(loss)) {
      this.globalStep++
      this.finish('diverged', onEvent, `loss became ${loss} at step ${this.globalStep} (epoch ${this.epoch + 1})`)
      return
    }
    this.network.backward(this.loss.backward(), { logits: this.useLogits })
    this.optimizer.step()
    this.globalStep++
    this.stepInEpoch++
    this.acc.lossSum += loss * b
    this.acc.correct += correct
    this.acc.seen += b
    const ended = this.now()
    this.epochTrainMillis += ended - started
    const sinceLast = Math.max(ended - this.lastStepAt, 1e-6)
    this.lastStepAt = ended
    onEvent({ type: 'step', epoch: this.epoch, step: this.globalStep, loss, accuracy: correct / b, lr: this.optimizer.lr, imagesPerSecond: (b * 1000) / sinceLast, elapsedMs: this.elapsed() })
    if (this.stepInEpoch >= this.stepsPerEpoch) this.endEpoch(onEvent)
  }

  private endEpoch(onEvent: (e: TrainEvent) => void): void {
    const cfg = this.config
    const recorder = this.recordInsights && this.valY ? new PredictionRecorder(this.valY.length, this.classCount(), this.useLogits) : undefined
    const val = this.valX && this.valY ? this.evaluate(this.valX, this.valY, recorder) : null
    const epoch = this.epoch
    const isBest = val ? this.recordValidation(epoch, val) : false
    const seconds = (this.now() - this.epochStartedAt) / 1000
    onEvent({
      type: 'epoch',
      epoch,
      step: this.globalStep,
      trainLoss: this.acc.lossSum / this.acc.seen,
      trainAccuracy: this.acc.correct / this.acc.seen,
      valLoss: val ? val.loss : null,
      valAccuracy: val ? val.accuracy : null,
      lr: this.optimizer.lr,
      seconds,
      imagesPerSecond: this.acc.seen / Math.max(this.epochTrainMillis / 1000, 1e-9),
      isBest,
      elapsedMs: this.elapsed()
    })
    if (recorder) onEvent({ type: 'insight', insight: this.insight(epoch, recorder) })
    this.epoch++
    this.stepInEpoch = 0
    this.order = null
    this.epochStartedAt = this.now()
    this.lastStepAt = this.epochStartedAt
    const es = cfg.earlyStopping
    const stopEarly = es !== undefined && val !== null && this.early.epochsWithoutImprovement >= es.patience
    if (stopEarly && (es.restoreBest ?? true) && this.bestWeights) this.network.loadStateDict(this.bestWeights)
    if (this.epoch >= cfg.epochs || stopEarly) {
      const outcome: TrainOutcome = stopEarly ? 'early_stopped' : 'completed'
      const message = stopEarly
        ? `no improvement in ${es!.metric} for ${es!.patience} epochs; best was epoch ${this.early.bestEpoch! + 1}`
        : `trained ${this.epoch} epoch${this.epoch === 1 ? '' : 's'}`
      this.finish(outcome, onEvent, message)
    } else if (this.checkpointEveryEpoch) {
      onEvent({ type: 'checkpoint', reason: 'epoch', checkpoint: this.checkpoint() })
    }
  }

  private classCount(): number {
    return this.network.outputShape.reduce((a, b) => a * b, 1)
  }

  /** What is recorded of this epoch's model; the gradients are those of the epoch's last step. */
  private insight(epoch: number, recorder: PredictionRecorder): EpochInsight {
    return {
      epoch,
      classes: recorder.classes,
      scoreKind: this.useLogits || this.network.endsWithSoftmax ? 'probability' : 'output',
      confusion: recorder.confusion,
      k: recorder.k,
      labels: recorder.labels,
      topLabels: recorder.topLabels,
      topScores: recorder.topScores,
      histograms: parameterHistograms(this.network.params()),
      weights: this.network.stateDict()
    }
  }

  /** Updates best-epoch tracking; returns whether this epoch is the best so far. */
  private recordValidation(epoch: number, val: EvaluationResult): boolean {
    const es = this.config.earlyStopping
    const metric = es?.metric ?? 'val_loss'
    const value = metric === 'val_loss' ? val.loss : val.accuracy
    const minDelta = es?.minDelta ?? 0
    const best = this.early.bestMetric
    const improved = best === null || (metric === 'val_loss' ? value < best - minDelta : value > best + minDelta)
    if (improved) {
      this.early = { bestMetric: value, bestEpoch: epoch, bestValLoss: val.loss, bestValAccuracy: val.accuracy, epochsWithoutImprovement: 0 }
      this.bestWeights = this.network.stateDict()
    } else {
      this.early = { ...this.early, epochsWithoutImprovement: this.early.epochsWithoutImprovement + 1 }
    }
    return improved
  }

  private interrupt(request: 'pause' | 'stop', onEvent: (e: TrainEvent) => void): void {
    onEvent({ type: 'checkpoint', reason: request, checkpoint: this.checkpoint() })
    this.finish(request === 'pause' ? 'paused' : 'stopped', onEvent, request === 'pause' ? 'paused on request' : 'stopped on request')
  }

  private finish(outcome: TrainOutcome, onEvent: (e: TrainEvent) => void, message: string): void {
    this.finished = outcome
    if (outcome === 'completed' || outcome === 'early_stopped') {
      onEvent({ type: 'checkpoint', reason: 'end', checkpoint: this.checkpoint() })
    }
    onEvent({
      type: 'done',
      outcome,
      epochsCompleted: this.epoch,
      step: this.globalStep,
      bestEpoch: this.early.bestEpoch,
      bestValLoss: this.early.bestValLoss,
      bestValAccuracy: this.early.bestValAccuracy,
      message,
      backend: this.network.kernels.name
    })
  }

  private restore(cp: Checkpoint): void {
    if (cp.dataFingerprint !== this.dataFingerprint) {
      throw new Error(`checkpoint was trained on different data (${cp.dataFingerprint}) than given (${this.dataFingerprint})`)
    }
    if (JSON.stringify(cp.spec) !== JSON.stringify(this.spec)) throw new Error('checkpoint belongs to a different network spec')
    if (cp.stepInEpoch > 0 && cp.config.batchSize !== this.config.batchSize) {
      throw new Error(`checkpoint stopped inside an epoch with batch size ${cp.config.batchSize}; resume it with the same batch size, not ${this.config.batchSize}`)
    }
    this.network.loadStateDict(cp.weights)
    this.optimizer.loadState(cp.optimizer)
    this.rng.setState(cp.rng)
    this.epoch = cp.epoch
    this.stepInEpoch = cp.stepInEpoch
    this.globalStep = cp.globalStep
    this.order = cp.order ? Int32Array.from(cp.order) : null
    this.acc = { ...cp.accumulators }
    this.early = { ...cp.earlyStopping }
    this.bestWeights = cp.bestWeights
    this.elapsedBefore = cp.elapsedMs ?? 0
  }

  /** Copies samples order[start..start+b) into the batch buffer and applies augmentation. */
  private gatherBatch(order: Int32Array, start: number, b: number): Tensor {
    const size = this.sampleSize
    const xd = this.batchX.data
    for (let i = 0; i < b; i++) {
      const s = order[start + i]
      xd.set(this.trainX.subarray(s * size, (s + 1) * size), i * size)
      this.batchLabels[i] = this.trainY[s]
    }
    const aug = this.config.augmentation
    const shape = this.network.inputShape
    if (aug && !isIdentityAugmentation(aug) && shape.length === 3) {
      augmentBatch(aug, xd, b, [shape[0], shape[1], shape[2]], this.rng, this.augmentScratch)
    }
    return b === this.config.batchSize ? this.batchX : { shape: [b, ...shape], data: xd.subarray(0, b * size) }
  }

  private prepareImages(ds: Dataset): FloatArray {
    const out = this.network.dtype === 'float64' ? new Float64Array(ds.images.length) : new Float32Array(ds.images.length)
    applyNormalizer(this.normalizer, ds.images, 0, out, 0, ds.size, ds.inputShape)
    return out
  }
}

/** Convenience: build a Trainer and run it to the end, returning the trainer for inspection. */
export async function train(
  spec: NetworkSpec | unknown,
  config: TrainConfig | unknown,
  data: TrainData,
  onEvent: (e: TrainEvent) => void,
  options: TrainerOptions & { control?: () => ControlRequest } = {}
): Promise<Trainer> {
  const trainer = new Trainer(spec, config, data, options)
  await trainer.run(onEvent, options.control)
  return trainer
}

function checkDataFits(spec: ResolvedNetworkSpec, data: TrainData): void {
  const want = spec.input.shape
  for (const ds of [data.train, data.validation]) {
    if (!ds) continue
    const got = ds.inputShape
    const sameSize = want.reduce((a, b) => a * b, 1) === got[0] * got[1] * got[2]
    const sameShape = want.length === 3 ? want[0] === got[0] && want[1] === got[1] && want[2] === got[2] : sameSize
    if (!sameShape) {
      throw new Error(`dataset ${ds.name} has ${got.join('×')} samples but the network's input is ${want.join('×')}`)
    }
  }
  if (data.train.size === 0) throw new Error(`dataset ${data.train.name} has no training samples`)
}

/** A cheap, stable identity for a data split: sizes plus an FNV-1a hash of labels and a pixel sample. */
function fingerprint(data: TrainData): string {
  let h = 0x811c9dc5
  const mix = (v: number) => {
    h ^= v & 0xff
    h = Math.imul(h, 0x01000193) >>> 0
  }
  for (const ds of [data.train, data.validation]) {
    if (!ds) continue
    for (let i = 0; i < ds.labels.length; i++) mix(ds.labels[i])
    const stride = Math.max(1, Math.floor(ds.images.length / 4096))
    for (let i = 0; i < ds.images.length; i += stride) mix(Math.round(ds.images[i] * 16))
  }
  return `${data.train.size}+${data.validation?.size ?? 0}:${h.toString(16)}`
}
