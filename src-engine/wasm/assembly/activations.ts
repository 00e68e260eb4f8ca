/*
 * Element-wise activations and their gradients over f32 arrays (byte addresses), each element in
 * f64 as the JavaScript reference (src-engine/kernels/js/activations.ts) computes it. kind:
 * 0 leaky ReLU (p = slope), 1 sigmoid, 2 tanh, 3 ELU (p = alpha). Exact for leaky ReLU; the
 * others use AssemblyScript's exp/tanh/expm1, which may differ from V8's in the last f64 bit
 * (invisible after rounding to f32 nearly always).
 */

// @ts-ignore: decorator
@inline function sigmoid(x: f64): f64 {
  if (x >= 0) return 1 / (1 + Math.exp(-x))
  const e = Math.exp(x)
  return e / (1 + e)
}

export function activation(kind: i32, x: usize, y: usize, n: i32, p: f64): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i * 4
    const v = <f64>load<f32>(x + o)
    let r: f64
    if (kind == 0) r = v > 0 ? v : p * v
    else if (kind == 1) r = sigmoid(v)
    else if (kind == 2) r = Math.tanh(v)
    else r = v > 0 ? v : p * Math.expm1(v)
    store<f32>(y + o, <f32>r)
  }
}

/** dx = dy·f'(x), from x (leaky ReLU, ELU) or the cached output y (sigmoid, tanh). */
export function activationBackward(kind: i32, x: usize, y: usize, dy: usize, dx: usize, n: i32, p: f64): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i * 4
    const d = <f64>load<f32>(dy + o)
    let r: f64
    if (kind == 0) r = load<f32>(x + o) > 0 ? d : p * d
    else if (kind == 1) {
      const s = <f64>load<f32>(y + o)
      r = d * s * (1 - s)
    } else if (kind == 2) {
      const t = <f64>load<f32>(y + o)
      r = d * (1 - t * t)
    } else {
      const v = <f64>load<f32>(x + o)
      r = v > 0 ? d : d * p * Math.exp(v)
    }
    store<f32>(dx + o, <f32>r)
  }
}
