import type { UpdateRule } from './optimizer'

/**
 * RMSprop (torch.optim.RMSprop, not centered, no momentum):
 * s ← αs + (1 − α)g²; W ← W − lr·g/(√s + ε).
 */
export function createRmspropRule(alpha: number, eps: number): UpdateRule {
  return {
    slotNames: ['square_avg'],
    update(w, g, slots, decay, ctx) {
      const s = slots[0]
      const lr = ctx.lr
      const rest = 1 - alpha
      for (let i = 0; i < w.length; i++) {
        const gi = decay === 0 ? g[i] : g[i] + decay * w[i]
        s[i] = alpha * s[i] + rest * gi * gi
        w[i] -= lr * (gi / (Math.sqrt(s[i]) + eps))
      }
    }
  }
}
