/**
 * Optimizer parity with torch.optim 1.13 (fixtures: test/fixtures/torch/optimizers.json, made by
 * scripts/make_torch_fixtures.py). A fixed quadratic: θ = concat(vec(w) row-major, b) with w [3,4]
 * (decay: true) and b [3] (decay: false), loss = ‖A·θ − c‖², gradient 2·Aᵀ(A·θ − c) computed here at the
 * current parameters before every step. torch used two parameter groups (weight_decay on w only, or on
 * both for decayAll). 12 steps per case; w and b are compared after every step. Schedule cases set
 * opt.lr = learningRateAt(lr, schedule, epoch) at the start of each 3-step epoch (torch: StepLR /
 * CosineAnnealingLR stepped once per epoch).
 *
 * Tolerances, per element |got − expected| ≤ abs + rel·|expected|:
 *   float64: rel 1e-9, abs 1e-12
 *   float32: rel 1e-4, abs 1e-5
 */
import { describe, it } from 'vitest'
import { createOptimizer, type OptimizerConfig } from '../../src-engine/optim/optimizer'
import { learningRateAt, type LrSchedule } from '../../src-engine/optim/schedule'
import type { DType, Tensor } from '../../src-engine/core/tensor'
import { DTYPES, expectClose, expectCloseScalar, loadFixture, toTensor, type FixtureTensor, type Tolerance } from './fixtures'

const TOLERANCE: Record<DType, Tolerance> = {
  float64: { rel: 1e-9, abs: 1e-12 },
  float32: { rel: 1e-4, abs: 1e-5 }
}

interface OptimizerCase {
  name: string
  config: OptimizerConfig
  schedule?: LrSchedule
  stepsPerEpoch?: number
  steps: { lr: number; loss: number; w: FixtureTensor; b: FixtureTensor }[]
}

interface OptimizerFixture {
  problem: { A: FixtureTensor; c: FixtureTensor; w0: FixtureTensor; b0: FixtureTensor; gradient: string }
  cases: OptimizerCase[]
}

const fixture = loadFixture<OptimizerFixture>('optimizers.json')
const { A, c } = fixture.problem
const rows = A.shape[0]
const cols = A.shape[1]

/** Writes 2·Aᵀ(A·θ − c) into the gradients; returns the loss ‖A·θ − c‖². */
function quadraticGradient(w: Tensor, b: Tensor, gw: Tensor, gb: Tensor): number {
  const theta = [...Array.from(w.data), ...Array.from(b.data)]
  if (theta.length !== cols) throw new Error(`θ has ${theta.length} values, A has ${cols} columns`)
  const r = new Float64Array(rows)
  let loss = 0
  for (let i = 0; i < rows; i++) {
    let s = -c.data[i]
    for (let j = 0; j < cols; j++) s += A.data[i * cols + j] * theta[j]
    r[i] = s
    loss += s * s
  }
  const nw = w.data.length
  for (let j = 0; j < cols; j++) {
    let s = 0
    for (let i = 0; i < rows; i++) s += A.data[i * cols + j] * r[i]
    if (j < nw) gw.data[j] = 2 * s
    else gb.data[j - nw] = 2 * s
  }
  return loss
}

for (const dtype of DTYPES) {
  const tol = TOLERANCE[dtype]
  describe(`optimizers vs torch (${dtype})`, () => {
    for (const oc of fixture.cases) {
      it(`${oc.name}: ${oc.steps.length} steps match torch`, () => {
        const w = toTensor(fixture.problem.w0, dtype)
        const b = toTensor(fixture.problem.b0, dtype)
        const gw = toTensor({ shape: w.shape, data: new Array(w.data.length).fill(0) }, dtype)
        const gb = toTensor({ shape: b.shape, data: new Array(b.data.length).fill(0) }, dtype)
        const opt = createOptimizer(oc.config, [
          { name: 'w', value: w, grad: gw, decay: true },
          { name: 'b', value: b, grad: gb, decay: false }
        ])
        oc.steps.forEach((expected, i) => {
          if (oc.schedule) {
            const epoch = Math.floor(i / (oc.stepsPerEpoch ?? 1))
            opt.lr = learningRateAt(oc.config.lr, oc.schedule, epoch)
          }
          expectCloseScalar(`step ${i + 1} lr`, opt.lr, expected.lr, TOLERANCE.float64)
          const loss = quadraticGradient(w, b, gw, gb)
          expectCloseScalar(`step ${i + 1} loss before the step`, loss, expected.loss, tol)
          opt.step()
          expectClose(`w after step ${i + 1}`, w.data, expected.w, tol, w.shape)
          expectClose(`b after step ${i + 1}`, b.data, expected.b, tol, b.shape)
        })
      })
    }
  })
}
