import type { FloatArray } from '../../core/tensor'
import type { ActivationKind } from '../kernels'

/*
 * Element-wise activations (the reference loops; formulas and PyTorch conventions in the layers:
 * src-engine/layers/leaky-relu.ts, sigmoid.ts, tanh.ts, elu.ts). p is the slope or alpha.
 */

/**
 * σ(x) without overflow: e^−x is only formed for x ≥ 0 and e^x only for x < 0, so the exponential is
 * at most 1 and large |x| saturate cleanly to 0 or 1 (never NaN).
 */
export function stableSigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x))
  const e = Math.exp(x)
  return e / (1 + e)
}

export function activation(kind: ActivationKind, x: FloatArray, y: FloatArray, n: number, p: number): void {
  switch (kind) {
    case 'leaky_relu':
      for (let i = 0; i < n; i++) {
        const v = x[i]
        y[i] = v > 0 ? v : p * v
      }
      return
    case 'sigmoid':
      for (let i = 0; i < n; i++) y[i] = stableSigmoid(x[i])
      return
    case 'tanh':
      // Math.tanh saturates to ±1 without overflow for any finite x.
      for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i])
      return
    case 'elu':
      // expm1 keeps α(eˣ − 1) accurate for small negative x; for very negative x it tends to −α.
      for (let i = 0; i < n; i++) {
        const v = x[i]
        y[i] = v > 0 ? v : p * Math.expm1(v)
      }
      return
  }
}

export function activationBackward(kind: ActivationKind, x: FloatArray, y: FloatArray, dy: FloatArray, dx: FloatArray, n: number, p: number): void {
  switch (kind) {
    case 'leaky_relu':
      // The derivative at x = 0 is taken as the slope, as PyTorch does (x > 0 ? 1 : slope).
      for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : p * dy[i]
      return
    case 'sigmoid':
      // σ'(x) = σ(x)(1 − σ(x)), from the cached output.
      for (let i = 0; i < n; i++) {
        const s = y[i]
        dx[i] = dy[i] * s * (1 - s)
      }
      return
    case 'tanh':
      // tanh'(x) = 1 − tanh²(x), from the cached output.
      for (let i = 0; i < n; i++) {
        const t = y[i]
        dx[i] = dy[i] * (1 - t * t)
      }
      return
    case 'elu':
      // d/dx = 1 for x > 0, αeˣ for x ≤ 0 (PyTorch's convention at 0: α).
      for (let i = 0; i < n; i++) {
        const v = x[i]
        dx[i] = v > 0 ? dy[i] : dy[i] * p * Math.exp(v)
      }
      return
  }
}
