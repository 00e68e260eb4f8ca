import { TensorSlot, type Allocator, type FloatArray, type Tensor } from '../core/tensor'
import { checkTargets, TargetRows, type Loss, type Targets } from './loss'

/** Mean over all N·K elements of (y − t)² (nn.MSELoss). Gradient 2(y − t)/(N·K). */
export class MseLoss implements Loss {
  readonly name = 'mse'
  private readonly grad: TensorSlot
  private readonly targetRows: TargetRows
  private y: Tensor | null = null
  private t: FloatArray | null = null

  constructor(alloc: Allocator) {
    this.grad = new TensorSlot(alloc)
    this.targetRows = new TargetRows(alloc)
  }

  forward(y: Tensor, targets: Targets): number {
    const { n, k } = checkTargets('mse', y, targets)
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
    return sum / size
  }

  backward(): Tensor {
    const y = this.y
    const t = this.t
    if (!y || !t) throw new Error('mse: backward called before forward')
    const dy = this.grad.get(y.shape)
    const yd = y.data
    const g = dy.data
    const scale = 2 / yd.length
    for (let i = 0; i < yd.length; i++) g[i] = (yd[i] - t[i]) * scale
    return dy
  }
}
