/**
 * The numbers behind the Inside views, checked against the engine: the filter grid reads each kernel in
 * the order the engine's convolution multiplies it, feature-map pictures are the engine's activations
 * layer by layer (pooling shrinks them as analyzeNetwork says), histograms keep their counts when re-binned.
 */
import { describe, expect, it } from 'vitest'
import { createNetwork, type Network } from '../../src-engine/network'
import { analyzeNetwork, type NetworkSpec } from '../../src-engine/spec/network-spec'
import type { ConfusionMatrix, FilterBank, Histogram } from '../../src-main/contract/inspect-types'
import {
  activationPicture,
  cellShare,
  confusionProblems,
  diverging,
  featureMapImage,
  filterBankImage,
  filterPixel,
  histogramHeatImage,
  kernelOf,
  maxAbs,
  range,
  rebinHistogram,
  sameWeights,
  vectorStripImage,
  weightsChoices,
  weightsLabel
} from '../../src-renderer/src/components/inside/inside-render'
import lenet5 from '../../examples/lenet5.json'

const lenet = lenet5.network as NetworkSpec

function pixel(img: { width: number; rgba: Uint8ClampedArray }, x: number, y: number): number[] {
  return Array.from(img.rgba.slice((y * img.width + x) * 4, (y * img.width + x) * 4 + 4))
}

/** A FilterBank as the contract describes it, from the engine's state dict (PyTorch [o][i][kh][kw] order). */
function bankOf(net: Network, layer: number): FilterBank {
  const w = net.stateDict()[`${layer}.weight`]!
  const [outChannels, inChannels, kernelH, kernelW] = w.shape as [number, number, number, number]
  const weights = Array.from(w.data)
  return { layer, name: `conv${layer}`, outChannels, inChannels, kernelH, kernelW, weights, maxAbs: maxAbs(weights) }
}

/** Activations after every layer, from prefixes of the network sharing its weights. */
function activations(spec: NetworkSpec, net: Network, input: Float64Array): { shape: number[]; values: number[] }[] {
  const state = net.stateDict()
  return spec.layers.map((_, k) => {
    const prefix = createNetwork({ ...spec, layers: spec.layers.slice(0, k + 1) }, { dtype: 'float64' })
    const names = Object.keys(prefix.stateDict())
    prefix.loadStateDict(Object.fromEntries(names.map((n) => [n, state[n]!])))
    const y = prefix.forward({ shape: [1, ...spec.input.shape], data: input }, 'eval')
    return { shape: y.shape.slice(1), values: Array.from(y.data) }
  })
}

describe('diverging colour map', () => {
  it('maps -1, 0 and +1 to blue, near-white and red, and clamps beyond', () => {
    expect(diverging(-1)).toEqual([33, 102, 172])
    expect(diverging(0)).toEqual([247, 247, 247])
    expect(diverging(1)).toEqual([178, 24, 43])
    expect(diverging(7)).toEqual(diverging(1))
    expect(diverging(-0.5)[2]).toBeGreaterThan(diverging(-0.5)[0])
    expect(diverging(NaN)).toEqual(diverging(0))
  })
})

