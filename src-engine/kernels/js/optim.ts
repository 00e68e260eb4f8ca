import type { FloatArray } from '../../core/tensor'
import type { AdamStep } from '../kernels'

/*
 * The optimizer updates of src-engine/optim (the rules hold the formulas and their torch
 * references), as loops over flat arrays: computed in float64 per element, stored in the arrays'
 * precision. The wasm kernels do the same arithmetic (bit-identical for float32).
 */

export function adamUpdate(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, n: number, h: AdamStep): void {
  const { beta1, beta2, eps, stepSize, bc2Sqrt, l2, shrink } = h
  const rest1 = 1 - beta1
  const rest2 = 1 - beta2
  for (let i = 0; i < n; i++) {
    if (shrink !== 1) w[i] *= shrink
    const gi = l2 === 0 ? g[i] : g[i] + l2 * w[i]
    m[i] = beta1 * m[i] + rest1 * gi
    v[i] = beta2 * v[i] + rest2 * gi * gi
    w[i] -= stepSize * (m[i] / (Math.sqrt(v[i]) / bc2Sqrt + eps))
  }
}

export function sgdUpdate(w: FloatArray, g: FloatArray, n: number, lr: number, decay: number): void {
  for (let i = 0; i < n; i++) {
    // torch skips the L2 term entirely when λ = 0 (so an infinite weight does not turn g into NaN).
    const gi = decay === 0 ? g[i] : g[i] + decay * w[i]
    w[i] -= lr * gi
  }
}

export function momentumUpdate(
  w: FloatArray, g: FloatArray, buf: FloatArray, n: number, lr: number, mu: number, decay: number, first: boolean, nesterov: boolean
): void {
  for (let i = 0; i < n; i++) {
    const gi = decay === 0 ? g[i] : g[i] + decay * w[i]
    buf[i] = first ? gi : mu * buf[i] + gi
    // Read back from the buffer: torch updates W with the stored (dtype-rounded) v.
    w[i] -= lr * (nesterov ? gi + mu * buf[i] : buf[i])
  }
}
