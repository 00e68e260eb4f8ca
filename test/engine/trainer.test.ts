import { describe, it, expect } from 'vitest'
import { Trainer, type TrainData } from '../../src-engine/train/trainer'
import type { TrainEvent } from '../../src-engine/train/events'
import { encodeCheckpoint, decodeCheckpoint, type Checkpoint } from '../../src-engine/train/checkpoint'
import { validateTrainConfig, type TrainConfig } from '../../src-engine/train/train-config'
import { makeShapesDataset } from '../../src-engine/data/shapes'
import { prepareTrainData } from '../../src-engine/train/prepare-data'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import { backendName, ENGINE_BACKENDS, kernelsFor } from '../helpers/backends'

// Small, fast and exercising every source of randomness: init, shuffling, augmentation, dropout,
// plus batch-norm running statistics.
const spec: NetworkSpec = {
  version: 1,
  input: { shape: [1, 16, 16] },
  layers: [
    { type: 'conv2d', filters: 6, kernel: 3, padding: 'same' },
    { type: 'batchnorm' },
    { type: 'relu' },
    { type: 'maxpool2d', size: 2 },
    { type: 'conv2d', filters: 8, kernel: 3, stride: 2 },
    { type: 'relu' },
    { type: 'flatten' },
    { type: 'dropout', rate: 0.3 },
    { type: 'dense', units: 4 },
    { type: 'softmax' }
  ]
}

const config = (overrides: Partial<TrainConfig> = {}): TrainConfig => ({
  version: 1,
  dataset: { id: 'shapes', validationSize: 100 },
  epochs: 3,
  batchSize: 16,
  optimizer: { type: 'adam', lr: 0.005 },
  loss: 'cross_entropy',
  augmentation: { shift: 1, noise: 0.05 },
  seed: 11,
  ...overrides
})

let cached: TrainData | null = null
function data(): TrainData {
  cached ??= prepareTrainData(makeShapesDataset({ count: 500, seed: 3 }), { id: 'shapes', validationSize: 100 })
  return cached
}

function collect(trainer: Trainer): TrainEvent[] {
  const events: TrainEvent[] = []
  trainer.runToEnd((e) => events.push(e))
  return events
}

const stepLosses = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'step' ? [e.loss] : []))
const epochRows = (events: TrainEvent[]) =>
  events.flatMap((e) => (e.type === 'epoch' ? [[e.trainLoss, e.trainAccuracy, e.valLoss, e.valAccuracy]] : []))

function weightsOf(trainer: Trainer): number[] {
  return Object.values(trainer.network.stateDict()).flatMap((entry) => Array.from(entry.data))
}

