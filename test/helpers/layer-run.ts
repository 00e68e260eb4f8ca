import { expect } from 'vitest'
import { createNetwork } from '../../src-engine/network'
import type { DType } from '../../src-engine/core/tensor'

export type LayerJson = { type: string } & Record<string, unknown>

/** A network spec: input shape (per sample) and layers. */
export function spec(shape: number[], ...layers: LayerJson[]) {
  return { version: 1, input: { shape }, layers }
}

/**
 * Runs one forward (eval) and one backward pass. `x` holds the whole batch; dy defaults to ones.
 * Returns copies of the output and the input gradient.
 */
export function run(
  netSpec: unknown,
  x: number[],
  options: { dtype?: DType; dy?: number[] } = {}
): { y: number[]; dx: number[]; shape: number[] } {
  const dtype = options.dtype ?? 'float64'
  const net = createNetwork(netSpec, { dtype, inputGrad: true })
  const per = net.inputShape.reduce((a, b) => a * b, 1)
  const batch = x.length / per
  const data = dtype === 'float64' ? Float64Array.from(x) : Float32Array.from(x)
  const y = net.forward({ shape: [batch, ...net.inputShape], data }, 'eval')
  const yCopy = Array.from(y.data)
  const shape = y.shape.slice()
  const dyData = options.dy ?? new Array<number>(y.data.length).fill(1)
  const g = net.backward({ shape: y.shape.slice(), data: dtype === 'float64' ? Float64Array.from(dyData) : Float32Array.from(dyData) })
  if (!g) throw new Error('no input gradient')
  return { y: yCopy, dx: Array.from(g.data), shape }
}

/** Same length, and every value toBeCloseTo its expected one to `digits` decimals. */
export function expectClose(actual: number[], expected: number[], digits = 14): void {
  expect(actual.length).toBe(expected.length)
  actual.forEach((v, i) => expect(v, `index ${i}`).toBeCloseTo(expected[i], digits))
}
