import type { UpdateRule } from './optimizer'

/** Plain SGD: W ← W − lr·g, g = ∇L + λW (torch.optim.SGD with momentum 0). */
export function createSgdRule(): UpdateRule {
  return {
    slotNames: [],
    update(w, g, _slots, decay, ctx) {
      const lr = ctx.lr
      for (let i = 0; i < w.length; i++) {
        // torch skips the L2 term entirely when λ = 0 (so an infinite weight does not turn g into NaN).
        const gi = decay === 0 ? g[i] : g[i] + decay * w[i]
        w[i] -= lr * gi
      }
    }
  }
}
