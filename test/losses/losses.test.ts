import { describe, it, expect } from 'vitest'
import { createAllocator, type Tensor } from '../../src-engine/core/tensor'
import { createRng } from '../../src-engine/core/rng'
import { accuracy, createLoss, LOSS_NAMES, type LossName, type Targets } from '../../src-engine/losses/loss'

const f64 = createAllocator('float64')
const f32 = createAllocator('float32')

function tensor64(shape: number[], values: number[]): Tensor {
  return { shape, data: Float64Array.from(values) }
}

function randomLogits(n: number, k: number, seed: number, scale = 2): Tensor {
  const rng = createRng(seed)
  return tensor64([n, k], Array.from({ length: n * k }, () => rng.nextNormal() * scale))
}

function randomLabels(n: number, k: number, seed: number): Int32Array {
  const rng = createRng(seed)
  return Int32Array.from({ length: n }, () => rng.nextInt(k))
}

/** Random probability rows (soft targets), each summing to 1. */
function softTargets(n: number, k: number, seed: number): Float64Array {
  const rng = createRng(seed)
  const t = new Float64Array(n * k)
  for (let i = 0; i < n; i++) {
    let sum = 0
    for (let j = 0; j < k; j++) sum += t[i * k + j] = rng.nextFloat() + 0.05
    for (let j = 0; j < k; j++) t[i * k + j] /= sum
  }
  return t
}

function oneHot(labels: Int32Array, k: number): Float64Array {
  const t = new Float64Array(labels.length * k)
  labels.forEach((label, i) => (t[i * k + label] = 1))
  return t
}

/** Largest relative difference between backward's gradient and central differences of forward. */
function gradCheckLoss(name: LossName, y: Tensor, targets: Targets): number {
  const loss = createLoss(name, f64)
  loss.forward(y, targets)
  const analytic = Float64Array.from(loss.backward().data)
  const eps = 1e-6
  let worst = 0
  for (let i = 0; i < y.data.length; i++) {
    const old = y.data[i]
    y.data[i] = old + eps
    const lp = loss.forward(y, targets)
    y.data[i] = old - eps
    const lm = loss.forward(y, targets)
    y.data[i] = old
    const numeric = (lp - lm) / (2 * eps)
    worst = Math.max(worst, Math.abs(analytic[i] - numeric) / Math.max(1e-3, Math.abs(analytic[i]) + Math.abs(numeric)))
  }
  return worst
}

describe('losses: numerical gradient checks (float64)', () => {
  for (const name of LOSS_NAMES) {
    for (const n of [1, 3, 5]) {
      it(`${name}, batch ${n}, class indices`, () => {
        const k = 4
        const targets: Targets = { kind: 'indices', labels: randomLabels(n, k, 10 + n) }
        expect(gradCheckLoss(name, randomLogits(n, k, n), targets)).toBeLessThan(1e-6)
      })
      it(`${name}, batch ${n}, soft dense targets`, () => {
        const k = 5
        const targets: Targets = { kind: 'dense', values: softTargets(n, k, 20 + n) }
        expect(gradCheckLoss(name, randomLogits(n, k, 30 + n), targets)).toBeLessThan(1e-6)
      })
    }
  }

  it('cross_entropy with large (but not overflowing) logits still matches numerically', () => {
    const targets: Targets = { kind: 'indices', labels: Int32Array.from([0, 2]) }
    expect(gradCheckLoss('cross_entropy', randomLogits(2, 3, 5, 30), targets)).toBeLessThan(1e-6)
  })
})

