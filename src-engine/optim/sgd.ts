import type { UpdateRule } from './optimizer'

/** Plain SGD: W ← W − lr·g, g = ∇L + λW (torch.optim.SGD with momentum 0); the kernels' sgdUpdate. */
export function createSgdRule(): UpdateRule {
  return {
    slotNames: [],
    update(w, g, _slots, decay, ctx) {
      ctx.kernels.sgdUpdate(w, g, w.length, ctx.lr, decay)
    }
  }
}
