/*
 * ReLU and per-channel bias kernels (f32, byte addresses), with the exact semantics of the
 * JavaScript reference in src-engine/kernels/js/elementwise.ts.
 */

/** y = x > 0 ? x : 0 (NaN and −0 give +0). pmax(0, x) is `0 < x ? x : 0`, the same select. */
export function relu(x: usize, y: usize, n: i32): void {
  const zero = f32x4.splat(0)
  let i = 0
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4
    v128.store(y + o, f32x4.pmax(zero, v128.load(x + o)))
  }
  for (; i < n; i++) {
    const o = <usize>i * 4
    const v = load<f32>(x + o)
    store<f32>(y + o, v > 0 ? v : 0)
  }
}

/** dx = x > 0 ? dy : 0. */
export function reluBackward(x: usize, dy: usize, dx: usize, n: i32): void {
  const zero = f32x4.splat(0)
  let i = 0
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4
    v128.store(dx + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(x + o), zero)))
  }
  for (; i < n; i++) {
    const o = <usize>i * 4
    store<f32>(dx + o, load<f32>(x + o) > 0 ? load<f32>(dy + o) : 0)
  }
}

/** y[s, c, i] += b[c] over `samples` × `channels` planes of `plane` values. */
export function addChannelBias(y: usize, b: usize, samples: i32, channels: i32, plane: i32): void {
  let p = y
  for (let s = 0; s < samples; s++) {
    for (let c = 0; c < channels; c++) {
      const bc = load<f32>(b + <usize>c * 4)
      const v = f32x4.splat(bc)
      let i = 0
      for (; i + 4 <= plane; i += 4, p += 16) v128.store(p, f32x4.add(v128.load(p), v))
      for (; i < plane; i++, p += 4) store<f32>(p, load<f32>(p) + bc)
    }
  }
}

/** db[c] += Σ_{s,i} dy[s, c, i]; each plane is summed in f64 (as the reference does), four lanes at a time. */
export function channelSums(dy: usize, db: usize, samples: i32, channels: i32, plane: i32): void {
  let p = dy
  for (let s = 0; s < samples; s++) {
    for (let c = 0; c < channels; c++) {
      let acc = f64x2.splat(0)
      let acc2 = f64x2.splat(0)
      let i = 0
      for (; i + 4 <= plane; i += 4, p += 16) {
        const v = v128.load(p)
        acc = f64x2.add(acc, f64x2.promote_low_f32x4(v))
        acc2 = f64x2.add(acc2, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)))
      }
      let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1) + f64x2.extract_lane(acc2, 0) + f64x2.extract_lane(acc2, 1)
      for (; i < plane; i++, p += 4) sum += <f64>load<f32>(p)
      const at = db + <usize>c * 4
      store<f32>(at, <f32>(<f64>load<f32>(at) + sum))
    }
  }
}
