import { createNetwork, type Network } from '../../src-engine/network'
import { createRng } from '../../src-engine/core/rng'
import type { Mode } from '../../src-engine/layers/layer'
import type { Tensor } from '../../src-engine/core/tensor'

export interface GradCheckResult {
  /** Largest |analytic − numeric| / max(1e-3, |analytic| + |numeric|) over everything checked. */
  maxRelativeError: number
  /** Where that happened, e.g. "input[17]" or "0.weight[3]". */
  worst: string
  checked: number
}

/**
 * Numerical gradient check of a whole network in float64: L = Σ y ⊙ R for a fixed random R, so
 * dL/dy = R. Central differences (eps 1e-6 unless given) on every input value and every parameter value (or a
 * seeded sample of at most `maxPerTensor` of them) are compared with backward's gradients.
 * The RNG is rewound before every forward, so dropout masks stay fixed.
 */
export function gradCheck(
  spec: unknown,
  batch: number,
  options: { mode?: Mode; seed?: number; maxPerTensor?: number; eps?: number; logits?: boolean; inputScale?: number } = {}
): GradCheckResult {
  const mode = options.mode ?? 'train'
  const eps = options.eps ?? 1e-6
  const rng = createRng(options.seed ?? 7)
  const net: Network = createNetwork(spec, { dtype: 'float64', rng, inputGrad: true })
  const inShape = [batch, ...net.inputShape]
  const x: Tensor = { shape: inShape, data: new Float64Array(inShape.reduce((a, b) => a * b, 1)) }
  const dataRng = createRng((options.seed ?? 7) + 1000)
  const scale = options.inputScale ?? 1
  for (let i = 0; i < x.data.length; i++) x.data[i] = dataRng.nextNormal() * scale
  // Non-trivial parameters: perturb constant-initialized ones (biases, norm gammas) so they matter.
  for (const p of net.params()) for (let i = 0; i < p.value.data.length; i++) p.value.data[i] += 0.1 * dataRng.nextNormal()
  const rngState = rng.getState()
  const fwdOpts = { logits: options.logits ?? false }

  const outputAt = (): Float64Array => {
    rng.setState(rngState)
    return Float64Array.from(net.forward(x, mode, fwdOpts).data)
  }
  // dL/dv ≈ Σ r·(y⁺ − y⁻) / 2eps: differencing the outputs before summing keeps the precision that
  // subtracting two large sums of products would lose.
  const directional = (yPlus: Float64Array, yMinus: Float64Array, r: Float64Array): number => {
    let s = 0
    for (let i = 0; i < r.length; i++) s += r[i] * (yPlus[i] - yMinus[i])
    return s / (2 * eps)
  }
  rng.setState(rngState)
  const y0 = net.forward(x, mode, fwdOpts)
  const r = new Float64Array(y0.data.length)
  for (let i = 0; i < r.length; i++) r[i] = dataRng.nextNormal()
  net.zeroGrad()
  const dx = net.backward({ shape: y0.shape.slice(), data: r }, fwdOpts)
  if (!dx) throw new Error('gradCheck: network returned no input gradient')
  const dxCopy = Float64Array.from(dx.data)
  const grads = net.params().map((p) => ({ name: p.name, value: p.value.data, grad: Float64Array.from(p.grad.data) }))

  let worst = ''
  let maxRelativeError = 0
  let checked = 0
  const sample = (n: number): number[] => {
    const max = options.maxPerTensor ?? 200
    if (n <= max) return Array.from({ length: n }, (_, i) => i)
    const picked = new Set<number>()
    while (picked.size < max) picked.add(dataRng.nextInt(n))
    return [...picked]
  }
  const compare = (label: string, values: Float64Array | Float32Array, analytic: Float64Array) => {
    for (const i of sample(values.length)) {
      const old = values[i]
      values[i] = old + eps
      const yPlus = outputAt()
      values[i] = old - eps
      const yMinus = outputAt()
      values[i] = old
      const numeric = directional(yPlus, yMinus, r)
      const err = Math.abs(analytic[i] - numeric) / Math.max(1e-3, Math.abs(analytic[i]) + Math.abs(numeric))
      checked++
      if (err > maxRelativeError) {
        maxRelativeError = err
        worst = `${label}[${i}] analytic ${analytic[i]} numeric ${numeric}`
      }
    }
  }
  compare('input', x.data, dxCopy)
  for (const g of grads) compare(g.name, g.value, g.grad)
  return { maxRelativeError, worst, checked }
}
