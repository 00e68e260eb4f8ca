/**
 * Loss parity with PyTorch 1.13 (fixtures: test/fixtures/torch/losses.json, made by
 * scripts/make_torch_fixtures.py): value and dL/dy of cross_entropy (nn.CrossEntropyLoss with class
 * indices, one-hot rows and soft targets), mse (nn.MSELoss; class indices as one-hot rows) and
 * sum_squared (0.5 · MSELoss(reduction='sum') / N).
 *
 * Tolerances, per element |got − expected| ≤ abs + rel·|expected|:
 *   float64: rel 1e-9, abs 1e-12
 *   float32: rel 1e-4, abs 1e-5
 */
import { describe, it } from 'vitest'
import { createLoss, type LossName, type Targets } from '../../src-engine/losses/loss'
import { createAllocator, type DType } from '../../src-engine/core/tensor'
import { DTYPES, expectClose, expectCloseScalar, loadFixture, toArray, toTensor, type FixtureTensor, type Tolerance } from './fixtures'

const TOLERANCE: Record<DType, Tolerance> = {
  float64: { rel: 1e-9, abs: 1e-12 },
  float32: { rel: 1e-4, abs: 1e-5 }
}

interface LossCase {
  name: string
  loss: LossName
  y: FixtureTensor
  targets: { kind: 'indices'; labels: number[] } | { kind: 'dense'; values: FixtureTensor }
  value: number
  dy: FixtureTensor
}

const fixture = loadFixture<{ cases: LossCase[] }>('losses.json')

function targetsFor(c: LossCase, dtype: DType): Targets {
  return c.targets.kind === 'indices'
    ? { kind: 'indices', labels: Int32Array.from(c.targets.labels) }
    : { kind: 'dense', values: toArray(c.targets.values.data, dtype) }
}

for (const dtype of DTYPES) {
  const tol = TOLERANCE[dtype]
  describe(`losses vs torch (${dtype})`, () => {
    for (const c of fixture.cases) {
      it(`${c.name} matches torch`, () => {
        const loss = createLoss(c.loss, createAllocator(dtype))
        const y = toTensor(c.y, dtype)
        const value = loss.forward(y, targetsFor(c, dtype))
        expectCloseScalar('loss value', value, c.value, tol)
        const dy = loss.backward()
        expectClose('dL/dy', dy.data, c.dy, tol, dy.shape)
      })
    }
  })
}
