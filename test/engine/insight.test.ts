import { describe, expect, it } from 'vitest'
import { histogram, PredictionRecorder } from '../../src-engine/train/insight'
import { Trainer } from '../../src-engine/train/trainer'
import type { TrainEvent } from '../../src-engine/train/events'
import { makeShapesDataset } from '../../src-engine/data/shapes'
import { prepareTrainData } from '../../src-engine/train/prepare-data'
import { createNetwork } from '../../src-engine/network'
import { network, training } from '../runs/helpers'

describe('PredictionRecorder', () => {
  it('softmaxes logits, keeps the top 3 in order and counts the confusion matrix by (true, predicted)', () => {
    const r = new PredictionRecorder(3, 4, true)
    // Sample 0: class 2 wins; sample 1: class 0 then 3; sample 2: ties between 1 and 3 go to the lower class.
    r.add(Float32Array.from([0, 1, 3, -1, 5, 0, 0, 4, 0, 2, 0, 2]), Int32Array.from([2, 3, 1]))
    expect(r.complete).toBe(true)
    expect(Array.from(r.topLabels)).toEqual([2, 1, 0, 0, 3, 1, 1, 3, 0])
    const e = [1, Math.E, Math.E ** 3, Math.E ** -1]
    const sum = e.reduce((a, b) => a + b)
    expect(r.topScores[0]).toBeCloseTo(e[2] / sum, 6)
    expect(r.topScores[1]).toBeCloseTo(e[1] / sum, 6)
    expect(Array.from(r.labels)).toEqual([2, 3, 1])
    const c = Array.from(r.confusion)
    expect(c[2 * 4 + 2]).toBe(1) // true 2 predicted 2
    expect(c[3 * 4 + 0]).toBe(1) // true 3 predicted 0
    expect(c[1 * 4 + 1]).toBe(1) // true 1 predicted 1 (tie)
    expect(c.reduce((a, b) => a + b)).toBe(3)
  })

  it('keeps raw outputs when they are not logits, and refuses more samples than the split has', () => {
    const r = new PredictionRecorder(1, 2, false)
    r.add(Float32Array.from([0.25, 0.75]), Int32Array.from([0]))
    expect(Array.from(r.topScores)).toEqual([0.75, 0.25])
    expect(() => r.add(Float32Array.from([1, 0]), Int32Array.from([0]))).toThrow(/more than the 1 validation samples/)
  })
})

describe('histogram', () => {
  it('bins every finite value once over [min, max], with mean and std', () => {
    const h = histogram(Float32Array.from([0, 1, 2, 3, NaN, 4]), 4)
    expect(h).toMatchObject({ min: 0, max: 4, mean: 2 })
    expect(h.std).toBeCloseTo(Math.sqrt(2), 6)
    expect(h.counts).toEqual([1, 1, 1, 2])
    expect(histogram(Float32Array.from([5, 5]), 4).counts).toEqual([0, 0, 2, 0])
  })
})

describe('Trainer with recordInsights', () => {
  it('records, after every validated epoch, a confusion matrix that matches the validation accuracy, the weights and the last step’s gradients', () => {
    const data = prepareTrainData(makeShapesDataset({ count: 2000, seed: 0 }), training(2).dataset)
    const trainer = new Trainer(network, training(2), data, { recordInsights: true })
    const events: TrainEvent[] = []
    trainer.runToEnd((e) => events.push(e))
    const types = events.map((e) => e.type).filter((t) => t !== 'step')
    expect(types).toEqual(['start', 'epoch', 'insight', 'checkpoint', 'epoch', 'insight', 'checkpoint', 'done'])
    const epochs = events.filter((e) => e.type === 'epoch')
    const insights = events.flatMap((e) => (e.type === 'insight' ? [e.insight] : []))
    insights.forEach((insight, i) => {
      expect(insight.epoch).toBe(i)
      expect(insight.classes).toBe(4)
      expect(insight.scoreKind).toBe('probability')
      const counts = Array.from(insight.confusion)
      expect(counts.reduce((a, b) => a + b)).toBe(200)
      const trace = [0, 1, 2, 3].reduce((s, t) => s + counts[t * 4 + t], 0)
      expect(trace / 200).toBeCloseTo(epochs[i].valAccuracy!, 12)
      expect(Array.from(insight.labels)).toEqual(Array.from(data.validation!.labels))
      for (const h of insight.histograms) {
        const size = insight.weights[h.name].data.length
        expect(h.weights.counts.reduce((a, b) => a + b)).toBe(size)
        expect(h.gradients.counts.reduce((a, b) => a + b)).toBe(size)
        expect(h.gradients.std).toBeGreaterThan(0)
      }
    })
    // The last epoch's recorded weights are the final weights (no early stopping here).
    const final = trainer.network.stateDict()
    for (const [name, entry] of Object.entries(final)) expect(Array.from(insights[1].weights[name].data)).toEqual(Array.from(entry.data))
    // Recorded top-1 = the argmax of the final network on each validation sample.
    const probe = createNetwork(network)
    probe.loadStateDict(final)
    const x = new Float32Array(256)
    for (const i of [0, 17, 199]) {
      const raw = data.validation!.images.subarray(i * 256, (i + 1) * 256)
      for (let j = 0; j < 256; j++) x[j] = raw[j] / 255
      const y = probe.forward({ shape: [1, 1, 16, 16], data: x }, 'eval')
      const argmax = Array.from(y.data).indexOf(Math.max(...y.data))
      expect(insights[1].topLabels[i * 3]).toBe(argmax)
      expect(insights[1].topScores[i * 3]).toBeCloseTo(Math.max(...y.data), 5)
    }
  })

  it('records nothing without a validation split or without the option', () => {
    const events: TrainEvent[] = []
    const noVal = { ...training(1), dataset: { id: 'shapes', validationSize: 0 } }
    new Trainer(network, noVal, prepareTrainData(makeShapesDataset({ count: 300, seed: 0 }), noVal.dataset), { recordInsights: true }).runToEnd((e) => events.push(e))
    new Trainer(network, training(1), prepareTrainData(makeShapesDataset({ count: 300, seed: 0 }), training(1).dataset)).runToEnd((e) => events.push(e))
    expect(events.some((e) => e.type === 'insight')).toBe(false)
  })
})

describe('network.trace', () => {
  it('returns every layer’s output; the last equals forward, and a pooled map is smaller than its input', () => {
    const net = createNetwork({ version: 1, input: { shape: [1, 8, 8] }, layers: [{ type: 'conv2d', filters: 2, kernel: 3, padding: 'same' }, { type: 'relu' }, { type: 'maxpool2d', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 3 }, { type: 'softmax' }] }, { seed: 4 })
    const x = { shape: [1, 1, 8, 8], data: Float32Array.from({ length: 64 }, (_, i) => Math.sin(i)) }
    const trace = net.trace(x)
    expect(trace.map((t) => t.shape)).toEqual([[1, 2, 8, 8], [1, 2, 8, 8], [1, 2, 4, 4], [1, 32], [1, 3], [1, 3]])
    expect(Array.from(trace[1].data)).toEqual(Array.from(trace[0].data, (v) => Math.max(0, v)))
    expect(Array.from(trace[5].data)).toEqual(Array.from(net.forward(x, 'eval').data))
  })
})
