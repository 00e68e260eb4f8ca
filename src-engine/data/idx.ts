/**
 * The IDX format (used by MNIST and friends): two zero bytes, a type code, a dimension count, one
 * big-endian uint32 per dimension, then the values in row-major order, big-endian.
 * Pure TypeScript; gzip is handled with the web-standard DecompressionStream.
 */

export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64'

interface IdxDataMap {
  uint8: Uint8Array
  int8: Int8Array
  int16: Int16Array
  int32: Int32Array
  float32: Float32Array
  float64: Float64Array
}

/** A decoded IDX file; `data.length` is the product of `dims`. */
export type IdxArray = { [K in IdxType]: { type: K; dims: number[]; data: IdxDataMap[K] } }[IdxType]

export class IdxError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'IdxError'
  }
}

interface TypeInfo {
  type: IdxType
  code: number
  bytes: number
}

const TYPES: readonly TypeInfo[] = [
  { type: 'uint8', code: 0x08, bytes: 1 },
  { type: 'int8', code: 0x09, bytes: 1 },
  { type: 'int16', code: 0x0b, bytes: 2 },
  { type: 'int32', code: 0x0c, bytes: 4 },
  { type: 'float32', code: 0x0d, bytes: 4 },
  { type: 'float64', code: 0x0e, bytes: 8 }
]

const MAX_DIMS = 4

function hex(byte: number): string {
  return '0x' + byte.toString(16).padStart(2, '0')
}

function typeByCode(code: number): TypeInfo | undefined {
  return TYPES.find((t) => t.code === code)
}

function typeByName(type: IdxType): TypeInfo {
  const info = TYPES.find((t) => t.type === type)
  if (!info) throw new IdxError(`unknown IDX type '${String(type)}'`)
  return info
}

function describeTypes(): string {
  return TYPES.map((t) => `${hex(t.code)} ${t.type}`).join(', ')
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b
}

/** Parses an uncompressed IDX file. The result owns its data (it does not alias `bytes`). */
export function parseIdx(bytes: Uint8Array, what = 'IDX file'): IdxArray {
  if (bytes.length < 4) {
    throw new IdxError(`${what}: not an IDX file: ${bytes.length} bytes, but the header alone needs at least 4`)
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hint = isGzip(bytes) ? ' (the file is gzip-compressed; decode it with decodeIdx)' : ''
    throw new IdxError(
      `${what}: not an IDX file: bytes 0–1 must be 0x00 0x00, found ${hex(bytes[0])} ${hex(bytes[1])}${hint}`
    )
  }
  const info = typeByCode(bytes[2])
  if (!info) {
    throw new IdxError(`${what}: unknown IDX data type code ${hex(bytes[2])} at byte 2 (expected one of ${describeTypes()})`)
  }
  const dims = readDims(bytes, what)
  const headerBytes = 4 + 4 * dims.length
  const count = dims.reduce((a, b) => a * b, 1)
  checkPayloadLength(bytes.length - headerBytes, count * info.bytes, headerBytes, dims, info, what)
  return { type: info.type, dims, data: readValues(bytes, headerBytes, count, info) } as IdxArray
}

function readDims(bytes: Uint8Array, what: string): number[] {
  const ndims = bytes[3]
  if (ndims < 1 || ndims > MAX_DIMS) {
    throw new IdxError(`${what}: IDX header declares ${ndims} dimensions at byte 3; supported: 1 to ${MAX_DIMS}`)
  }
  const headerBytes = 4 + 4 * ndims
  if (bytes.length < headerBytes) {
    throw new IdxError(
      `${what}: truncated header: ${ndims} dimensions need a ${headerBytes}-byte header, but the file has ${bytes.length} bytes`
    )
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const dims: number[] = []
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false)
    if (d === 0) {
      throw new IdxError(
        `${what}: dimension ${i + 1} of ${ndims} is 0 (bytes ${4 + 4 * i}–${7 + 4 * i}); every dimension must be at least 1`
      )
    }
    dims.push(d)
  }
  return dims
}

function checkPayloadLength(
  found: number,
  expected: number,
  headerBytes: number,
  dims: number[],
  info: TypeInfo,
  what: string
): void {
  if (found === expected) return
  const declared = `the header declares ${dims.join('×')} ${info.type}`
  if (found < expected) {
    throw new IdxError(
      `${what}: truncated: expected ${expected} bytes of data after the ${headerBytes}-byte header, found ${found} (${declared})`
    )
  }
  throw new IdxError(
    `${what}: ${found - expected} trailing bytes after the ${expected} bytes of data that follow the ${headerBytes}-byte header (${declared})`
  )
}