describe('filter grid against the engine', () => {
  it('reads kernel (o, i) pixel (y, x) as the weight the engine convolution multiplies input pixel (y, x) of channel i with', () => {
    // A 3×3 input and a 3×3 kernel without padding: output (o, 0, 0) = Σ w[o,i,y,x]·in[i,y,x] + b[o].
    const spec: NetworkSpec = { version: 1, input: { shape: [2, 3, 3] }, layers: [{ type: 'conv2d', filters: 3, kernel: 3 }] }
    const net = createNetwork(spec, { seed: 11, dtype: 'float64' })
    const bias = Array.from(net.stateDict()['0.bias']!.data)
    const bank = bankOf(net, 0)
    let checked = 0
    for (let i = 0; i < 2; i++) {
      for (let y = 0; y < 3; y++) {
        for (let x = 0; x < 3; x++) {
          const input = new Float64Array(18)
          input[i * 9 + y * 3 + x] = 1
          const out = net.forward({ shape: [1, 2, 3, 3], data: input }, 'eval').data
          for (let o = 0; o < 3; o++) {
            expect(kernelOf(bank, o, i)[y * 3 + x]).toBeCloseTo(out[o]! - bias[o]!, 12)
            checked++
          }
        }
      }
    }
    expect(checked).toBe(54)
  })

  it("draws LeNet-5's second conv bank with rows = output and columns = input channels, each kernel scaled to its own max |w|", () => {
    const net = createNetwork(lenet, { seed: 5 })
    const bank = bankOf(net, 3)
    expect([bank.outChannels, bank.inChannels, bank.kernelH, bank.kernelW]).toEqual([16, 6, 5, 5])
    const gain = 2
    const img = filterBankImage(bank, gain)
    expect(img.width).toBe(6 * 5 + 7)
    expect(img.height).toBe(16 * 5 + 17)
    for (const [o, i, y, x] of [
      [0, 0, 0, 0],
      [15, 5, 4, 4],
      [7, 2, 1, 3],
      [3, 4, 2, 0]
    ] as const) {
      const k = kernelOf(bank, o, i)
      const w = net.stateDict()['3.weight']!.data[((o * 6 + i) * 5 + y) * 5 + x]!
      expect(k[y * 5 + x]).toBe(w)
      const at = filterPixel(bank, o, i, y, x)
      expect(pixel(img, at.x, at.y)).toEqual([...diverging((w / maxAbs(k)) * gain), 255])
    }
    // The kernel's largest |w| saturates at gain 1: every kernel reaches a colour end.
    const plain = filterBankImage(bank, 1)
    const k = kernelOf(bank, 9, 1)
    const j = k.findIndex((v) => Math.abs(v) === maxAbs(k))
    const at = filterPixel(bank, 9, 1, Math.floor(j / 5), j % 5)
    expect(pixel(plain, at.x, at.y)).toEqual([...(k[j]! > 0 ? diverging(1) : diverging(-1)), 255])
    // Gaps between kernels stay white.
    expect(pixel(img, 0, 0)).toEqual([255, 255, 255, 255])
    expect(pixel(img, 6, 3)).toEqual([255, 255, 255, 255])
  })

  it('refuses a bank whose weights do not match its shape', () => {
    const bank: FilterBank = { layer: 0, name: 'c', outChannels: 2, inChannels: 1, kernelH: 3, kernelW: 3, weights: [1, 2, 3], maxAbs: 3 }
    expect(() => filterBankImage(bank, 1)).toThrow('filter bank "c": 2×1×3×3 needs 18 weights, got 3')
  })
})

