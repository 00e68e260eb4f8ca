import { describe, expect, it } from 'vitest'
import {
  formatAccuracy,
  formatDuration,
  formatPoints,
  formatSeconds,
  parseGridAxes,
  parseGridValues,
  parseTrainSizes
} from '../../src-renderer/src/components/studies/study-format'
import { buildStudyRequest, type StudyForm } from '../../src-renderer/src/components/studies/study-request'
import { STUDY_PRESETS, defaultTrainingFor } from '../../src-renderer/src/components/studies/study-presets'

describe('grid axis values', () => {
  it('reads numbers, names and true/false', () => {
    expect(parseGridValues('0.001, 0.01', 'optimizer.lr')).toEqual([0.001, 0.01])
    expect(parseGridValues(' 1e-3 ,.5,2 ', 'optimizer.lr')).toEqual([0.001, 0.5, 2])
    expect(parseGridValues('adam, sgd', 'optimizer.type')).toEqual(['adam', 'sgd'])
    expect(parseGridValues('true,false', 'dataset.stratified')).toEqual([true, false])
  })

  it('names the path and the bad value', () => {
    expect(() => parseGridValues('0.01, 0.0.1', 'optimizer.lr')).toThrow('values of optimizer.lr: "0.0.1" is not a number, true/false or a name')
    expect(() => parseGridValues('0.01,,0.1', 'optimizer.lr')).toThrow('values of optimizer.lr: an empty value between commas')
    expect(() => parseGridValues('  ', 'optimizer.lr')).toThrow('values of optimizer.lr: no values')
    expect(() => parseGridValues('0.01, adam', 'optimizer.lr')).toThrow('mixes numbers, names and true/false')
    expect(() => parseGridValues('0.01, 1e-2', 'optimizer.lr')).toThrow('0.01 is listed twice')
  })

  it('turns rows into axes, skipping blank rows and naming the row of a problem', () => {
    expect(
      parseGridAxes([
        { path: 'optimizer.lr', values: '0.001, 0.01' },
        { path: ' ', values: '' },
        { path: 'batchSize', values: '32,64' }
      ])
    ).toEqual([
      { path: 'optimizer.lr', values: [0.001, 0.01] },
      { path: 'batchSize', values: [32, 64] }
    ])
    expect(() => parseGridAxes([{ path: '', values: '1' }])).toThrow('grid row 1: no config path')
    expect(() => parseGridAxes([{ path: 'optimizer..lr', values: '1' }])).toThrow('grid row 1: "optimizer..lr" is not a config path')
    expect(() => parseGridAxes([{ path: 'a', values: '1' }, { path: 'a', values: '2' }])).toThrow('grid row 2: a is already an axis')
    expect(() => parseGridAxes([{ path: 'batchSize', values: '32, x y' }])).toThrow('grid row 1: values of batchSize: "x y" is not')
    expect(() => parseGridAxes([])).toThrow('at least one axis')
  })

  it('reads training sizes as whole numbers', () => {
    expect(parseTrainSizes('250, 500,1000')).toEqual([250, 500, 1000])
    expect(() => parseTrainSizes('250, 2.5')).toThrow('"2.5" is not a whole number')
    expect(() => parseTrainSizes('0')).toThrow('"0" is not a whole number')
    expect(() => parseTrainSizes(' , ')).toThrow('list at least one')
  })
})

describe('formatting', () => {
  it('says how long in rounded words', () => {
    expect(formatDuration(3)).toBe('under 10 s')
    expect(formatDuration(42)).toBe('about 40 s')
    expect(formatDuration(6 * 60 + 10)).toBe('about 6 min')
    expect(formatDuration(59.9 * 60)).toBe('about 1 h')
    expect(formatDuration(80 * 60)).toBe('about 1 h 20 min')
    expect(formatDuration(Number.NaN)).toBe('unknown')
    expect(formatSeconds(185)).toBe('3 min 5 s')
    expect(formatSeconds(null)).toBe('—')
  })

  it('shows accuracies as percentages with the spread in points', () => {
    expect(formatAccuracy(0.9213)).toBe('92.1%')
    expect(formatAccuracy(0.9213, 0.004)).toBe('92.1% ± 0.4')
    expect(formatAccuracy(null)).toBe('—')
    expect(formatPoints(9.84, 1.23)).toBe('9.8 ± 1.2')
  })
})

describe('the new-study form → request', () => {
  const form = (over: Partial<StudyForm> = {}): StudyForm => ({
    kind: 'grid',
    name: '',
    repeats: 1,
    epochs: '',
    trainSize: '',
    trainSizes: '250, 500',
    grid: [{ path: 'optimizer.lr', values: '0.001, 0.01' }],
    ...over
  })
  const mlp = STUDY_PRESETS.find((p) => p.id === 'mlp')!.base

  it('overrides epochs (and a cosine schedule with them) and the training size, without touching the preset', () => {
    const r = buildStudyRequest(form({ epochs: '2', trainSize: '300', repeats: 3, name: ' quick ' }), mlp)
    expect(r.base.training.epochs).toBe(2)
    expect(r.base.training.schedule).toEqual({ type: 'cosine', epochs: 2 })
    expect(r.base.training.dataset.trainSize).toBe(300)
    expect(r.repeats).toBe(3)
    expect(r.name).toBe('quick')
    expect(r.grid).toEqual([{ path: 'optimizer.lr', values: [0.001, 0.01] }])
    expect(mlp.training.epochs).toBe(10)
  })

  it('sends only the options of its kind and refuses bad numbers by field', () => {
    const sizes = buildStudyRequest(form({ kind: 'training-size' }), mlp)
    expect(sizes.trainSizes).toEqual([250, 500])
    expect(sizes.grid).toBeUndefined()
    expect(() => buildStudyRequest(form({ epochs: 'two' }), mlp)).toThrow('epochs: "two" is not a whole number from 1 to 1000')
    expect(() => buildStudyRequest(form({ repeats: 6 }), mlp)).toThrow('repeats: 6')
    expect(() => buildStudyRequest(form({ grid: [{ path: 'optimizer.lr', values: 'fast!' }] }), mlp)).toThrow('grid row 1')
  })

  it('finds a training recipe for an editor network by its input shape', () => {
    expect(defaultTrainingFor({ version: 1, input: { shape: [1, 28, 28] }, layers: [] })?.dataset.id).toBe('mnist-10k')
    expect(defaultTrainingFor({ version: 1, input: { shape: [1, 16, 16] }, layers: [] })?.dataset.id).toBe('shapes')
    expect(defaultTrainingFor({ version: 1, input: { shape: [3, 32, 32] }, layers: [] })).toBeNull()
  })
})