function readValues(bytes: Uint8Array, offset: number, count: number, info: TypeInfo): IdxDataMap[IdxType] {
  // new Uint8Array(view) copies into a plain array, so the result never aliases the caller's
  // buffer (Node's Buffer.slice would return a view).
  if (info.type === 'uint8') return new Uint8Array(bytes.subarray(offset, offset + count))
  if (info.type === 'int8') return new Int8Array(new Uint8Array(bytes.subarray(offset, offset + count)).buffer)
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * info.bytes)
  switch (info.type) {
    case 'int16': {
      const out = new Int16Array(count)
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, false)
      return out
    }
    case 'int32': {
      const out = new Int32Array(count)
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, false)
      return out
    }
    case 'float32': {
      const out = new Float32Array(count)
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, false)
      return out
    }
    case 'float64': {
      const out = new Float64Array(count)
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, false)
      return out
    }
  }
}

/** Decodes an IDX file that may be gzip-compressed (detected by the gzip magic bytes 1f 8b). */
export async function decodeIdx(bytes: Uint8Array, what = 'IDX file'): Promise<IdxArray> {
  const raw = isGzip(bytes) ? await gunzip(bytes, what) : bytes
  return parseIdx(raw, what)
}

// A gzip member is at least a 10-byte header, 2 bytes of deflate data and an 8-byte trailer.
const MIN_GZIP_BYTES = 20

/** Decompresses gzip data with the web-standard DecompressionStream (Node 18+ and browsers). */
export async function gunzip(bytes: Uint8Array, what = 'gzip data'): Promise<Uint8Array> {
  if (bytes.length < MIN_GZIP_BYTES) {
    throw new IdxError(`${what}: truncated gzip data: only ${bytes.length} bytes`)
  }
  const stream = new DecompressionStream('gzip')
  const writer = stream.writable.getWriter()
  // Errors surface on the reading side too; these catches only stop unhandled-rejection noise.
  writer.write(new Uint8Array(bytes)).catch(() => undefined)
  writer.close().catch(() => undefined)
  const reader = stream.readable.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      total += value.length
    }
  } catch (err) {
    throw new IdxError(`${what}: ${describeGzipError(err)}`)
  }
  return concat(chunks, total)
}

function describeGzipError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : ''
  // Node reports a cut-off stream as Z_BUF_ERROR "unexpected end of file".
  if (code === 'Z_BUF_ERROR' || /unexpected end|truncat|incomplete/i.test(message)) {
    return `truncated gzip data (${message})`
  }
  return `corrupt gzip data (${message})`
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total)
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.length
  }
  return out
}

/** Encodes an array as an uncompressed IDX file (big-endian, as the format requires). */
export function encodeIdx(arr: IdxArray): Uint8Array {
  const info = typeByName(arr.type)
  validateDimsForEncoding(arr)
  const headerBytes = 4 + 4 * arr.dims.length
  const out = new Uint8Array(headerBytes + arr.data.length * info.bytes)
  const view = new DataView(out.buffer)
  out[2] = info.code
  out[3] = arr.dims.length
  arr.dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false))
  writeValues(view, headerBytes, arr)
  return out
}

function validateDimsForEncoding(arr: IdxArray): void {
  const { dims } = arr
  if (dims.length < 1 || dims.length > MAX_DIMS) {
    throw new IdxError(`encodeIdx: ${dims.length} dimensions; supported: 1 to ${MAX_DIMS}`)
  }
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 1 || d > 0xffffffff) {
      throw new IdxError(`encodeIdx: dimension ${d} in [${dims.join(', ')}] is not an integer in 1..2^32-1`)
    }
  }
  const count = dims.reduce((a, b) => a * b, 1)
  if (count !== arr.data.length) {
    throw new IdxError(`encodeIdx: dims ${dims.join('×')} hold ${count} values but data has ${arr.data.length}`)
  }
}

function writeValues(view: DataView, offset: number, arr: IdxArray): void {
  const n = arr.data.length
  switch (arr.type) {
    case 'uint8':
      new Uint8Array(view.buffer, offset, n).set(arr.data)
      return
    case 'int8':
      new Int8Array(view.buffer, offset, n).set(arr.data)
      return
    case 'int16':
      for (let i = 0; i < n; i++) view.setInt16(offset + 2 * i, arr.data[i], false)
      return
    case 'int32':
      for (let i = 0; i < n; i++) view.setInt32(offset + 4 * i, arr.data[i], false)
      return
    case 'float32':
      for (let i = 0; i < n; i++) view.setFloat32(offset + 4 * i, arr.data[i], false)
      return
    case 'float64':
      for (let i = 0; i < n; i++) view.setFloat64(offset + 8 * i, arr.data[i], false)
      return
  }
}
