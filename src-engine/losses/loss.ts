/**
 * Losses: the mean over the batch of a per-sample loss of the network output y [N, K] (anything after
 * N counts as K, so [N, K, 1, 1] works too) against class indices or dense target rows.
 * Semantics (and the PyTorch equivalents) are in docs/engine.md.
 */
import type { Allocator, FloatArray, Tensor } from '../core/tensor'
import { CrossEntropyLoss } from './cross-entropy'
import { MseLoss } from './mse'
import { SumSquaredLoss } from './sum-squared'

export const LOSS_NAMES = ['cross_entropy', 'mse', 'sum_squared'] as const
export type LossName = (typeof LOSS_NAMES)[number]

/** Class indices (one per sample), or dense N×K rows: one-hot or probabilities (soft targets). */
export type Targets = { kind: 'indices'; labels: Int32Array } | { kind: 'dense'; values: Float32Array | Float64Array }

export interface Loss {
  readonly name: LossName
  /** The loss of y against the targets, averaged over the batch. NaN/Inf in y propagate to the result. */
  forward(y: Tensor, targets: Targets): number
  /** dL/dy for the last forward: same shape as y, owned by the loss until its next backward. */
  backward(): Tensor
}

export function createLoss(name: LossName, alloc: Allocator): Loss {
  switch (name) {
    case 'cross_entropy':
      return new CrossEntropyLoss(alloc)
    case 'mse':
      return new MseLoss(alloc)
    case 'sum_squared':
      return new SumSquaredLoss(alloc)
    default:
      throw new Error(`unknown loss ${JSON.stringify(name)}; expected one of ${LOSS_NAMES.join(', ')}`)
  }
}

/** Batch size and classes per sample of an output [N, ...]. */
export interface BatchLayout {
  n: number
  k: number
}

/**
 * Checks that y and the targets agree (count, and every label in [0, K)) and returns the layout.
 * Throws with a message naming the problem; never looks at y's values, so NaN/Inf pass through.
 */
export function checkTargets(who: string, y: Tensor, targets: Targets): BatchLayout {
  const n = y.shape[0]
  if (y.shape.length < 2 || !(n > 0)) throw new Error(`${who}: output must be [N, K, ...] with N ≥ 1, got [${y.shape.join(', ')}]`)
  const k = y.data.length / n
  if (!Number.isInteger(k) || k < 1) throw new Error(`${who}: output [${y.shape.join(', ')}] has ${y.data.length} values`)
  if (targets.kind === 'indices') {
    const labels = targets.labels
    if (labels.length !== n) throw new Error(`${who}: got ${labels.length} labels for a batch of ${n}`)
    for (let i = 0; i < n; i++) {
      const label = labels[i]
      if (label < 0 || label >= k) throw new Error(`label ${label} at batch index ${i} is out of range for ${k} classes`)
    }
  } else if (targets.values.length !== n * k) {
    throw new Error(`${who}: targets have ${targets.values.length} values, expected ${n}×${k} = ${n * k} for output [${y.shape.join(', ')}]`)
  }
  return { n, k }
}

/**
 * Targets as N×K rows for the squared losses: dense values as given, class indices as one-hot rows
 * written into a buffer that grows to the largest batch and is reused (no allocation per call).
 * Only the first N·K entries of the returned array are meaningful.
 */
export class TargetRows {
  private oneHot: FloatArray | null = null

  constructor(private readonly alloc: Allocator) {}

  rows(targets: Targets, n: number, k: number): FloatArray {
    if (targets.kind === 'dense') return targets.values
    const size = n * k
    if (!this.oneHot || this.oneHot.length < size) this.oneHot = this.alloc.alloc(size)
    const t = this.oneHot
    t.fill(0, 0, size)
    for (let i = 0; i < n; i++) t[i * k + targets.labels[i]] = 1
    return t
  }
}

/** Index of the largest value in data[offset, offset + k); the first one on ties (NaN never wins). */
function argmax(data: ArrayLike<number>, offset: number, k: number): number {
  let best = 0
  let bestValue = data[offset]
  for (let j = 1; j < k; j++) {
    const v = data[offset + j]
    if (v > bestValue || (bestValue !== bestValue && v === v)) {
      best = j
      bestValue = v
    }
  }
  return best
}

/** Number of samples whose argmax of y equals the label (or the argmax of the dense target row). */
export function accuracy(y: Tensor, targets: Targets): number {
  const { n, k } = checkTargets('accuracy', y, targets)
  let correct = 0
  for (let i = 0; i < n; i++) {
    const predicted = argmax(y.data, i * k, k)
    const expected = targets.kind === 'indices' ? targets.labels[i] : argmax(targets.values, i * k, k)
    if (predicted === expected) correct++
  }
  return correct
}
