import * as ort from 'onnxruntime-node'
import { createNetwork, type Network } from '../../src-engine/network'
import type { NetworkSpec, ResolvedNetworkSpec } from '../../src-engine/spec/network-spec'
import type { ExportedModel } from '../../src-engine/export/exported-model'
import { makeRandom } from '../helpers/random'

/**
 * A network with non-trivial weights: every parameter random, batch-norm running means random and
 * running variances in [0.5, 1.5], so an export that ignored any of them would give other outputs.
 * keepInitWeights keeps the initializers' conv/dense weights (He/Xavier scale), so a deep network's
 * outputs are not saturated and still show every layer's error; everything else is randomized.
 */
export function randomNetwork(spec: NetworkSpec | ResolvedNetworkSpec, seed = 1, keepInitWeights = false): Network {
  const net = createNetwork(spec, { seed })
  const rnd = makeRandom(seed + 100)
  const state = net.stateDict()
  for (const [name, entry] of Object.entries(state)) {
    const data = entry.data
    for (let i = 0; i < data.length; i++) {
      if (name.endsWith('running_var')) data[i] = 1 + 0.5 * rnd()
      else if (name.endsWith('num_batches_tracked')) data[i] = 7
      else if (keepInitWeights && name.endsWith('weight') && entry.shape.length >= 2) continue
      else data[i] = 0.5 * rnd()
    }
  }
  net.loadStateDict(state)
  return net
}

export function modelOf(net: Network, extra: Partial<ExportedModel> = {}): ExportedModel {
  return { spec: net.spec, weights: net.stateDict(), training: null, normalizer: null, summary: null, source: {}, ...extra }
}

export function randomInput(shape: readonly number[], batch: number, seed = 7): Float32Array {
  const rnd = makeRandom(seed)
  const n = batch * shape.reduce((a, b) => a * b, 1)
  return Float32Array.from({ length: n }, () => 1.5 * rnd())
}

export function engineForward(net: Network, input: Float32Array, batch: number): Float32Array {
  const y = net.forward({ shape: [batch, ...net.inputShape], data: input }, 'eval')
  return Float32Array.from(y.data)
}

export async function ortForward(bytes: Uint8Array, input: Float32Array, shape: readonly number[], batch: number): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes)
  try {
    const out = await session.run({ input: new ort.Tensor('float32', input, [batch, ...shape]) })
    const y = out.output
    return { data: y.data as Float32Array, dims: y.dims }
  } finally {
    await session.release()
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}
