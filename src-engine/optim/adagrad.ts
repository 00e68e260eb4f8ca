import type { UpdateRule } from './optimizer'

/**
 * Adagrad (torch.optim.Adagrad, initial accumulator 0, lr_decay 0):
 * s ← s + g²; W ← W − lr·g/(√s + ε).
 */
export function createAdagradRule(eps: number): UpdateRule {
  return {
    slotNames: ['sum'],
    update(w, g, slots, decay, ctx) {
      const s = slots[0]
      const lr = ctx.lr
      for (let i = 0; i < w.length; i++) {
        const gi = decay === 0 ? g[i] : g[i] + decay * w[i]
        s[i] += gi * gi
        w[i] -= lr * (gi / (Math.sqrt(s[i]) + eps))
      }
    }
  }
}
