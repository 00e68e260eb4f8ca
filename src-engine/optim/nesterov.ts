import type { UpdateRule } from './optimizer'

/**
 * Nesterov momentum as torch.optim.SGD(nesterov=True) does it: v ← μv + g; W ← W − lr·(g + μv),
 * with v₁ = g₁.
 */
export function createNesterovRule(mu: number): UpdateRule {
  return {
    slotNames: ['momentum_buffer'],
    update(w, g, slots, decay, ctx) {
      const v = slots[0]
      const lr = ctx.lr
      const first = ctx.step === 1
      for (let i = 0; i < w.length; i++) {
        const gi = decay === 0 ? g[i] : g[i] + decay * w[i]
        v[i] = first ? gi : mu * v[i] + gi
        w[i] -= lr * (gi + mu * v[i])
      }
    }
  }
}
