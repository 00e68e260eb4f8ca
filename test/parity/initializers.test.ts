/**
 * Initializer parity with torch.nn.init 1.13 (fixtures: test/fixtures/torch/initializers.json, made by
 * scripts/make_torch_fixtures.py) on weights [64,32,3,3] (conv2d, fanIn 288, fanOut 576) and [256,400]
 * (dense, fanIn 400, fanOut 256). Xavier = xavier_*_, He = kaiming_*_(fan_in, relu), LeCun =
 * kaiming_*_(fan_in, linear).
 *
 * Tolerances:
 *   formula: our initStatistics std/bound equal torch's formula values to 1e-12 relative;
 *   samples: the std of weights createNetwork initialized (per-layer `init`) within 3% of torch's formula
 *   std, |mean| < 3% of it, and max|w| ≤ bound (≥ 97% of it) for uniform / between 3 and 6.5 std for normal.
 *   Torch's own sample is held to the same 3% as a check of the fixture.
 */
import { describe, it, expect } from 'vitest'
import { createNetwork } from '../../src-engine/network'
import { initStatistics, type ConcreteInitializer } from '../../src-engine/init/initializers'
import { DTYPES, expectCloseScalar, loadFixture, type Tolerance } from './fixtures'

const FORMULA_TOLERANCE: Tolerance = { rel: 1e-12, abs: 0 }
const SAMPLE_RELATIVE = 0.03

interface InitCase {
  name: ConcreteInitializer
  shape: number[]
  torchCall: string
  fanIn: number
  fanOut: number
  distribution: 'uniform' | 'normal'
  std: number
  bound: number | 'Infinity'
  sample: { std: number; mean: number; maxAbs: number; count: number }
}

const fixture = loadFixture<{ cases: InitCase[] }>('initializers.json')

function specFor(c: InitCase): unknown {
  if (c.shape.length === 4) {
    const [out, inC, k] = c.shape
    return { version: 1, input: { shape: [inC, k + 2, k + 2] }, layers: [{ type: 'conv2d', filters: out, kernel: k, init: c.name }] }
  }
  const [out, inF] = c.shape
  return { version: 1, input: { shape: [inF] }, layers: [{ type: 'dense', units: out, init: c.name }] }
}

function statistics(data: ArrayLike<number>): { std: number; mean: number; maxAbs: number } {
  let sum = 0
  let maxAbs = 0
  for (let i = 0; i < data.length; i++) {
    sum += data[i]
    maxAbs = Math.max(maxAbs, Math.abs(data[i]))
  }
  const mean = sum / data.length
  let sq = 0
  for (let i = 0; i < data.length; i++) sq += (data[i] - mean) ** 2
  return { std: Math.sqrt(sq / data.length), mean, maxAbs }
}

function checkSample(label: string, s: { std: number; mean: number; maxAbs: number }, c: InitCase): void {
  expect(Math.abs(s.std - c.std) / c.std, `${label}: sample std ${s.std} vs formula ${c.std}`).toBeLessThan(SAMPLE_RELATIVE)
  expect(Math.abs(s.mean) / c.std, `${label}: sample mean ${s.mean} (std ${c.std})`).toBeLessThan(SAMPLE_RELATIVE)
  if (c.distribution === 'uniform') {
    const bound = c.bound as number
    expect(s.maxAbs, `${label}: max|w| within the bound ${bound}`).toBeLessThanOrEqual(bound * (1 + 1e-7))
    expect(s.maxAbs, `${label}: max|w| reaches near the bound ${bound}`).toBeGreaterThan(bound * 0.97)
  } else {
    expect(s.maxAbs / c.std, `${label}: max|w| in std units`).toBeGreaterThan(3)
    expect(s.maxAbs / c.std, `${label}: max|w| in std units`).toBeLessThan(6.5)
  }
}

describe('initializers vs torch.nn.init', () => {
  for (const c of fixture.cases) {
    const title = `${c.name} on [${c.shape.join(', ')}] (${c.torchCall})`
    it(`${title}: initStatistics equals torch's formula`, () => {
      const ours = initStatistics(c.name, c.fanIn, c.fanOut)
      expect(ours.distribution).toBe(c.distribution)
      expectCloseScalar('std', ours.std, c.std, FORMULA_TOLERANCE)
      if (c.distribution === 'uniform') expectCloseScalar('bound', ours.bound, c.bound as number, FORMULA_TOLERANCE)
      checkSample('torch sample', c.sample, c)
    })
    for (const dtype of DTYPES) {
      it(`${title}: createNetwork's ${dtype} weights have torch's statistics`, () => {
        const net = createNetwork(specFor(c), { dtype, seed: 2024 })
        const weight = net.params().find((p) => p.name === '0.weight')!
        expect(weight.value.shape).toEqual(c.shape)
        checkSample(`ours (${dtype})`, statistics(weight.value.data), c)
      })
    }
  }
})
