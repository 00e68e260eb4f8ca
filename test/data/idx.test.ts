import { describe, it, expect } from 'vitest'
import { gzipSync } from 'node:zlib'
import { decodeIdx, encodeIdx, IdxError, parseIdx, type IdxArray } from '../../src-engine/data/idx'

function header(typeCode: number, dims: number[]): number[] {
  const out = [0, 0, typeCode, dims.length]
  for (const d of dims) out.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255)
  return out
}

function bytes(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat())
}

const samples: IdxArray[] = [
  { type: 'uint8', dims: [2, 3], data: Uint8Array.from([0, 1, 2, 127, 128, 255]) },
  { type: 'int8', dims: [4], data: Int8Array.from([-128, -1, 0, 127]) },
  { type: 'int16', dims: [2, 2], data: Int16Array.from([-32768, -2, 258, 32767]) },
  { type: 'int32', dims: [3], data: Int32Array.from([-2147483648, 16909060, 2147483647]) },
  { type: 'float32', dims: [1, 2, 1, 2], data: Float32Array.from([1.5, -0.25, 3.4e38, 1e-40]) },
  { type: 'float64', dims: [2, 1, 1], data: Float64Array.from([Math.PI, -1e-300]) }
]

describe('IDX round trip', () => {
  for (const s of samples) {
    it(`${s.type} ${s.dims.join('×')}`, async () => {
      const encoded = encodeIdx(s)
      const parsed = parseIdx(encoded)
      expect(parsed.type).toBe(s.type)
      expect(parsed.dims).toEqual(s.dims)
      expect(Array.from(parsed.data)).toEqual(Array.from(s.data))
      const fromGzip = await decodeIdx(new Uint8Array(gzipSync(encoded)))
      expect(Array.from(fromGzip.data)).toEqual(Array.from(s.data))
    })
  }

  it('writes the standard header, big-endian', () => {
    const encoded = encodeIdx({ type: 'int16', dims: [2], data: Int16Array.from([0x0102, -1]) })
    expect(Array.from(encoded)).toEqual([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xff])
  })

  it('reads the MNIST label header (magic 0x00000801)', () => {
    const parsed = parseIdx(bytes(header(0x08, [3]), [7, 2, 1]))
    expect(parsed).toEqual({ type: 'uint8', dims: [3], data: Uint8Array.from([7, 2, 1]) })
  })

  it('does not alias the input buffer', () => {
    const input = bytes(header(0x08, [2]), [5, 6])
    const parsed = parseIdx(input)
    input[8] = 99
    expect(parsed.data[0]).toBe(5)
  })

  it('decodes from a Node Buffer at a non-zero byteOffset', () => {
    const raw = encodeIdx({ type: 'int32', dims: [2], data: Int32Array.from([1, -1]) })
    const padded = new Uint8Array(raw.length + 3)
    padded.set(raw, 3)
    expect(Array.from(parseIdx(padded.subarray(3)).data)).toEqual([1, -1])
  })

  it('encodeIdx rejects dims that do not match the data', () => {
    expect(() => encodeIdx({ type: 'uint8', dims: [2, 2], data: new Uint8Array(3) })).toThrow(
      'dims 2×2 hold 4 values but data has 3'
    )
  })
})

