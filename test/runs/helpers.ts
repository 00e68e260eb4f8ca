import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'
import type { StepEvent } from '../../src-engine/protocol'
import { forkLauncher } from '../../src-main/runs/launcher'
import { RunManager } from '../../src-main/runs/run-manager'
import { MemoryRunSink, type EpochEvent } from '../../src-main/runs/run-sink'

export const network: NetworkSpec = {
  version: 1,
  input: { shape: [1, 16, 16] },
  layers: [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 4 }, { type: 'softmax' }]
}

export function training(epochs: number, seed = 3): TrainConfig {
  return {
    version: 1,
    dataset: { id: 'shapes', validationSize: 200 },
    epochs,
    batchSize: 32,
    optimizer: { type: 'adam', lr: 0.01 },
    loss: 'cross_entropy',
    seed
  }
}

/** Steps per epoch on shapes (2000 samples, 200 held out, batch 32). */
export const STEPS_PER_EPOCH = Math.ceil(1800 / 32)

/**
 * Tests of process management (pause, kill, resume at a given step) act on step events as they arrive; the
 * WebAssembly kernels can finish a whole shapes run before the first batch of events, so these tests train on
 * the JavaScript kernels. Exact resume on every backend is tested at the trainer level (test/engine).
 */
export const PROCESS_TEST_BACKEND = 'js' as const

export function setup(concurrency: number): { manager: RunManager; sink: MemoryRunSink } {
  const sink = new MemoryRunSink()
  const manager = new RunManager({ launcher: forkLauncher(), sink, concurrency, backend: PROCESS_TEST_BACKEND })
  return { manager, sink }
}

/** The parts of a step that must repeat exactly (not the throughput). */
export function stepValues(steps: StepEvent[]): [number, number, number, number, number][] {
  return steps.map((s) => [s.epoch, s.step, s.loss, s.accuracy, s.lr])
}

/** An epoch's metrics without wall-clock timings. */
export function epochValues(epochs: EpochEvent[]): Omit<EpochEvent, 'seconds' | 'imagesPerSecond' | 'elapsedMs'>[] {
  return epochs.map(({ seconds: _s, imagesPerSecond: _i, elapsedMs: _e, ...rest }) => rest)
}
