import { describe, expect, it } from 'vitest'
import { analyzeNetwork, type NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'
import {
  groupsFor,
  insertDropout,
  insertNormalization,
  removeNormalization,
  replaceActivations,
  setConfigPath,
  stripRegularization
} from '../../src-main/studies/spec-transforms'
import lenet5 from '../../examples/lenet5.json'
import mlp from '../../examples/mlp.json'

const lenet = lenet5.network as NetworkSpec
const lenetTraining = lenet5.training as TrainConfig
const types = (n: NetworkSpec) => n.layers.map((l) => l.type)

describe('study spec transforms', () => {
  it('stripRegularization removes dropout and normalization layers, weight decay, augmentation and early stopping', () => {
    const net: NetworkSpec = { ...lenet, layers: [lenet.layers[0]!, { type: 'batchnorm' }, ...lenet.layers.slice(1, 9), { type: 'dropout', rate: 0.3 }, ...lenet.layers.slice(9)] }
    const training: TrainConfig = { ...lenetTraining, optimizer: { type: 'adam', lr: 1e-3, weightDecay: 0.01 }, augmentation: { shift: 2 }, earlyStopping: { metric: 'val_loss', patience: 3 } }
    const out = stripRegularization(net, training)
    expect(types(out.network)).toEqual(types(lenet))
    expect(out.training.optimizer).toEqual({ type: 'adam', lr: 1e-3 })
    expect(out.training.augmentation).toBeUndefined()
    expect(out.training.earlyStopping).toBeUndefined()
    expect(training.optimizer.weightDecay).toBe(0.01) // the input is not changed
  })

  it('insertDropout puts dropout before every dense layer but the first; a single dense layer gets it before itself', () => {
    const out = insertDropout(lenet, 0.5)
    expect(types(out)).toEqual(['conv2d', 'relu', 'maxpool2d', 'conv2d', 'relu', 'maxpool2d', 'flatten', 'dense', 'relu', 'dropout', 'dense', 'relu', 'dropout', 'dense', 'softmax'])
    const single: NetworkSpec = { version: 1, input: { shape: [1, 8, 8] }, layers: [{ type: 'flatten' }, { type: 'dense', units: 4 }, { type: 'softmax' }] }
    expect(types(insertDropout(single, 0.2))).toEqual(['flatten', 'dropout', 'dense', 'softmax'])
    expect(() => insertDropout({ ...single, layers: [{ type: 'flatten' }] }, 0.5)).toThrow(/has none/)
  })

  it('insertNormalization goes after each convolution; MLPs get batch/layer norm after hidden dense layers and refuse instance/group', () => {
    for (const kind of ['batch', 'layer', 'instance', 'group'] as const) {
      const out = insertNormalization(lenet, kind)
      expect(types(out).slice(0, 3)).toEqual(['conv2d', `${kind}norm`, 'relu'])
      expect(analyzeNetwork(out).ok).toBe(true)
    }
    expect(insertNormalization(lenet, 'group').layers[1]).toEqual({ type: 'groupnorm', groups: 2 })
    const m = mlp.network as NetworkSpec
    const out = insertNormalization(m, 'batch')
    expect(analyzeNetwork(out).ok).toBe(true)
    expect(types(out).filter((t) => t === 'batchnorm')).toHaveLength(m.layers.filter((l) => l.type === 'dense').length - 1)
    expect(() => insertNormalization(m, 'instance')).toThrow(/needs convolution layers/)
    expect(types(removeNormalization(insertNormalization(lenet, 'batch')))).toEqual(types(lenet))
  })

  it('groupsFor divides the channels and keeps at least two per group', () => {
    expect([6, 16, 32, 3, 1].map(groupsFor)).toEqual([2, 8, 8, 1, 1])
  })

  it('replaceActivations swaps every activation but softmax', () => {
    const out = replaceActivations(lenet, 'tanh')
    expect(types(out).filter((t) => t === 'tanh')).toHaveLength(4)
    expect(types(out).at(-1)).toBe('softmax')
    expect(types(out)).not.toContain('relu')
  })

  it('setConfigPath sets nested values on a copy and refuses prototype paths and non-objects', () => {
    const out = setConfigPath(lenetTraining, 'optimizer.lr', 0.01)
    expect(out.optimizer.lr).toBe(0.01)
    expect(lenetTraining.optimizer.lr).toBe(0.001)
    expect(setConfigPath(lenetTraining, 'augmentation.shift', 2).augmentation).toEqual({ shift: 2 })
    expect(() => setConfigPath(lenetTraining, '__proto__.x', 1)).toThrow(/not a usable config path/)
    expect(() => setConfigPath(lenetTraining, 'epochs.x', 1)).toThrow(/epochs is not an object/)
  })
})
