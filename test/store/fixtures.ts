import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'
import type { NewRun } from '../../src-main/store/types'

export function tempDbPath(name = 'tatami.db'): string {
  return join(mkdtempSync(join(tmpdir(), 'tatami-store-')), name)
}

export function network(dropout = 0.2): NetworkSpec {
  return {
    version: 1,
    input: { shape: [1, 16, 16] },
    layers: [
      { type: 'conv2d', filters: 8, kernel: 3, padding: 'same' },
      { type: 'relu' },
      { type: 'maxpool2d', size: 2 },
      { type: 'flatten' },
      { type: 'dropout', rate: dropout },
      { type: 'dense', units: 4 },
      { type: 'softmax' }
    ]
  }
}

export function training(overrides: { lr?: number; seed?: number; trainSize?: number; shift?: number } = {}): TrainConfig {
  return {
    version: 1,
    dataset: { id: 'shapes', validationSize: 400, ...(overrides.trainSize !== undefined ? { trainSize: overrides.trainSize } : {}) },
    epochs: 5,
    batchSize: 32,
    optimizer: { type: 'adam', lr: overrides.lr ?? 0.01 },
    loss: 'cross_entropy',
    augmentation: { shift: overrides.shift ?? 1 },
    seed: overrides.seed ?? 1
  }
}

export function newRun(name: string, extra: Partial<NewRun> & { lr?: number; seed?: number; trainSize?: number } = {}): NewRun {
  const { lr, seed, trainSize, ...rest } = extra
  return { name, network: network(), training: training({ lr, seed, trainSize }), ...rest }
}
