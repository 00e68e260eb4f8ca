import { describe, expect, it } from 'vitest'
import { analyzeNetwork, type NetworkSpec } from '../../src-engine/spec/network-spec'
import { validateTrainConfig, type TrainConfig } from '../../src-engine/train/train-config'
import { buildStudyVariants, gridCombinations, MAX_STUDY_RUNS, repeatSeeds } from '../../src-main/studies/study-kinds'
import { STUDY_KINDS, type StudyKind } from '../../src-main/studies/study-types'
import lenet5 from '../../examples/lenet5.json'
import mlp from '../../examples/mlp.json'
import smallVgg from '../../examples/small-vgg.json'
import overfitMe from '../../examples/overfit-me.json'

const examples = { lenet5, mlp, smallVgg, overfitMe } as Record<string, { network: unknown; training: unknown }>

describe('ready-made studies', () => {
  for (const [name, ex] of Object.entries(examples)) {
    for (const kind of STUDY_KINDS.filter((k) => k !== 'grid')) {
      it(`${kind} from ${name}: every variant is a valid network and config, on the same split and seed`, () => {
        const base = { network: ex.network as NetworkSpec, training: ex.training as TrainConfig }
        const { variants } = buildStudyVariants({ kind: kind as StudyKind, base }, 8000)
        expect(variants.length).toBeGreaterThanOrEqual(kind === 'training-size' ? 5 : 3)
        expect(new Set(variants.map((v) => v.label)).size).toBe(variants.length)
        for (const v of variants) {
          const analysis = analyzeNetwork(v.network)
          expect(analysis.issues.map((i) => i.message), v.label).toEqual([])
          expect(validateTrainConfig(v.training), v.label).toEqual([])
          expect(v.training.seed).toBe(base.training.seed)
          expect(v.training.dataset.splitSeed).toBe(base.training.dataset.splitSeed)
          expect(v.training.dataset.validationSize).toBe(base.training.dataset.validationSize)
        }
      })
    }
  }

  it('regularization: the baseline has no regularizer and each variant adds exactly its own', () => {
    const base = { network: lenet5.network as NetworkSpec, training: { ...(lenet5.training as TrainConfig), augmentation: { noise: 0.1 } } }
    const v = Object.fromEntries(buildStudyVariants({ kind: 'regularization', base }).variants.map((x) => [x.label, x]))
    expect(Object.keys(v)).toEqual(['none', 'weight decay 0.001', 'dropout 0.5', 'batch norm', 'augmentation', 'early stopping', 'all together'])
    expect(v.none!.training.augmentation).toBeUndefined()
    expect(v['weight decay 0.001']!.training.optimizer.weightDecay).toBe(0.001)
    expect(v['dropout 0.5']!.network.layers.filter((l) => l.type === 'dropout')).toHaveLength(2)
    expect(v['batch norm']!.network.layers.filter((l) => l.type === 'batchnorm')).toHaveLength(2)
    expect(v.augmentation!.training.augmentation).toEqual({ shift: 2 })
    expect(v['early stopping']!.training.earlyStopping).toMatchObject({ metric: 'val_loss', patience: 5 })
    const all = v['all together']!
    expect(all.network.layers.filter((l) => l.type === 'dropout' || l.type === 'batchnorm')).toHaveLength(4)
    expect(all.training).toMatchObject({ optimizer: { weightDecay: 0.001 }, augmentation: { shift: 2 }, earlyStopping: { patience: 5 } })
  })

  it('training-size: sizes above what the dataset has are left out; stratified subsets', () => {
    const base = { network: lenet5.network as NetworkSpec, training: lenet5.training as TrainConfig }
    const { variants } = buildStudyVariants({ kind: 'training-size', base }, 1500)
    expect(variants.map((v) => v.training.dataset.trainSize)).toEqual([250, 500, 1000])
    expect(variants.every((v) => v.training.dataset.stratified === true)).toBe(true)
    expect(() => buildStudyVariants({ kind: 'training-size', base, trainSizes: [5000] }, 1500)).toThrow(/none of the training sizes/)
  })

  it('grid: the product of the axes, labelled by their values; too many runs are refused', () => {
    expect(gridCombinations([{ path: 'a', values: [1, 2] }, { path: 'b', values: ['x', 'y', 'z'] }])).toHaveLength(6)
    const base = { network: lenet5.network as NetworkSpec, training: lenet5.training as TrainConfig }
    const { variants } = buildStudyVariants({ kind: 'grid', base, grid: [{ path: 'optimizer.lr', values: [0.001, 0.01] }, { path: 'batchSize', values: [32, 64] }] })
    expect(variants.map((v) => v.label)).toEqual(['optimizer.lr=0.001, batchSize=32', 'optimizer.lr=0.001, batchSize=64', 'optimizer.lr=0.01, batchSize=32', 'optimizer.lr=0.01, batchSize=64'])
    expect(variants[3]!.training).toMatchObject({ batchSize: 64, optimizer: { lr: 0.01 } })
    const big = { kind: 'grid' as const, base, grid: [{ path: 'seed', values: Array.from({ length: 20 }, (_, i) => i) }], repeats: 4 }
    expect(() => buildStudyVariants(big)).toThrow(new RegExp(`80 runs; the limit is ${MAX_STUDY_RUNS}`))
    expect(() => buildStudyVariants({ kind: 'grid', base })).toThrow(/at least one axis/)
  })

  it('repeats use the same seeds in every variant', () => {
    expect(repeatSeeds(7, 3)).toEqual([7, 8, 9])
  })
})
