import type { UpdateRule } from './optimizer'

/**
 * Adam and AdamW (torch.optim.Adam / AdamW, amsgrad off):
 * m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; W ← W − (lr/(1−β₁ᵗ))·m/(√v/√(1−β₂ᵗ) + ε).
 * Adam adds λW to the gradient; AdamW (decoupled) instead first shrinks W ← W·(1 − lr·λ).
 * The loop is the kernels' adamUpdate (src-engine/kernels/js/optim.ts, and its wasm twin).
 */
export function createAdamRule(beta1: number, beta2: number, eps: number, decoupled: boolean): UpdateRule {
  const h = { beta1, beta2, eps, stepSize: 0, bc2Sqrt: 0, l2: 0, shrink: 1 }
  return {
    slotNames: ['exp_avg', 'exp_avg_sq'],
    update(w, g, slots, decay, ctx) {
      const lr = ctx.lr
      h.stepSize = lr / (1 - beta1 ** ctx.step)
      h.bc2Sqrt = Math.sqrt(1 - beta2 ** ctx.step)
      h.l2 = decoupled ? 0 : decay
      h.shrink = decoupled ? 1 - lr * decay : 1
      ctx.kernels.adamUpdate(w, g, slots[0], slots[1], w.length, h)
    }
  }
}
