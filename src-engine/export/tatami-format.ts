/**
 * The Tatami model file (.tatami): one file with the network spec, the training config, the input
 * normalizer, a metrics summary and the weights, to reopen a model, inspect it or train it further.
 *
 *   bytes 0..7    magic "TATAMIMD"
 *   8..11         u32 LE format version (1)
 *   12..15        u32 LE header length H
 *   16..16+H      UTF-8 JSON header: { spec, training, normalizer, summary, source,
 *                                      tensors: [{ name, shape, offset, length }] }   (offset/length in float32 values)
 *   then          float32 LE weights, starting at the next multiple of 4
 *   last 4 bytes  u32 LE CRC-32 of everything before them
 * A damaged, truncated or foreign file gets an error saying which of these is wrong.
 */
import { analyzeNetwork } from '../spec/network-spec'
import { createNetwork, type StateDict } from '../network'
import { crc32 } from './crc32'
import type { ExportedModel } from './exported-model'

export const TATAMI_MAGIC = 'TATAMIMD'
export const TATAMI_FORMAT_VERSION = 1
export const TATAMI_EXTENSION = '.tatami'

interface TensorRecord {
  name: string
  shape: number[]
  offset: number
  length: number
}

interface Header extends Omit<ExportedModel, 'weights'> {
  tensors: TensorRecord[]
}

export class ModelFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ModelFileError'
  }
}

export function encodeTatamiModel(model: ExportedModel): Uint8Array {
  const tensors: TensorRecord[] = []
  let total = 0
  for (const [name, entry] of Object.entries(model.weights)) {
    tensors.push({ name, shape: entry.shape.slice(), offset: total, length: entry.data.length })
    total += entry.data.length
  }
  const header: Header = { spec: model.spec, training: model.training, normalizer: model.normalizer, summary: model.summary, source: model.source, tensors }
  const headerBytes = new TextEncoder().encode(JSON.stringify(header))
  const dataStart = align4(16 + headerBytes.length)
  const out = new Uint8Array(dataStart + total * 4 + 4)
  const view = new DataView(out.buffer)
  out.set(new TextEncoder().encode(TATAMI_MAGIC), 0)
  view.setUint32(8, TATAMI_FORMAT_VERSION, true)
  view.setUint32(12, headerBytes.length, true)
  out.set(headerBytes, 16)
  for (const t of tensors) {
    const data = model.weights[t.name].data
    for (let i = 0; i < t.length; i++) view.setFloat32(dataStart + (t.offset + i) * 4, data[i], true)
  }
  view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true)
  return out
}

/** Reads a .tatami file and checks that its weights fit its network (a model built from it loads them). */
export function decodeTatamiModel(bytes: Uint8Array, what = 'Tatami model file'): ExportedModel {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 8)) !== TATAMI_MAGIC) {
    throw new ModelFileError(`${what}: not a Tatami model file (it does not start with "${TATAMI_MAGIC}")`)
  }
  if (bytes.length < 20) throw new ModelFileError(`${what}: truncated (${bytes.length} bytes)`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const version = view.getUint32(8, true)
  if (version !== TATAMI_FORMAT_VERSION) throw new ModelFileError(`${what}: format version ${version} is not supported (this Tatami reads version ${TATAMI_FORMAT_VERSION})`)
  const headerLength = view.getUint32(12, true)
  if (16 + headerLength + 4 > bytes.length) {
    throw new ModelFileError(`${what}: truncated: the header announces ${headerLength} bytes but the file has ${bytes.length} bytes in all`)
  }
  const stored = view.getUint32(bytes.length - 4, true)
  const actual = crc32(bytes.subarray(0, bytes.length - 4))
  if (stored !== actual) {
    throw new ModelFileError(`${what}: corrupt or truncated (checksum ${hex(actual)} does not match the stored ${hex(stored)})`)
  }
  let header: Header
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength))) as Header
  } catch (err) {
    throw new ModelFileError(`${what}: corrupt header (${(err as Error).message})`)
  }
  if (!header || typeof header !== 'object' || !Array.isArray(header.tensors)) throw new ModelFileError(`${what}: the header has no tensor list`)
  const analysis = analyzeNetwork(header.spec)
  if (!analysis.ok || !analysis.spec) throw new ModelFileError(`${what}: invalid network spec: ${analysis.issues.map((i) => i.message).join('; ')}`)
  const dataStart = align4(16 + headerLength)
  const values = (bytes.length - 4 - dataStart) / 4
  const weights: StateDict = {}
  for (const t of header.tensors) {
    if (t.offset < 0 || t.length < 0 || t.offset + t.length > values) {
      throw new ModelFileError(`${what}: tensor ${t.name} lies outside the file's data (${values} values)`)
    }
    const data = new Float32Array(t.length)
    for (let i = 0; i < t.length; i++) data[i] = view.getFloat32(dataStart + (t.offset + i) * 4, true)
    weights[t.name] = { shape: t.shape, data }
  }
  try {
    createNetwork(analysis.spec).loadStateDict(weights)
  } catch (err) {
    throw new ModelFileError(`${what}: the weights do not fit the network: ${(err as Error).message}`)
  }
  return {
    spec: analysis.spec,
    weights,
    training: header.training ?? null,
    normalizer: header.normalizer ?? null,
    summary: header.summary ?? null,
    source: header.source ?? {}
  }
}

function align4(n: number): number {
  return (n + 3) & ~3
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0')
}