describe('Trainer', () => {
  it('emits start, steps, epochs, checkpoints and one done, in order', () => {
    const events = collect(new Trainer(spec, config(), data()))
    expect(events[0].type).toBe('start')
    expect(events.at(-1)!.type).toBe('done')
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(3)
    expect(events.filter((e) => e.type === 'step')).toHaveLength(3 * Math.ceil(400 / 16))
    const checkpoints = events.flatMap((e) => (e.type === 'checkpoint' ? [e.reason] : []))
    expect(checkpoints).toEqual(['epoch', 'epoch', 'end'])
    expect(events.at(-2)!.type).toBe('checkpoint')
    const done = events.at(-1) as Extract<TrainEvent, { type: 'done' }>
    expect(done.outcome).toBe('completed')
    expect(done.epochsCompleted).toBe(3)
  })

  it('refuses to resume on different data or a different network', () => {
    const t = new Trainer(spec, config({ epochs: 1 }), data())
    const cp: Checkpoint = t.checkpoint()
    const other = prepareTrainData(makeShapesDataset({ count: 500, seed: 4 }), { id: 'shapes', validationSize: 100 })
    expect(() => new Trainer(spec, config(), other, { resumeFrom: cp })).toThrow(/different data/)
    const wider = { ...spec, layers: spec.layers.map((l, i) => (i === 0 ? { ...l, filters: 7 } : l)) } as NetworkSpec
    expect(() => new Trainer(wider, config(), data(), { resumeFrom: cp })).toThrow()
  })

  it('stops a diverging run as "diverged" and says at which step', () => {
    const events = collect(new Trainer(spec, config({ optimizer: { type: 'sgd', lr: 1e12 }, augmentation: undefined }), data()))
    const done = events.at(-1) as Extract<TrainEvent, { type: 'done' }>
    expect(done.outcome).toBe('diverged')
    expect(done.message).toMatch(/^loss became (NaN|Infinity) at step \d+ \(epoch \d+\)$/)
  })

  it('stops early when validation loss stops improving and restores the best weights', () => {
    const trainer = new Trainer(
      spec,
      config({ epochs: 40, optimizer: { type: 'adam', lr: 0.02 }, augmentation: undefined, earlyStopping: { metric: 'val_loss', patience: 2, restoreBest: true } }),
      prepareTrainData(makeShapesDataset({ count: 160, seed: 5 }), { id: 'shapes', validationSize: 120 })
    )
    const events = collect(trainer)
    const done = events.at(-1) as Extract<TrainEvent, { type: 'done' }>
    expect(done.outcome).toBe('early_stopped')
    const epochs = events.filter((e): e is Extract<TrainEvent, { type: 'epoch' }> => e.type === 'epoch')
    expect(epochs.length).toBe(done.bestEpoch! + 1 + 2)
    const best = Math.min(...epochs.map((e) => e.valLoss!))
    expect(done.bestValLoss).toBe(best)
    expect(weightsOf(trainer)).toEqual(Object.values(trainer.bestStateDict()!).flatMap((e) => Array.from(e.data)))
    // The final checkpoint carries the restored (best) weights.
    const end = events.find((e): e is Extract<TrainEvent, { type: 'checkpoint' }> => e.type === 'checkpoint' && e.reason === 'end')!
    expect(Object.values(end.checkpoint.weights).flatMap((e) => Array.from(e.data))).toEqual(weightsOf(trainer))
  })

  it('validates the training config with messages naming the field', () => {
    expect(validateTrainConfig({ ...config(), batchSize: 0, loss: 'hinge', optimizer: { type: 'adam', lr: -1 } })).toEqual(
      expect.arrayContaining([
        'training.batchSize must be a whole number from 1 to 65536, got 0',
        'training.loss must be one of cross_entropy, mse, sum_squared, got "hinge"'
      ])
    )
    expect(validateTrainConfig({ ...config(), optimizer: { type: 'adam', lr: -1 } }).some((m) => m.includes('lr'))).toBe(true)
    expect(validateTrainConfig({ ...config(), augmentation: { shift: -1 } }).some((m) => m.startsWith('training.augmentation'))).toBe(true)
  })

  it('writes every tensor, optimizer slots included, as binary after a small header; plain-array slots (older checkpoints) resume the same', async () => {
    const events: TrainEvent[] = []
    await new Trainer(spec, config({ epochs: 2 }), data()).run((e) => events.push(e), () => 'pause', 0)
    const cp = events.find((e): e is Extract<TrainEvent, { type: 'checkpoint' }> => e.type === 'checkpoint' && e.reason === 'pause')!.checkpoint
    const bytes = encodeCheckpoint(cp)
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + new DataView(bytes.buffer).getUint32(8, true)))) as unknown
    // No list of numbers longer than the RNG state (6) or a shape: the values are in the binary part.
    const longestNumbers = (v: unknown): number =>
      Array.isArray(v)
        ? Math.max(v.every((x) => typeof x === 'number') ? v.length : 0, ...v.map(longestNumbers))
        : v && typeof v === 'object'
          ? Math.max(0, ...Object.values(v).map(longestNumbers))
          : 0
    expect(longestNumbers(header)).toBeLessThanOrEqual(6)
    expect(Object.values(decodeCheckpoint(bytes).optimizer.slots['0.weight'])).toEqual([expect.any(Float32Array), expect.any(Float32Array)])

    const plainSlots = Object.fromEntries(Object.entries(cp.optimizer.slots).map(([name, slots]) => [name, Object.fromEntries(Object.entries(slots).map(([k, v]) => [k, Array.from(v)]))]))
    const older: Checkpoint = { ...cp, optimizer: { ...cp.optimizer, slots: plainSlots } }
    const fromTyped = new Trainer(spec, config({ epochs: 2 }), data(), { resumeFrom: decodeCheckpoint(bytes) })
    const fromPlain = new Trainer(spec, config({ epochs: 2 }), data(), { resumeFrom: decodeCheckpoint(encodeCheckpoint(older)) })
    expect(stepLosses(collect(fromPlain))).toEqual(stepLosses(collect(fromTyped)))
    expect(weightsOf(fromPlain)).toEqual(weightsOf(fromTyped))
  })

  it('gives a clear error for a damaged checkpoint', () => {
    const bytes = encodeCheckpoint(new Trainer(spec, config({ epochs: 1 }), data()).checkpoint())
    expect(() => decodeCheckpoint(bytes.subarray(0, 20))).toThrow(/truncated/)
    expect(() => decodeCheckpoint(new Uint8Array(64))).toThrow(/not a Tatami checkpoint/)
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 100))).toThrow(/truncated data/)
  })
})

