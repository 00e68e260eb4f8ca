/**
 * NumPy .npz writer: a zip archive (stored, no compression) of .npy arrays, one per state_dict entry.
 * numpy.load reads it and torch.from_numpy turns each array into a tensor; Debian's python3-torch
 * depends on python3-numpy, so no extra package is needed.
 */
import { crc32 } from './crc32'

export interface NpyArray {
  name: string
  shape: number[]
  dtype: 'float32' | 'int64'
  data: ArrayLike<number>
}

/** One array in .npy format version 1.0 (little-endian, C order). */
export function encodeNpy(a: NpyArray): Uint8Array {
  const descr = a.dtype === 'float32' ? '<f4' : '<i8'
  const shape = a.shape.length === 0 ? '()' : a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`
  // magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64 and ending in \n.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64
  header = header.padEnd(total - 10 - 1, ' ') + '\n'
  const itemSize = a.dtype === 'float32' ? 4 : 8
  const out = new Uint8Array(total + a.data.length * itemSize)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0) // \x93NUMPY v1.0
  const view = new DataView(out.buffer)
  view.setUint16(8, header.length, true)
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i)
  for (let i = 0; i < a.data.length; i++) {
    if (a.dtype === 'float32') view.setFloat32(total + i * 4, a.data[i], true)
    else view.setBigInt64(total + i * 8, BigInt(Math.round(a.data[i])), true)
  }
  return out
}

/** A zip archive of the given files, stored without compression. */
export function encodeZip(files: { name: string; data: Uint8Array }[]): Uint8Array {
  const enc = new TextEncoder()
  const parts: Uint8Array[] = []
  const central: Uint8Array[] = []
  let offset = 0
  for (const f of files) {
    const name = enc.encode(f.name)
    const crc = crc32(f.data)
    const local = new Uint8Array(30 + name.length)
    const lv = new DataView(local.buffer)
    lv.setUint32(0, 0x04034b50, true)
    lv.setUint16(4, 20, true) // version needed
    lv.setUint16(8, 0, true) // stored
    lv.setUint16(12, 0x21, true) // date 1980-01-01
    lv.setUint32(14, crc, true)
    lv.setUint32(18, f.data.length, true)
    lv.setUint32(22, f.data.length, true)
    lv.setUint16(26, name.length, true)
    local.set(name, 30)
    const entry = new Uint8Array(46 + name.length)
    const cv = new DataView(entry.buffer)
    cv.setUint32(0, 0x02014b50, true)
    cv.setUint16(4, 20, true)
    cv.setUint16(6, 20, true)
    cv.setUint16(14, 0x21, true)
    cv.setUint32(16, crc, true)
    cv.setUint32(20, f.data.length, true)
    cv.setUint32(24, f.data.length, true)
    cv.setUint16(28, name.length, true)
    cv.setUint32(42, offset, true)
    entry.set(name, 46)
    parts.push(local, f.data)
    central.push(entry)
    offset += local.length + f.data.length
  }
  const centralSize = central.reduce((s, c) => s + c.length, 0)
  const end = new Uint8Array(22)
  const ev = new DataView(end.buffer)
  ev.setUint32(0, 0x06054b50, true)
  ev.setUint16(8, files.length, true)
  ev.setUint16(10, files.length, true)
  ev.setUint32(12, centralSize, true)
  ev.setUint32(16, offset, true)
  const out = new Uint8Array(offset + centralSize + 22)
  let at = 0
  for (const p of [...parts, ...central, end]) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export function encodeNpz(arrays: NpyArray[]): Uint8Array {
  return encodeZip(arrays.map((a) => ({ name: `${a.name}.npy`, data: encodeNpy(a) })))
}
