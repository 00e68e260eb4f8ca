/**
 * Geometry for the small textbook plots of the activations page: a y range that holds the curve (and 0),
 * round tick values, and an SVG path that breaks at jumps (a step derivative is drawn as two flat
 * pieces, not joined by a near-vertical line).
 */

export interface PlotBox {
  width: number
  height: number
  /** Inner margin in px (room for tick labels). */
  pad: number
}

export interface PlotScale {
  xMin: number
  xMax: number
  yMin: number
  yMax: number
  box: PlotBox
}

/** A y range holding every finite value and 0, with a little headroom; never empty. */
export function yRangeOf(ys: readonly number[]): [number, number] {
  let lo = 0
  let hi = 0
  for (const y of ys) {
    if (!Number.isFinite(y)) continue
    if (y < lo) lo = y
    if (y > hi) hi = y
  }
  if (hi - lo < 1e-9) {
    hi += 0.5
    lo -= 0.5
  }
  const margin = (hi - lo) * 0.08
  return [lo === 0 ? 0 : lo - margin, hi === 0 ? 0 : hi + margin]
}

/** Round tick values (1, 2 or 5 × 10ⁿ apart) inside [lo, hi], about `target` of them. */
export function niceTicks(lo: number, hi: number, target = 4): number[] {
  if (!(hi > lo)) return [lo]
  const raw = (hi - lo) / target
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag
  const ticks: number[] = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)))
  return ticks
}

export function toPx(s: PlotScale, x: number, y: number): [number, number] {
  const { width, height, pad } = s.box
  const px = pad + ((x - s.xMin) / (s.xMax - s.xMin)) * (width - 2 * pad)
  const py = height - pad - ((y - s.yMin) / (s.yMax - s.yMin)) * (height - 2 * pad)
  return [px, py]
}

/**
 * "M x y L x y …" through the points; a new "M" starts after a jump larger than `jump` × the y range
 * (smooth curves sampled finely never jump that much between neighbours).
 */
export function curvePath(s: PlotScale, xs: readonly number[], ys: readonly number[], jump = 0.2): string {
  const parts: string[] = []
  const limit = jump * (s.yMax - s.yMin)
  let prev: number | null = null
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i]
    if (!Number.isFinite(y)) {
      prev = null
      continue
    }
    const [px, py] = toPx(s, xs[i], y)
    const move = prev === null || Math.abs(y - prev) > limit
    parts.push(`${move ? 'M' : 'L'}${px.toFixed(1)} ${py.toFixed(1)}`)
    prev = y
  }
  return parts.join(' ')
}
