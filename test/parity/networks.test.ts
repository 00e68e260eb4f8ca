/**
 * Whole-network parity with PyTorch 1.13 (fixtures: test/fixtures/torch/networks.json, made by
 * scripts/make_torch_fixtures.py): forward/backward of three multi-layer networks (L = Σ y ⊙ R), the
 * fused cross-entropy on the LeNet-like net's logits, and three SGD steps with momentum 0.9 and weight
 * decay on conv/dense weights only (torch.optim.SGD with two parameter groups).
 *
 * Tolerances, per element |got − expected| ≤ abs + rel·|expected|:
 *   float64: rel 1e-9, abs 1e-12
 *   float32: rel 1e-4, abs 1e-5
 */
import { describe, it, expect } from 'vitest'
import { createNetwork, type Network } from '../../src-engine/network'
import { createLoss } from '../../src-engine/losses/loss'
import { createOptimizer } from '../../src-engine/optim/optimizer'
import type { DType } from '../../src-engine/core/tensor'
import type { Mode } from '../../src-engine/layers/layer'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import { kernelsFor, PRECISIONS, type TestBackend } from '../helpers/backends'
import {
  expectClose,
  expectCloseScalar,
  expectStateClose,
  loadFixture,
  toStateDict,
  toTensor,
  type FixtureState,
  type FixtureTensor,
  type Tolerance
} from './fixtures'

const TOLERANCE: Record<DType, Tolerance> = {
  float64: { rel: 1e-9, abs: 1e-12 },
  float32: { rel: 1e-4, abs: 1e-5 }
}

interface Pass {
  mode: Mode
  x: FixtureTensor
  R: FixtureTensor
  y: FixtureTensor
  dx: FixtureTensor
  grads: FixtureState
  stateAfter: FixtureState
}

interface NetworkCase {
  name: string
  spec: NetworkSpec
  batch: number
  outputShape: number[]
  state: FixtureState
  passes: Pass[]
  crossEntropy?: {
    x: FixtureTensor
    labels: number[]
    logits: FixtureTensor
    loss: number
    dlogits: FixtureTensor
    dx: FixtureTensor
    grads: FixtureState
    stateAfter: FixtureState
  }
  training?: {
    optimizer: { type: 'momentum'; lr: number; momentum: number; weightDecay: number }
    steps: { x: FixtureTensor; labels: number[]; loss: number; stateAfter: FixtureState }[]
  }
}

const fixture = loadFixture<{ cases: NetworkCase[] }>('networks.json')

function build(c: NetworkCase, dtype: DType, backend: TestBackend): Network {
  const net = createNetwork(c.spec, { dtype, inputGrad: true, seed: 1, kernels: kernelsFor(backend) })
  expect(Array.from(net.outputShape), 'output shape').toEqual(c.outputShape)
  net.loadStateDict(toStateDict(c.state))
  return net
}

function checkGrads(net: Network, grads: FixtureState, tol: Tolerance): void {
  const params = net.params()
  expect(params.map((p) => p.name).sort(), 'parameter names').toEqual(Object.keys(grads).sort())
  for (const p of params) expectClose(`dL/d${p.name}`, p.grad.data, grads[p.name], tol, p.grad.shape)
}

// float32 runs on every kernel backend (JS reference, wasm SIMD, wasm relaxed SIMD); float64 on JS.
for (const { dtype, backend } of PRECISIONS) {
  const tol = TOLERANCE[dtype]
  describe(`networks vs torch (${dtype}, ${backend} kernels)`, () => {
    for (const c of fixture.cases) {
      for (const pass of c.passes) {
        it(`${c.name}: forward and backward (${pass.mode}) match torch`, () => {
          const net = build(c, dtype, backend)
          const y = net.forward(toTensor(pass.x, dtype), pass.mode)
          expectClose('y', y.data, pass.y, tol, y.shape)
          net.zeroGrad()
          const dx = net.backward(toTensor(pass.R, dtype))
          expectClose('dL/dx', dx?.data, pass.dx, tol, dx?.shape)
          checkGrads(net, pass.grads, tol)
          expectStateClose('state after forward', net.stateDict(), pass.stateAfter, tol)
        })
      }

      const ce = c.crossEntropy
      if (ce) {
        it(`${c.name}: cross-entropy on the logits (train) matches torch`, () => {
          const net = build(c, dtype, backend)
          expect(net.endsWithSoftmax).toBe(true)
          const logits = net.forward(toTensor(ce.x, dtype), 'train', { logits: true })
          expectClose('logits', logits.data, ce.logits, tol, logits.shape)
          const loss = createLoss('cross_entropy', net.allocator)
          const value = loss.forward(logits, { kind: 'indices', labels: Int32Array.from(ce.labels) })
          expectCloseScalar('loss', value, ce.loss, tol)
          const dlogits = loss.backward()
          expectClose('dL/dlogits', dlogits.data, ce.dlogits, tol, dlogits.shape)
          net.zeroGrad()
          const dx = net.backward(dlogits, { logits: true })
          expectClose('dL/dx', dx?.data, ce.dx, tol, dx?.shape)
          checkGrads(net, ce.grads, tol)
          expectStateClose('state after forward', net.stateDict(), ce.stateAfter, tol)
        })
      }

      const training = c.training
      if (training) {
        const o = training.optimizer
        it(`${c.name}: ${training.steps.length} SGD steps (momentum ${o.momentum}, weight decay ${o.weightDecay}) match torch`, () => {
          const net = build(c, dtype, backend)
          const opt = createOptimizer({ type: 'momentum', lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay }, net.params())
          const loss = createLoss('cross_entropy', net.allocator)
          training.steps.forEach((step, i) => {
            net.zeroGrad()
            const logits = net.forward(toTensor(step.x, dtype), 'train', { logits: true })
            const value = loss.forward(logits, { kind: 'indices', labels: Int32Array.from(step.labels) })
            expectCloseScalar(`step ${i + 1} loss`, value, step.loss, tol)
            net.backward(loss.backward(), { logits: true })
            opt.step()
            expectStateClose(`after step ${i + 1}:`, net.stateDict(), step.stateAfter, tol)
          })
        })
      }
    }
  })
}