describe('feature maps against the engine', () => {
  it("pictures LeNet-5's activations layer by layer: shapes as analyzeNetwork says, grey levels from the layer's range", () => {
    const net = createNetwork(lenet, { seed: 3, dtype: 'float64' })
    const input = Float64Array.from({ length: 784 }, (_, p) => ((p * 37) % 101) / 100)
    const acts = activations(lenet, net, input)
    const analysis = analyzeNetwork(lenet)
    const shapes = acts.map((a) => a.shape)
    expect(shapes).toEqual(analysis.layers.map((l) => l.outputShape))
    // Pooling visibly shrinks the maps: 28 → 14 → 10 → 5.
    expect(shapes.filter((s) => s.length === 3).map((s) => s[1])).toEqual([28, 28, 14, 10, 10, 5])

    const conv1 = activationPicture(acts[0]!.values, acts[0]!.shape, 32)
    if (conv1.kind !== 'maps') throw new Error('conv output should be drawn as maps')
    expect(conv1.maps).toHaveLength(6)
    expect(conv1.hidden).toBe(0)
    expect({ min: conv1.min, max: conv1.max }).toEqual(range(acts[0]!.values))
    const c = 4
    const p = 13 * 28 + 9
    const v = acts[0]!.values[c * 784 + p]!
    expect(pixel(conv1.maps[c]!, 9, 13)[0]).toBe(Math.round(((v - conv1.min) / (conv1.max - conv1.min)) * 255))

    const pooled = activationPicture(acts[5]!.values, acts[5]!.shape, 8)
    if (pooled.kind !== 'maps') throw new Error('pooled output should be drawn as maps')
    expect(pooled.maps.map((m) => [m.width, m.height])).toEqual(Array(8).fill([5, 5]))
    expect(pooled.hidden).toBe(8)

    const probs = activationPicture(acts[12]!.values, acts[12]!.shape, 32)
    expect(probs.kind).toBe('vector')
    expect(acts[12]!.values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
  })

  it('draws a flat map mid-grey and refuses values that do not fit the shape', () => {
    expect(pixel(featureMapImage([2, 2, 2, 2], [1, 2, 2], 0, 2, 2), 1, 1)).toEqual([128, 128, 128, 255])
    expect(() => featureMapImage([1, 2, 3], [1, 2, 2], 0, 0, 1)).toThrow('feature maps need [C, H, W] values; got shape [1, 2, 2] with 3 values')
  })

  it('draws vectors through the diverging map scaled by their largest |v|', () => {
    const img = vectorStripImage([-2, 0, 1])
    expect(img.width).toBe(3)
    expect(pixel(img, 0, 0)).toEqual([...diverging(-1), 255])
    expect(pixel(img, 1, 0)).toEqual([...diverging(0), 255])
    expect(pixel(img, 2, 0)).toEqual([...diverging(0.5), 255])
  })
})

describe('histograms', () => {
  function histogramOf(values: readonly number[], bins: number): Histogram {
    const { min, max } = range(values)
    const counts = new Array<number>(bins).fill(0)
    for (const v of values) counts[Math.min(bins - 1, Math.floor(((v - min) / (max - min)) * bins))]!++
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length)
    return { min, max, mean, std, counts }
  }

  it("re-bins an engine layer's weight histogram onto a wider axis without losing or moving mass", () => {
    const net = createNetwork(lenet, { seed: 9 })
    const w = Array.from(net.stateDict()['7.weight']!.data)
    const h = histogramOf(w, 16)
    expect(rebinHistogram(h, h.min, h.max, 16).map((c) => Math.round(c * 1e9) / 1e9)).toEqual(h.counts)
    const lo = h.min - (h.max - h.min)
    const hi = h.max + (h.max - h.min)
    const wide = rebinHistogram(h, lo, hi, 48)
    expect(wide.reduce((a, b) => a + b, 0)).toBeCloseTo(w.length, 6)
    // The original range is the middle third of the wider axis: nothing falls outside it.
    expect(wide.slice(0, 16).every((c) => c === 0)).toBe(true)
    expect(wide.slice(32).every((c) => c === 0)).toBe(true)
    // Mean from the re-binned counts (bin centres) stays close to the true mean.
    const centre = (k: number) => lo + ((k + 0.5) * (hi - lo)) / 48
    const mean = wide.reduce((a, c, k) => a + c * centre(k), 0) / w.length
    expect(Math.abs(mean - h.mean)).toBeLessThan((hi - lo) / 48)
  })

  it('puts a histogram of one repeated value in one bin', () => {
    const h: Histogram = { min: 0.5, max: 0.5, mean: 0.5, std: 0, counts: [7, 0, 0] }
    const out = rebinHistogram(h, 0, 1, 4)
    expect(out).toEqual([0, 0, 7, 0])
    // Every epoch at the same single value: the axis is one point, drawn in the middle.
    expect(rebinHistogram({ ...h, min: 0, max: 0 }, 0, 0, 5)).toEqual([0, 0, 7, 0, 0])
  })

  it('shades each epoch row relative to its fullest bin on one shared axis', () => {
    const a: Histogram = { min: 0, max: 1, mean: 0.5, std: 0.1, counts: [1, 3] }
    const b: Histogram = { min: 1, max: 2, mean: 1.5, std: 0.1, counts: [10, 0] }
    const img = histogramHeatImage([a, b], 4)
    expect([img.lo, img.hi, img.width, img.height]).toEqual([0, 2, 4, 2])
    expect(img.rows[0]).toEqual([1, 3, 0, 0])
    expect(img.rows[1]).toEqual([0, 0, 10, 0])
    const dark = [30, 58, 138, 255]
    expect(pixel(img, 1, 0)).toEqual(dark)
    expect(pixel(img, 2, 1)).toEqual(dark)
    expect(pixel(img, 3, 1)).toEqual([255, 255, 255, 255])
  })
})

describe('confusion matrix and weights choices', () => {
  const cm: ConfusionMatrix = {
    epoch: 1,
    classes: ['a', 'b', 'c'],
    counts: [
      [8, 2, 0],
      [1, 4, 0],
      [0, 0, 0]
    ],
    total: 15,
    accuracy: 12 / 15,
    perClassAccuracy: [0.8, 0.8, null]
  }
  it("shades a cell by its share of the true class's row and checks that the counts add up", () => {
    expect(cellShare(cm, 0, 1)).toBeCloseTo(0.2)
    expect(cellShare(cm, 2, 2)).toBe(0)
    expect(confusionProblems(cm)).toEqual([])
    expect(confusionProblems({ ...cm, total: 16 })).toEqual(['its counts sum to 15, not the total 16'])
  })
  it('orders weights choices as epochs, best, final and labels epochs 1-based', () => {
    expect(weightsChoices([0, 1], true, true)).toEqual([{ epoch: 0 }, { epoch: 1 }, 'best', 'final'])
    expect(weightsChoices([0], false, true)).toEqual([{ epoch: 0 }, 'final'])
    expect(weightsLabel({ epoch: 0 })).toBe('epoch 1')
    expect(weightsLabel('best')).toBe('best weights')
    expect(sameWeights({ epoch: 2 }, { epoch: 2 })).toBe(true)
    expect(sameWeights({ epoch: 2 }, 'final')).toBe(false)
  })
})
