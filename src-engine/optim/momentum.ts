import type { UpdateRule } from './optimizer'

/**
 * SGD with heavy-ball momentum (torch.optim.SGD, dampening 0): v ← μv + g; W ← W − lr·v.
 * As in torch the buffer starts as a copy of the first gradient (v₁ = g₁), and W is updated with
 * the stored (dtype-rounded) v. With `nesterov` the step is W ← W − lr·(g + μv) instead (see
 * nesterov.ts). The loop is the kernels' momentumUpdate.
 */
export function createMomentumRule(mu: number, nesterov = false): UpdateRule {
  return {
    slotNames: ['momentum_buffer'],
    update(w, g, slots, decay, ctx) {
      ctx.kernels.momentumUpdate(w, g, slots[0], w.length, ctx.lr, mu, decay, ctx.step === 1, nesterov)
    }
  }
}
