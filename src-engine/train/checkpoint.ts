/**
 * A checkpoint holds everything needed to continue training exactly as if it had never stopped:
 * weights and buffers, optimizer state, the RNG state, the position inside the epoch (with that
 * epoch's shuffled order), the epoch's running sums, early-stopping state and the fitted normalizer.
 *
 * In memory, tensors are typed arrays (cheap to post between processes); on disk a checkpoint is a
 * small binary container: magic "TTMICKPT", a JSON header, then the raw little-endian tensor data.
 */
import type { FloatArray } from '../core/tensor'
import type { StateDict } from '../network'
import type { OptimizerState } from '../optim/optimizer'
import type { Normalizer } from '../data/normalize'
import type { ResolvedNetworkSpec } from '../spec/network-spec'
import type { TrainConfig } from './train-config'

export const CHECKPOINT_VERSION = 1

export interface EpochAccumulators {
  lossSum: number
  correct: number
  seen: number
}

export interface EarlyStoppingState {
  bestMetric: number | null
  bestEpoch: number | null
  bestValLoss: number | null
  bestValAccuracy: number | null
  epochsWithoutImprovement: number
}

export interface Checkpoint {
  version: 1
  spec: ResolvedNetworkSpec
  config: TrainConfig
  normalizer: Normalizer
  /** Identifies the data split the run trained on; resuming on other data is refused. */
  dataFingerprint: string
  /** Next epoch to run (0-based) and the step inside it; globalStep counts every step taken so far. */
  epoch: number
  stepInEpoch: number
  globalStep: number
  /** This epoch's sample order, or null at an epoch boundary (the next epoch draws a new one). */
  order: Int32Array | null
  rng: number[]
  weights: StateDict
  bestWeights: StateDict | null
  optimizer: OptimizerState
  accumulators: EpochAccumulators
  earlyStopping: EarlyStoppingState
  /** Wall time spent training before this checkpoint (ms); not part of the exact-resume guarantee. */
  elapsedMs?: number
}

const MAGIC = 'TTMICKPT'

interface BinaryRef {
  $tensor: number
  dtype: 'float32' | 'float64' | 'int32'
  length: number
}

/** Serializes a checkpoint to bytes (JSON header + raw tensor data). */
export function encodeCheckpoint(cp: Checkpoint): Uint8Array {
  const blobs: (FloatArray | Int32Array)[] = []
  const header = JSON.stringify(cp, (_key, value: unknown) => {
    if (value instanceof Float32Array || value instanceof Float64Array || value instanceof Int32Array) {
      blobs.push(value)
      const dtype = value instanceof Float32Array ? 'float32' : value instanceof Float64Array ? 'float64' : 'int32'
      const ref: BinaryRef = { $tensor: blobs.length - 1, dtype, length: value.length }
      return ref
    }
    return value
  })
  const headerBytes = new TextEncoder().encode(header)
  let dataBytes = 0
  for (const b of blobs) dataBytes += align8(b.byteLength)
  const out = new Uint8Array(8 + 4 + align8(4 + headerBytes.length) + dataBytes)
  out.set(new TextEncoder().encode(MAGIC), 0)
  const view = new DataView(out.buffer)
  view.setUint32(8, headerBytes.length, true)
  out.set(headerBytes, 12)
  let offset = 8 + align8(4 + headerBytes.length)
  for (const b of blobs) {
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), offset) // platform little-endian
    offset += align8(b.byteLength)
  }
  return out
}

/** Parses bytes written by encodeCheckpoint; a damaged file gets an error saying what is wrong. */
export function decodeCheckpoint(bytes: Uint8Array, what = 'checkpoint'): Checkpoint {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new Error(`${what}: not a Tatami checkpoint (bad magic)`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLength = view.getUint32(8, true)
  if (12 + headerLength > bytes.length) throw new Error(`${what}: truncated header (${headerLength} bytes announced, ${bytes.length - 12} present)`)
  let header: unknown
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)))
  } catch (err) {
    throw new Error(`${what}: corrupt header (${(err as Error).message})`)
  }
  // Offsets of each blob, in the order encodeCheckpoint wrote them.
  const refs: BinaryRef[] = []
  collectRefs(header, refs)
  refs.sort((a, b) => a.$tensor - b.$tensor)
  const offsets: number[] = []
  let offset = 8 + align8(4 + headerLength)
  for (const ref of refs) {
    offsets[ref.$tensor] = offset
    offset += align8(ref.length * (ref.dtype === 'float64' ? 8 : 4))
  }
  if (offset > bytes.length) throw new Error(`${what}: truncated data (${offset} bytes expected, ${bytes.length} present)`)
  const revive = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(revive)
    if (value && typeof value === 'object') {
      const ref = value as Partial<BinaryRef>
      if (typeof ref.$tensor === 'number' && ref.dtype && typeof ref.length === 'number') {
        const start = offsets[ref.$tensor]
        const size = ref.dtype === 'float64' ? 8 : 4
        const copy = bytes.slice(start, start + ref.length * size)
        return ref.dtype === 'float64' ? new Float64Array(copy.buffer) : ref.dtype === 'float32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer)
      }
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) out[k] = revive(v)
      return out
    }
    return value
  }
  const cp = revive(header) as Checkpoint
  if (cp.version !== CHECKPOINT_VERSION) throw new Error(`${what}: unsupported checkpoint version ${String(cp.version)}`)
  return cp
}

function collectRefs(value: unknown, refs: BinaryRef[]): void {
  if (Array.isArray(value)) for (const v of value) collectRefs(v, refs)
  else if (value && typeof value === 'object') {
    const ref = value as Partial<BinaryRef>
    if (typeof ref.$tensor === 'number' && ref.dtype && typeof ref.length === 'number') refs.push(ref as BinaryRef)
    else for (const v of Object.values(value)) collectRefs(v, refs)
  }
}

function align8(n: number): number {
  return (n + 7) & ~7
}
