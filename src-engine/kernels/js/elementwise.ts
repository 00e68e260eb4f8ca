import type { FloatArray } from '../../core/tensor'

/** y = max(0, x) over n values; NaN gives 0 (the test `v > 0` fails for NaN). */
export function relu(x: FloatArray, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[i]
    y[i] = v > 0 ? v : 0
  }
}

/** dx = dy where x > 0, else 0 (d/dx max(0, x) is taken as 0 at x = 0, as PyTorch does). */
export function reluBackward(x: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0
}

/** y[s, c, i] += b[c] for `samples` × `channels` planes of `plane` values (NCHW bias). */
export function addChannelBias(y: FloatArray, b: FloatArray, samples: number, channels: number, plane: number): void {
  for (let s = 0; s < samples; s++) {
    for (let c = 0; c < channels; c++) {
      const bc = b[c]
      const base = (s * channels + c) * plane
      for (let i = 0; i < plane; i++) y[base + i] += bc
    }
  }
}

/** db[c] += Σ_{s,i} dy[s, c, i] (each plane summed in float64, then added). */
export function channelSums(dy: FloatArray, db: FloatArray, samples: number, channels: number, plane: number): void {
  for (let s = 0; s < samples; s++) {
    for (let c = 0; c < channels; c++) {
      const base = (s * channels + c) * plane
      let sum = 0
      for (let i = 0; i < plane; i++) sum += dy[base + i]
      db[c] += sum
    }
  }
}