describe.each(ENGINE_BACKENDS)('Trainer on %s kernels', (backend) => {
  it('is deterministic: the same seed gives identical metrics and weights, another seed does not', () => {
    const a = new Trainer(spec, config(), data(), { kernels: kernelsFor(backend) })
    const b = new Trainer(spec, config(), data(), { kernels: kernelsFor(backend) })
    const c = new Trainer(spec, config({ seed: 12 }), data(), { kernels: kernelsFor(backend) })
    const ea = collect(a)
    const eb = collect(b)
    const ec = collect(c)
    expect(stepLosses(eb)).toEqual(stepLosses(ea))
    expect(epochRows(eb)).toEqual(epochRows(ea))
    expect(weightsOf(b)).toEqual(weightsOf(a))
    expect(stepLosses(ec)).not.toEqual(stepLosses(ea))
    const start = ea[0]
    expect(start.type === 'start' && start.backend).toBe(backendName(backend))
  })

  if (backend !== 'js') it('agrees with the JS reference: the first 10 step losses within 1e-4 relative', () => {
    const ref = stepLosses(collect(new Trainer(spec, config({ epochs: 1 }), data()))).slice(0, 10)
    const got = stepLosses(collect(new Trainer(spec, config({ epochs: 1 }), data(), { kernels: kernelsFor(backend) }))).slice(0, 10)
    for (let i = 0; i < 10; i++) expect(Math.abs(got[i] - ref[i]), `step ${i + 1}: ${got[i]} vs ${ref[i]}`).toBeLessThanOrEqual(1e-4 * Math.abs(ref[i]))
  })

  it('learns the shapes dataset', () => {
    const more = prepareTrainData(makeShapesDataset({ count: 1200, seed: 3 }), { id: 'shapes', validationSize: 200 })
    const events = collect(new Trainer(spec, config({ epochs: 6, optimizer: { type: 'adam', lr: 0.01 } }), more, { kernels: kernelsFor(backend) }))
    const last = events.filter((e) => e.type === 'epoch').at(-1) as Extract<TrainEvent, { type: 'epoch' }>
    expect(last.valAccuracy).toBeGreaterThan(0.85)
  })

  // Every pause point on the reference; on wasm one mid-epoch and one at an epoch boundary.
  for (const pauseAtStep of backend === 'js' ? [7, 25, 26, 40] : [7, 26]) {
    it(`resumes exactly: paused at step ${pauseAtStep}, saved to bytes, restored, gives the uninterrupted run`, async () => {
      const straight = new Trainer(spec, config(), data(), { kernels: kernelsFor(backend) })
      const straightEvents = collect(straight)

      const first = new Trainer(spec, config(), data(), { kernels: kernelsFor(backend) })
      const firstEvents: TrainEvent[] = []
      let steps = 0
      const outcome = await first.run(
        (e) => {
          firstEvents.push(e)
          if (e.type === 'step') steps++
        },
        () => (steps >= pauseAtStep ? 'pause' : null),
        0
      )
      expect(outcome).toBe('paused')
      const saved = firstEvents.find((e): e is Extract<TrainEvent, { type: 'checkpoint' }> => e.type === 'checkpoint' && e.reason === 'pause')!
      const restored = decodeCheckpoint(encodeCheckpoint(saved.checkpoint))
      const second = new Trainer(spec, config(), data(), { resumeFrom: restored, kernels: kernelsFor(backend) })
      const secondEvents = collect(second)

      expect([...stepLosses(firstEvents), ...stepLosses(secondEvents)]).toEqual(stepLosses(straightEvents))
      const epochsBoth = [...epochRows(firstEvents), ...epochRows(secondEvents)]
      expect(epochsBoth).toEqual(epochRows(straightEvents))
      expect(weightsOf(second)).toEqual(weightsOf(straight))
      // Training time carries over: the resumed run's clock starts where the checkpoint's stopped.
      const firstStepAfter = secondEvents.find((e) => e.type === 'step')!
      expect(firstStepAfter.type === 'step' && firstStepAfter.elapsedMs).toBeGreaterThanOrEqual(restored.elapsedMs!)
      const elapsed = secondEvents.flatMap((e) => (e.type === 'step' ? [e.elapsedMs] : []))
      expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b))
    })
  }
})