describe('IDX errors', () => {
  function parseError(input: Uint8Array): string {
    try {
      parseIdx(input, 'data/x.idx')
    } catch (err) {
      expect(err).toBeInstanceOf(IdxError)
      return (err as Error).message
    }
    throw new Error('expected parseIdx to throw')
  }

  it('file shorter than 4 bytes', () => {
    expect(parseError(bytes([0, 0, 8]))).toBe(
      'data/x.idx: not an IDX file: 3 bytes, but the header alone needs at least 4'
    )
  })

  it('bad magic (first two bytes not zero)', () => {
    expect(parseError(bytes([0x50, 0x4b, 8, 1], [0, 0, 0, 0]))).toBe(
      'data/x.idx: not an IDX file: bytes 0–1 must be 0x00 0x00, found 0x50 0x4b'
    )
  })

  it('gzip bytes given to parseIdx get a hint', () => {
    expect(parseError(new Uint8Array(gzipSync(Uint8Array.from([1, 2, 3]))))).toContain(
      'the file is gzip-compressed; decode it with decodeIdx'
    )
  })

  it('bad type code', () => {
    expect(parseError(bytes(header(0x0a, [1]), [0]))).toBe(
      'data/x.idx: unknown IDX data type code 0x0a at byte 2 (expected one of 0x08 uint8, 0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64)'
    )
  })

  it('too many dimensions', () => {
    expect(parseError(bytes(header(0x08, [1, 1, 1, 1, 1]), [0]))).toBe(
      'data/x.idx: IDX header declares 5 dimensions at byte 3; supported: 1 to 4'
    )
  })

  it('zero dimensions', () => {
    expect(parseError(bytes([0, 0, 8, 0]))).toContain('declares 0 dimensions')
  })

  it('header shorter than its dimension count needs', () => {
    expect(parseError(bytes([0, 0, 8, 3], [0, 0, 0, 1, 0, 0]))).toBe(
      'data/x.idx: truncated header: 3 dimensions need a 16-byte header, but the file has 10 bytes'
    )
  })

  it('a zero dimension', () => {
    expect(parseError(bytes(header(0x08, [2, 0, 3])))).toBe(
      'data/x.idx: dimension 2 of 3 is 0 (bytes 8–11); every dimension must be at least 1'
    )
  })

  it('truncated data', () => {
    expect(parseError(bytes(header(0x08, [10, 2, 2]), new Array<number>(39).fill(1)))).toBe(
      'data/x.idx: truncated: expected 40 bytes of data after the 16-byte header, found 39 (the header declares 10×2×2 uint8)'
    )
  })

  it('truncated multi-byte data counts bytes, not values', () => {
    expect(parseError(bytes(header(0x0d, [3]), new Array<number>(8).fill(0)))).toContain(
      'truncated: expected 12 bytes of data after the 8-byte header, found 8'
    )
  })

  it('trailing bytes', () => {
    expect(parseError(bytes(header(0x08, [2]), [1, 2, 3, 4, 5]))).toBe(
      'data/x.idx: 3 trailing bytes after the 2 bytes of data that follow the 8-byte header (the header declares 2 uint8)'
    )
  })

  it('uses a default name when none is given', () => {
    expect(() => parseIdx(new Uint8Array(0))).toThrow(/^IDX file: not an IDX file/)
  })
})

describe('gzip errors', () => {
  const raw = encodeIdx({
    type: 'uint8',
    dims: [50, 20],
    data: Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) % 251)
  })
  const gz = new Uint8Array(gzipSync(raw))

  it('corrupt gzip', async () => {
    const bad = gz.slice()
    for (let i = 12; i < 24; i++) bad[i] ^= 0xa5
    await expect(decodeIdx(bad, 'labels.gz')).rejects.toThrow(/^labels\.gz: corrupt gzip data \(/)
  })

  it('corrupt gzip checksum', async () => {
    const bad = gz.slice()
    bad[bad.length - 6] ^= 0xff
    await expect(decodeIdx(bad, 'labels.gz')).rejects.toThrow(/^labels\.gz: corrupt gzip data/)
  })

  it('truncated gzip', async () => {
    await expect(decodeIdx(gz.subarray(0, gz.length - 10), 'labels.gz')).rejects.toThrow(
      /^labels\.gz: truncated gzip data/
    )
    await expect(decodeIdx(gz.subarray(0, Math.floor(gz.length / 2)), 'labels.gz')).rejects.toThrow(
      /^labels\.gz: truncated gzip data/
    )
  })

  it('gzip too short to hold anything', async () => {
    await expect(decodeIdx(gz.subarray(0, 5), 'labels.gz')).rejects.toThrow(
      'labels.gz: truncated gzip data: only 5 bytes'
    )
  })

  it('errors are IdxError', async () => {
    await expect(decodeIdx(gz.subarray(0, 30))).rejects.toBeInstanceOf(IdxError)
  })

  it('a valid gzip holding a broken IDX file reports the IDX problem', async () => {
    const cut = new Uint8Array(gzipSync(raw.subarray(0, raw.length - 1)))
    await expect(decodeIdx(cut, 'images.gz')).rejects.toThrow(
      'images.gz: truncated: expected 1000 bytes of data after the 12-byte header, found 999'
    )
  })
})
