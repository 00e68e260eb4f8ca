import { describe, it, expect } from 'vitest'
import { learningRateAt, validateSchedule, type LrSchedule } from '../../src-engine/optim/schedule'

function lrs(schedule: LrSchedule, epochs: number, warmup?: { epochs: number; startFactor: number }): number[] {
  return Array.from({ length: epochs }, (_, e) => learningRateAt(0.1, schedule, e, warmup))
}

function expectAll(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length)
  actual.forEach((v, i) => expect(v, `epoch ${i}`).toBeCloseTo(expected[i], 14))
}

describe('learningRateAt', () => {
  it('constant', () => {
    expect(lrs({ type: 'constant' }, 5)).toEqual([0.1, 0.1, 0.1, 0.1, 0.1])
  })

  it('step: lr·γ^⌊e/stepSize⌋ (StepLR)', () => {
    expectAll(lrs({ type: 'step', stepSize: 3, gamma: 0.5 }, 8), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025])
  })

  it('exponential: lr·γ^e (ExponentialLR)', () => {
    expectAll(lrs({ type: 'exponential', gamma: 0.9 }, 4), [0.1, 0.09, 0.081, 0.0729])
  })

  it('cosine: minLr + (lr − minLr)(1 + cos(πe/T))/2, then holds at minLr past T', () => {
    const c = Math.cos(Math.PI / 4)
    expectAll(lrs({ type: 'cosine', epochs: 4, minLr: 0.01 }, 7), [
      0.1,
      0.01 + (0.09 * (1 + c)) / 2,
      0.055,
      0.01 + (0.09 * (1 - c)) / 2,
      0.01,
      0.01,
      0.01
    ])
  })

  it('cosine: minLr defaults to 0', () => {
    expectAll(lrs({ type: 'cosine', epochs: 2 }, 4), [0.1, 0.05, 0, 0])
  })

  it('linear warm-up from startFactor·lr to lr, then the schedule from its own epoch 0 (LinearLR)', () => {
    const warmup = { epochs: 3, startFactor: 0.1 }
    expectAll(lrs({ type: 'constant' }, 5, warmup), [0.01, 0.04, 0.07, 0.1, 0.1])
    expectAll(lrs({ type: 'step', stepSize: 2, gamma: 0.5 }, 8, warmup), [0.01, 0.04, 0.07, 0.1, 0.1, 0.05, 0.05, 0.025])
    expectAll(lrs({ type: 'exponential', gamma: 0.5 }, 6, warmup), [0.01, 0.04, 0.07, 0.1, 0.05, 0.025])
    expectAll(lrs({ type: 'cosine', epochs: 2, minLr: 0.02 }, 7, warmup), [0.01, 0.04, 0.07, 0.1, 0.06, 0.02, 0.02])
  })

  it('a warm-up of 0 epochs, or startFactor 1, changes nothing', () => {
    const schedule: LrSchedule = { type: 'exponential', gamma: 0.9 }
    expect(lrs(schedule, 4, { epochs: 0, startFactor: 0.1 })).toEqual(lrs(schedule, 4))
    expectAll(lrs({ type: 'constant' }, 3, { epochs: 2, startFactor: 1 }), [0.1, 0.1, 0.1])
  })

  it('rejects a negative or fractional epoch', () => {
    expect(() => learningRateAt(0.1, { type: 'constant' }, -1)).toThrow('epoch must be a whole number >= 0, got -1')
    expect(() => learningRateAt(0.1, { type: 'constant' }, 1.5)).toThrow('got 1.5')
  })
})

describe('validateSchedule', () => {
  it('accepts every valid schedule', () => {
    expect(validateSchedule({ type: 'constant' })).toEqual([])
    expect(validateSchedule({ type: 'step', stepSize: 10, gamma: 0.5 })).toEqual([])
    expect(validateSchedule({ type: 'exponential', gamma: 0.95 })).toEqual([])
    expect(validateSchedule({ type: 'cosine', epochs: 30 })).toEqual([])
    expect(validateSchedule({ type: 'cosine', epochs: 30, minLr: 1e-5 })).toEqual([])
  })

  it('names the bad field', () => {
    expect(validateSchedule(null)).toEqual(['schedule must be an object like {"type": "step", "stepSize": 10, "gamma": 0.5}, got null'])
    expect(validateSchedule({ type: 'linear' })).toEqual(['schedule.type must be one of "constant", "step", "exponential", "cosine", got "linear"'])
    expect(validateSchedule({ type: 'step', stepSize: 0, gamma: 0.5 })).toEqual(['schedule.stepSize must be a whole number >= 1, got 0'])
    expect(validateSchedule({ type: 'step', stepSize: 2.5, gamma: 0.5 })).toEqual(['schedule.stepSize must be a whole number >= 1, got 2.5'])
    expect(validateSchedule({ type: 'step', stepSize: 2 })).toEqual(['schedule.gamma must be a number in (0, 1], got nothing'])
    expect(validateSchedule({ type: 'exponential', gamma: 1.5 })).toEqual(['schedule.gamma must be a number in (0, 1], got 1.5'])
    expect(validateSchedule({ type: 'exponential', gamma: 0 })).toEqual(['schedule.gamma must be a number in (0, 1], got 0'])
    expect(validateSchedule({ type: 'cosine' })).toEqual(['schedule.epochs must be a whole number >= 1, got nothing'])
    expect(validateSchedule({ type: 'cosine', epochs: 10, minLr: -1 })).toEqual(['schedule.minLr must be a number >= 0, got -1'])
    expect(validateSchedule({ type: 'exponential', gamma: 0.9, stepSize: 3 })).toEqual(['schedule: unknown field "stepSize" for type "exponential"'])
  })
})
