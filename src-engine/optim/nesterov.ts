import type { UpdateRule } from './optimizer'
import { createMomentumRule } from './momentum'

/**
 * Nesterov momentum as torch.optim.SGD(nesterov=True) does it: v ← μv + g; W ← W − lr·(g + μv),
 * with v₁ = g₁. Shares the momentum rule's loop; only the step differs.
 */
export function createNesterovRule(mu: number): UpdateRule {
  return createMomentumRule(mu, true)
}
