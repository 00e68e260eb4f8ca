import { TensorSlot, type Allocator, type FloatArray, type Tensor } from '../core/tensor'
import { checkTargets, TargetRows, type Loss, type LossName, type Targets } from './loss'

/**
 * L = c · Σ (y − t)² / D over all N·K elements, D = N·K ('element') or N ('sample');
 * gradient 2c·(y − t) / D. The squared losses differ only in c and D.
 */
export class SquaredErrorLoss implements Loss {
  private readonly grad: TensorSlot
  private readonly targetRows: TargetRows
  private y: Tensor | null = null
  private t: FloatArray | null = null

  constructor(
    readonly name: LossName,
    alloc: Allocator,
    private readonly coef: number,
    private readonly per: 'element' | 'sample'
  ) {
    this.grad = new TensorSlot(alloc)
    this.targetRows = new TargetRows(alloc)
  }

  forward(y: Tensor, targets: Targets): number {
    const { n, k } = checkTargets(this.name, y, targets)
    const t = this.targetRows.rows(targets, n, k)
    const yd = y.data
    const size = n * k
    let sum = 0
    for (let i = 0; i < size; i++) {
      const d = yd[i] - t[i]
      sum += d * d
    }
    this.y = y
    this.t = t
    return (this.coef * sum) / this.divisor(n, size)
  }

  backward(): Tensor {
    const y = this.y
    const t = this.t
    if (!y || !t) throw new Error(`${this.name}: backward called before forward`)
    const dy = this.grad.get(y.shape)
    const yd = y.data
    const g = dy.data
    const scale = (2 * this.coef) / this.divisor(y.shape[0], yd.length)
    for (let i = 0; i < yd.length; i++) g[i] = (yd[i] - t[i]) * scale
    return dy
  }

  private divisor(n: number, size: number): number {
    return this.per === 'element' ? size : n
  }
}

/** Mean over all N·K elements of (y − t)² (nn.MSELoss). Gradient 2(y − t)/(N·K). */
export class MseLoss extends SquaredErrorLoss {
  constructor(alloc: Allocator) {
    super('mse', alloc, 1, 'element')
  }
}

/**
 * (1/N) Σₙ ½ Σₖ (y − t)², the textbook sum of squares (= 0.5·MSELoss(reduction='sum')/N). Gradient (y − t)/N.
 * Defined here beside its base (loss.ts imports both files, so a subclass in another file could be
 * evaluated before its base); sum-squared.ts re-exports it.
 */
export class SumSquaredLoss extends SquaredErrorLoss {
  constructor(alloc: Allocator) {
    super('sum_squared', alloc, 0.5, 'sample')
  }
}