describe('losses: exact values', () => {
  it('cross_entropy of equal logits is ln K', () => {
    const loss = createLoss('cross_entropy', f64)
    expect(loss.forward(tensor64([1, 2], [0, 0]), { kind: 'indices', labels: Int32Array.from([0]) })).toBeCloseTo(Math.LN2, 15)
    expect(loss.forward(tensor64([1, 4], [3, 3, 3, 3]), { kind: 'indices', labels: Int32Array.from([2]) })).toBeCloseTo(Math.log(4), 15)
  })

  it('cross_entropy of [1, 2, 3] is log(e + e² + e³) − z_label, averaged over the batch', () => {
    const lse = Math.log(Math.E + Math.E ** 2 + Math.E ** 3)
    const loss = createLoss('cross_entropy', f64)
    const y = tensor64([2, 3], [1, 2, 3, 1, 2, 3])
    expect(loss.forward(y, { kind: 'indices', labels: Int32Array.from([2, 0]) })).toBeCloseTo((lse - 3 + lse - 1) / 2, 14)
    // Gradient (softmax − onehot)/N.
    const g = Array.from(loss.backward().data)
    const p = [1, 2, 3].map((z) => Math.exp(z - lse))
    const expected = [p[0], p[1], p[2] - 1, p[0] - 1, p[1], p[2]].map((v) => v / 2)
    g.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 15))
  })

  it('cross_entropy with soft targets is −Σ t·log softmax', () => {
    const lse = Math.log(Math.E + Math.E ** 2 + Math.E ** 3)
    const t = [0.2, 0.3, 0.5]
    const expected = -t.reduce((s, ti, j) => s + ti * (j + 1 - lse), 0)
    const loss = createLoss('cross_entropy', f64)
    expect(loss.forward(tensor64([1, 3], [1, 2, 3]), { kind: 'dense', values: Float64Array.from(t) })).toBeCloseTo(expected, 14)
  })

  it('cross_entropy: one-hot dense targets equal index targets', () => {
    const y = randomLogits(5, 6, 3)
    const labels = randomLabels(5, 6, 4)
    const a = createLoss('cross_entropy', f64)
    const b = createLoss('cross_entropy', f64)
    expect(a.forward(y, { kind: 'dense', values: oneHot(labels, 6) })).toBeCloseTo(b.forward(y, { kind: 'indices', labels }), 14)
    const ga = Array.from(a.backward().data)
    const gb = Array.from(b.backward().data)
    ga.forEach((v, i) => expect(v).toBeCloseTo(gb[i], 15))
  })

  it('mse is the mean over N·K of (y − t)², with indices as one-hot rows', () => {
    const loss = createLoss('mse', f64)
    // rows: [1, 2] vs [1, 0] and [0.5, 0.5] vs [0, 1]: squared errors 0 + 4 + 0.25 + 0.25 = 4.5 over 4 values.
    const y = tensor64([2, 2], [1, 2, 0.5, 0.5])
    expect(loss.forward(y, { kind: 'indices', labels: Int32Array.from([0, 1]) })).toBe(4.5 / 4)
    expect(Array.from(loss.backward().data)).toEqual([0, 1, 0.25, -0.25])
    expect(loss.forward(y, { kind: 'dense', values: Float64Array.from([1, 0, 0, 1]) })).toBe(4.5 / 4)
  })

  it('sum_squared is (1/N)·Σ ½(y − t)²', () => {
    const loss = createLoss('sum_squared', f64)
    const y = tensor64([2, 2], [1, 2, 0.5, 0.5])
    expect(loss.forward(y, { kind: 'indices', labels: Int32Array.from([0, 1]) })).toBe((0.5 * 4.5) / 2)
    expect(Array.from(loss.backward().data)).toEqual([0, 1, 0.25, -0.25])
  })

  it('sum_squared = 0.5 · sum-reduced MSE / N = mse · K / 2', () => {
    const y = randomLogits(3, 7, 9)
    const targets: Targets = { kind: 'dense', values: softTargets(3, 7, 10) }
    const mse = createLoss('mse', f64).forward(y, targets)
    const ss = createLoss('sum_squared', f64).forward(y, targets)
    expect(ss).toBeCloseTo((mse * 7) / 2, 14)
  })

  it('accepts [N, K, 1, 1] outputs and returns a gradient of the same shape', () => {
    for (const name of LOSS_NAMES) {
      const loss = createLoss(name, f64)
      const flat = randomLogits(3, 4, 1)
      const y4: Tensor = { shape: [3, 4, 1, 1], data: flat.data.slice() }
      const targets: Targets = { kind: 'indices', labels: Int32Array.from([3, 0, 1]) }
      const expected = createLoss(name, f64).forward(flat, targets)
      expect(loss.forward(y4, targets)).toBe(expected)
      expect(loss.backward().shape).toEqual([3, 4, 1, 1])
    }
  })

  it('reuses its gradient tensor and one-hot buffer across calls (same batch size)', () => {
    const loss = createLoss('mse', f64)
    const targets: Targets = { kind: 'indices', labels: Int32Array.from([1, 0]) }
    loss.forward(randomLogits(2, 3, 1), targets)
    const g1 = loss.backward()
    const before = f64.allocatedElements
    loss.forward(randomLogits(2, 3, 2), targets)
    expect(loss.backward()).toBe(g1)
    expect(f64.allocatedElements).toBe(before)
    // A smaller batch after a larger one still gives correct values (buffer reused, not resized).
    const small = tensor64([1, 3], [0, 1, 0])
    expect(loss.forward(small, { kind: 'indices', labels: Int32Array.from([1]) })).toBe(0)
  })
})

