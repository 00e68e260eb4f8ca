import { TensorSlot, type Allocator, type FloatArray, type Tensor } from '../core/tensor'
import { checkTargets, TargetRows, type Loss, type Targets } from './loss'

/** (1/N) Σₙ ½ Σₖ (y − t)², the textbook sum of squares (= 0.5·MSELoss(reduction='sum')/N). Gradient (y − t)/N. */
export class SumSquaredLoss implements Loss {
  readonly name = 'sum_squared'
  private readonly grad: TensorSlot
  private readonly targetRows: TargetRows
  private y: Tensor | null = null
  private t: FloatArray | null = null

  constructor(alloc: Allocator) {
    this.grad = new TensorSlot(alloc)
    this.targetRows = new TargetRows(alloc)
  }

  forward(y: Tensor, targets: Targets): number {
    const { n, k } = checkTargets('sum_squared', y, targets)
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
    return (0.5 * sum) / n
  }

  backward(): Tensor {
    const y = this.y
    const t = this.t
    if (!y || !t) throw new Error('sum_squared: backward called before forward')
    const dy = this.grad.get(y.shape)
    const yd = y.data
    const g = dy.data
    const inv = 1 / y.shape[0]
    for (let i = 0; i < yd.length; i++) g[i] = (yd[i] - t[i]) * inv
    return dy
  }
}
