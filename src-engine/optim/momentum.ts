import type { UpdateRule } from './optimizer'

/**
 * SGD with heavy-ball momentum (torch.optim.SGD, dampening 0): v ← μv + g; W ← W − lr·v.
 * As in torch the buffer starts as a copy of the first gradient (v₁ = g₁).
 * With `nesterov` the step is W ← W − lr·(g + μv) instead (see nesterov.ts).
 */
export function createMomentumRule(mu: number, nesterov = false): UpdateRule {
  return {
    slotNames: ['momentum_buffer'],
    update(w, g, slots, decay, ctx) {
      const v = slots[0]
      const lr = ctx.lr
      const first = ctx.step === 1
      for (let i = 0; i < w.length; i++) {
        const gi = decay === 0 ? g[i] : g[i] + decay * w[i]
        v[i] = first ? gi : mu * v[i] + gi
        // Read back from the buffer: torch updates W with the stored (dtype-rounded) v.
        w[i] -= lr * (nesterov ? gi + mu * v[i] : v[i])
      }
    }
  }
}
