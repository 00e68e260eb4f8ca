/**
 * Layer-by-layer parity with PyTorch 1.13 (fixtures: test/fixtures/torch/layers.json, made by
 * scripts/make_torch_fixtures.py). Each case is a one-layer NetworkSpec built with createNetwork; the
 * torch state dict is loaded, x goes forward in the case's mode, R goes backward (L = Σ y ⊙ R), and
 * y, dL/dx, every parameter gradient and (train mode) the updated buffers are compared.
 *
 * Tolerances, per element |got − expected| ≤ abs + rel·|expected|:
 *   float64: rel 1e-9, abs 1e-12
 *   float32: rel 1e-4, abs 1e-5
 */
import { describe, it, expect } from 'vitest'
import { createNetwork } from '../../src-engine/network'
import type { DType } from '../../src-engine/core/tensor'
import type { Mode } from '../../src-engine/layers/layer'
import { kernelsFor, PRECISIONS, type TestBackend } from '../helpers/backends'
import { expectClose, expectStateClose, loadFixture, toStateDict, toTensor, type FixtureState, type FixtureTensor, type Tolerance } from './fixtures'

const TOLERANCE: Record<DType, Tolerance> = {
  float64: { rel: 1e-9, abs: 1e-12 },
  float32: { rel: 1e-4, abs: 1e-5 }
}

interface LayerCase {
  name: string
  type: string
  spec: { version: 1; input: { shape: number[] }; layers: Record<string, unknown>[] }
  mode: Mode
  batch: number
  outputShape: number[]
  state: FixtureState
  x: FixtureTensor
  /** Deterministic cases. */
  R?: FixtureTensor
  y?: FixtureTensor
  dx?: FixtureTensor
  grads?: FixtureState
  stateAfter?: FixtureState
  /** Dropout in train mode: masks differ between RNGs, so only the structure is checked. */
  stochastic?: boolean
  rate?: number
  scale?: number
}

const fixture = loadFixture<{ cases: LayerCase[] }>('layers.json')

function caseTitle(c: LayerCase): string {
  return `${c.name} (${c.mode}${c.stochastic ? ', random mask' : ''}) matches torch`
}

describe('layer parity fixtures', () => {
  it(`come from torch ${fixture.torchVersion} and cover every layer type`, () => {
    const titles = fixture.cases.map(caseTitle)
    expect(new Set(titles).size, 'case names are unique').toBe(titles.length)
    const types = new Set(fixture.cases.map((c) => c.type))
    for (const t of [
      'conv2d', 'maxpool2d', 'avgpool2d', 'global_avgpool', 'dense', 'flatten', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu',
      'swish', 'mish', 'frelu', 'softmax', 'identity', 'batchnorm', 'layernorm', 'instancenorm', 'groupnorm', 'dropout'
    ]) {
      expect(types.has(t), `fixture for ${t}`).toBe(true)
    }
  })
})

// float32 runs on every kernel backend (JS reference, wasm SIMD, wasm relaxed SIMD); float64 on JS.
for (const { dtype, backend } of PRECISIONS) {
  const tol = TOLERANCE[dtype]
  describe(`layers vs torch (${dtype}, ${backend} kernels)`, () => {
    for (const c of fixture.cases) {
      it(caseTitle(c), () => (c.stochastic ? checkDropout(c, dtype, tol, backend) : checkLayer(c, dtype, tol, backend)))
    }
  })
}

function checkLayer(c: LayerCase, dtype: DType, tol: Tolerance, backend: TestBackend): void {
  const net = createNetwork(c.spec, { dtype, inputGrad: true, seed: 1, kernels: kernelsFor(backend) })
  expect(Array.from(net.outputShape), 'output shape').toEqual(c.outputShape)
  net.loadStateDict(toStateDict(c.state))

  const y = net.forward(toTensor(c.x, dtype), c.mode)
  expectClose('y', y.data, c.y!, tol, y.shape)

  net.zeroGrad()
  const dx = net.backward(toTensor(c.R!, dtype))
  expectClose('dL/dx', dx?.data, c.dx!, tol, dx?.shape)

  const params = net.params()
  expect(params.map((p) => p.name).sort(), 'parameter names').toEqual(Object.keys(c.grads!).sort())
  for (const p of params) expectClose(`dL/d${p.name}`, p.grad.data, c.grads![p.name], tol, p.grad.shape)

  // Train mode updates running statistics (batch norm); everything else must be unchanged.
  expectStateClose('state after forward', net.stateDict(), c.stateAfter ?? c.state, tol)
}

/**
 * Dropout with p > 0 in train mode: each output is 0 or x/(1 − p), about p of them 0, and the gradient
 * passes R/(1 − p) exactly where the value was kept.
 */
function checkDropout(c: LayerCase, dtype: DType, tol: Tolerance, backend: TestBackend): void {
  const scale = c.scale!
  const rate = c.rate!
  expect(scale).toBeCloseTo(1 / (1 - rate), 12)
  const net = createNetwork(c.spec, { dtype, inputGrad: true, seed: 123, kernels: kernelsFor(backend) })
  net.loadStateDict(toStateDict(c.state))
  const x = toTensor(c.x, dtype)
  const y = net.forward(x, 'train')
  expect(y.shape).toEqual([c.batch, ...c.outputShape])
  const n = x.data.length
  const kept = new Uint8Array(n)
  const expectedY = new Float64Array(n)
  let dropped = 0
  for (let i = 0; i < n; i++) {
    if (y.data[i] === 0) {
      dropped++
      expectedY[i] = 0
    } else {
      kept[i] = 1
      expectedY[i] = x.data[i] * scale
    }
  }
  expectClose('y (kept values are x·scale)', y.data, expectedY, tol)
  const fraction = dropped / n
  expect(Math.abs(fraction - rate), `dropped fraction ${fraction} vs rate ${rate} over ${n} values`).toBeLessThan(0.1)

  const R = { shape: y.shape.slice(), data: dtype === 'float64' ? new Float64Array(n) : new Float32Array(n) }
  for (let i = 0; i < n; i++) R.data[i] = Math.sin(0.7 * i + 0.3)
  const expectedDx = new Float64Array(n)
  for (let i = 0; i < n; i++) expectedDx[i] = kept[i] ? R.data[i] * scale : 0
  const dx = net.backward(R)
  expectClose('dL/dx (R·scale where kept, 0 where dropped)', dx?.data, expectedDx, tol)

  // Evaluation: identity.
  const yEval = net.forward(x, 'eval')
  expectClose('y in eval mode', yEval.data, x.data, tol)
}
