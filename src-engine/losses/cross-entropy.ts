import { TensorSlot, type Allocator, type Tensor } from '../core/tensor'
import { checkTargets, type Loss, type Targets } from './loss'

/**
 * Fused softmax + cross-entropy on logits (nn.CrossEntropyLoss): per sample
 * L = Σₖ tₖ·(lse − zₖ) with lse = log Σ exp(z) computed as max + log Σ exp(z − max), which stays
 * finite for logits of ±1e4. Gradient (Σt·softmax − t)/N, i.e. (softmax − t)/N for rows summing to 1.
 */
export class CrossEntropyLoss implements Loss {
  readonly name = 'cross_entropy'
  private readonly grad: TensorSlot
  /** log-sum-exp of each row of the last forward, in float64 whatever the engine's dtype. */
  private lse = new Float64Array(0)
  private y: Tensor | null = null
  private targets: Targets | null = null

  constructor(alloc: Allocator) {
    this.grad = new TensorSlot(alloc)
  }

  forward(y: Tensor, targets: Targets): number {
    const { n, k } = checkTargets('cross_entropy', y, targets)
    if (this.lse.length < n) this.lse = new Float64Array(n)
    const z = y.data
    let total = 0
    for (let i = 0; i < n; i++) {
      const base = i * k
      const lse = logSumExp(z, base, k)
      this.lse[i] = lse
      if (targets.kind === 'indices') {
        total += lse - z[base + targets.labels[i]]
      } else {
        const t = targets.values
        for (let j = 0; j < k; j++) {
          const tj = t[base + j]
          // A zero target contributes nothing, even where a logit is −∞ (0·∞ would be NaN).
          if (tj !== 0) total += tj * (lse - z[base + j])
        }
      }
    }
    this.y = y
    this.targets = targets
    return total / n
  }

  backward(): Tensor {
    const y = this.y
    const targets = this.targets
    if (!y || !targets) throw new Error('cross_entropy: backward called before forward')
    const n = y.shape[0]
    const k = y.data.length / n
    const dy = this.grad.get(y.shape)
    const z = y.data
    const g = dy.data
    const inv = 1 / n
    for (let i = 0; i < n; i++) {
      const base = i * k
      const lse = this.lse[i]
      if (targets.kind === 'indices') {
        for (let j = 0; j < k; j++) g[base + j] = Math.exp(z[base + j] - lse) * inv
        g[base + targets.labels[i]] -= inv
      } else {
        const t = targets.values
        let sumT = 0
        for (let j = 0; j < k; j++) sumT += t[base + j]
        for (let j = 0; j < k; j++) g[base + j] = (sumT * Math.exp(z[base + j] - lse) - t[base + j]) * inv
      }
    }
    return dy
  }
}

/** log Σ exp(z[base..base+k)), shifted by the row maximum. NaN or +∞ anywhere gives NaN. */
function logSumExp(z: ArrayLike<number>, base: number, k: number): number {
  let max = -Infinity
  for (let j = 0; j < k; j++) if (z[base + j] > max) max = z[base + j]
  let sum = 0
  for (let j = 0; j < k; j++) sum += Math.exp(z[base + j] - max)
  return max + Math.log(sum)
}
