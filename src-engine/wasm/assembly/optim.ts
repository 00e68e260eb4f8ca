/*
 * Optimizer updates over f32 arrays (byte addresses), computed per element in f64 exactly as the
 * JavaScript reference (src-engine/kernels/js/optim.ts) does, so the results are bit-identical.
 */

/** Adam / AdamW (see src-engine/optim/adam.ts); shrink ≠ 1 is AdamW's decoupled decay, l2 Adam's. */
export function adamUpdate(
  w: usize, g: usize, m: usize, v: usize, n: i32,
  beta1: f64, beta2: f64, eps: f64, stepSize: f64, bc2Sqrt: f64, l2: f64, shrink: f64
): void {
  const rest1 = 1 - beta1
  const rest2 = 1 - beta2
  for (let i = 0; i < n; i++) {
    const o = <usize>i * 4
    let wi = <f64>load<f32>(w + o)
    if (shrink != 1) wi = <f64><f32>(wi * shrink)
    const gi = l2 == 0 ? <f64>load<f32>(g + o) : <f64>load<f32>(g + o) + l2 * wi
    const mi = <f64><f32>(beta1 * <f64>load<f32>(m + o) + rest1 * gi)
    const vi = <f64><f32>(beta2 * <f64>load<f32>(v + o) + rest2 * gi * gi)
    store<f32>(m + o, <f32>mi)
    store<f32>(v + o, <f32>vi)
    store<f32>(w + o, <f32>(wi - stepSize * (mi / (Math.sqrt(vi) / bc2Sqrt + eps))))
  }
}

/** Plain SGD: w −= lr·(g + decay·w) (the decay term skipped when decay is 0). */
export function sgdUpdate(w: usize, g: usize, n: i32, lr: f64, decay: f64): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i * 4
    const wi = <f64>load<f32>(w + o)
    const gi = decay == 0 ? <f64>load<f32>(g + o) : <f64>load<f32>(g + o) + decay * wi
    store<f32>(w + o, <f32>(wi - lr * gi))
  }
}

/** SGD with momentum (heavy ball, or Nesterov): buf ← μ·buf + g (buf ← g on the first step). */
export function momentumUpdate(w: usize, g: usize, buf: usize, n: i32, lr: f64, mu: f64, decay: f64, first: i32, nesterov: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i * 4
    const wi = <f64>load<f32>(w + o)
    const gi = decay == 0 ? <f64>load<f32>(g + o) : <f64>load<f32>(g + o) + decay * wi
    const bi = <f64><f32>(first ? gi : mu * <f64>load<f32>(buf + o) + gi)
    store<f32>(buf + o, <f32>bi)
    store<f32>(w + o, <f32>(wi - lr * (nesterov ? gi + mu * bi : bi)))
  }
}