describe('losses: stability and non-finite values', () => {
  it('cross_entropy is finite and exact for logits of ±1e4 (float32 and float64)', () => {
    for (const alloc of [f32, f64]) {
      const data = alloc.dtype === 'float32' ? Float32Array.from([1e4, -1e4, 0]) : Float64Array.from([1e4, -1e4, 0])
      const y: Tensor = { shape: [1, 3], data }
      const loss = createLoss('cross_entropy', alloc)
      expect(loss.forward(y, { kind: 'indices', labels: Int32Array.from([0]) })).toBe(0)
      const g = Array.from(loss.backward().data)
      expect(g).toEqual([0, 0, 0])
      expect(loss.forward(y, { kind: 'indices', labels: Int32Array.from([1]) })).toBe(2e4)
      expect(Array.from(loss.backward().data)).toEqual([1, -1, 0])
      expect(loss.forward(y, { kind: 'dense', values: Float64Array.from([0, 0.5, 0.5]) })).toBe(0.5 * 2e4 + 0.5 * 1e4)
    }
  })

  it('cross_entropy ignores zero-probability classes whose logit is −∞', () => {
    const loss = createLoss('cross_entropy', f64)
    const y = tensor64([1, 3], [0, 0, -Infinity])
    expect(loss.forward(y, { kind: 'dense', values: Float64Array.from([1, 0, 0]) })).toBeCloseTo(Math.LN2, 15)
  })

  for (const name of LOSS_NAMES) {
    it(`${name}: NaN or ±Inf in the output propagate to the loss (no throw)`, () => {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const loss = createLoss(name, f32)
        const y: Tensor = { shape: [2, 3], data: Float32Array.from([0.1, 0.2, 0.3, 0.4, bad, 0.6]) }
        const value = loss.forward(y, { kind: 'indices', labels: Int32Array.from([0, 1]) })
        expect(Number.isFinite(value)).toBe(false)
        expect(() => loss.backward()).not.toThrow()
      }
    })
  }
})

describe('losses: target checks', () => {
  it('names an out-of-range label with its batch index', () => {
    const labels = Int32Array.from([0, 1, 2, 12])
    for (const name of LOSS_NAMES) {
      const loss = createLoss(name, f64)
      expect(() => loss.forward(randomLogits(4, 10, 1), { kind: 'indices', labels })).toThrow('label 12 at batch index 3 is out of range for 10 classes')
    }
    expect(() => createLoss('cross_entropy', f64).forward(randomLogits(2, 10, 1), { kind: 'indices', labels: Int32Array.from([-1, 0]) })).toThrow(
      'label -1 at batch index 0 is out of range for 10 classes'
    )
  })

  it('rejects a wrong number of labels or dense values', () => {
    const loss = createLoss('cross_entropy', f64)
    expect(() => loss.forward(randomLogits(3, 4, 1), { kind: 'indices', labels: Int32Array.from([0, 1]) })).toThrow('got 2 labels for a batch of 3')
    expect(() => loss.forward(randomLogits(3, 4, 1), { kind: 'dense', values: new Float64Array(11) })).toThrow('targets have 11 values, expected 3×4 = 12')
  })

  it('backward before forward is an error', () => {
    for (const name of LOSS_NAMES) expect(() => createLoss(name, f64).backward()).toThrow('backward called before forward')
  })
})

describe('accuracy', () => {
  it('counts argmax matches with class indices', () => {
    const y = tensor64([4, 3], [0.1, 0.7, 0.2, 5, 1, 1, 0, 0, 1, 2, 3, 1])
    expect(accuracy(y, { kind: 'indices', labels: Int32Array.from([1, 0, 2, 2]) })).toBe(3)
    expect(accuracy(y, { kind: 'indices', labels: Int32Array.from([0, 1, 0, 0]) })).toBe(0)
  })

  it('uses the argmax of dense (one-hot or soft) targets', () => {
    const y = tensor64([2, 3], [0.1, 0.7, 0.2, 5, 1, 1])
    expect(accuracy(y, { kind: 'dense', values: Float64Array.from([0.2, 0.5, 0.3, 0, 0, 1]) })).toBe(1)
  })

  it('takes the first maximum on ties, and checks labels', () => {
    const y = tensor64([1, 3], [2, 2, 1])
    expect(accuracy(y, { kind: 'indices', labels: Int32Array.from([0]) })).toBe(1)
    expect(() => accuracy(y, { kind: 'indices', labels: Int32Array.from([3]) })).toThrow('label 3 at batch index 0 is out of range for 3 classes')
  })
})
