import type { UpdateRule } from './optimizer'

/**
 * Adam and AdamW (torch.optim.Adam / AdamW, amsgrad off):
 * m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; W ← W − (lr/(1−β₁ᵗ))·m/(√v/√(1−β₂ᵗ) + ε).
 * Adam adds λW to the gradient; AdamW (decoupled) instead first shrinks W ← W·(1 − lr·λ).
 */
export function createAdamRule(beta1: number, beta2: number, eps: number, decoupled: boolean): UpdateRule {
  return {
    slotNames: ['exp_avg', 'exp_avg_sq'],
    update(w, g, slots, decay, ctx) {
      const m = slots[0]
      const v = slots[1]
      const lr = ctx.lr
      const stepSize = lr / (1 - beta1 ** ctx.step)
      const bc2Sqrt = Math.sqrt(1 - beta2 ** ctx.step)
      const l2 = decoupled ? 0 : decay
      const shrink = decoupled ? 1 - lr * decay : 1
      const rest1 = 1 - beta1
      const rest2 = 1 - beta2
      for (let i = 0; i < w.length; i++) {
        if (shrink !== 1) w[i] *= shrink
        const gi = l2 === 0 ? g[i] : g[i] + l2 * w[i]
        m[i] = beta1 * m[i] + rest1 * gi
        v[i] = beta2 * v[i] + rest2 * gi * gi
        w[i] -= stepSize * (m[i] / (Math.sqrt(v[i]) / bc2Sqrt + eps))
      }
    }
  }
}
