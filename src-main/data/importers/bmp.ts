/**
 * A small decoder for uncompressed Windows BMP files (sharp/libvips cannot read BMP): 8-bit paletted,
 * 24-bit and 32-bit (BI_RGB or BI_BITFIELDS with the usual BGRA masks), bottom-up or top-down.
 * Returns interleaved RGB bytes.
 */
export interface RgbImage {
  width: number
  height: number
  data: Uint8Array
}

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d
}

export function decodeBmp(bytes: Uint8Array): RgbImage {
  if (!isBmp(bytes) || bytes.length < 54) throw new Error('not a BMP file')
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const offset = v.getUint32(10, true)
  const headerSize = v.getUint32(14, true)
  if (headerSize < 40) throw new Error(`unsupported BMP header of ${headerSize} bytes`)
  const width = v.getInt32(18, true)
  const rawHeight = v.getInt32(22, true)
  const bpp = v.getUint16(28, true)
  const compression = v.getUint32(30, true)
  const height = Math.abs(rawHeight)
  if (width < 1 || height < 1 || width > 16384 || height > 16384) throw new Error(`bad BMP size ${width}×${rawHeight}`)
  if (!(compression === 0 || (compression === 3 && bpp === 32))) throw new Error(`compressed BMP (compression ${compression}) is not supported`)
  if (bpp !== 8 && bpp !== 24 && bpp !== 32) throw new Error(`${bpp}-bit BMP is not supported (8, 24 and 32 are)`)
  const stride = Math.ceil((width * bpp) / 32) * 4
  if (offset + stride * height > bytes.length) throw new Error(`truncated BMP: ${bytes.length} bytes, pixel data needs ${offset + stride * height}`)
  let palette: Uint8Array | null = null
  if (bpp === 8) {
    const colors = v.getUint32(46, true) || 256
    const start = 14 + headerSize
    if (start + colors * 4 > offset) throw new Error('truncated BMP palette')
    palette = bytes.subarray(start, start + colors * 4)
  }
  const data = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    const row = offset + (rawHeight > 0 ? height - 1 - y : y) * stride
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3
      if (palette) {
        const p = bytes[row + x] * 4
        if (p + 2 >= palette.length) throw new Error(`pixel (${x}, ${y}) uses colour ${p / 4}, beyond the palette`)
        data[o] = palette[p + 2]
        data[o + 1] = palette[p + 1]
        data[o + 2] = palette[p]
      } else {
        const s = row + (x * bpp) / 8
        data[o] = bytes[s + 2]
        data[o + 1] = bytes[s + 1]
        data[o + 2] = bytes[s]
      }
    }
  }
  return { width, height, data }
}

/** Encodes interleaved RGB bytes as a 24-bit bottom-up BMP (for tests and fixtures). */
export function encodeBmp(img: RgbImage): Uint8Array {
  const stride = Math.ceil((img.width * 24) / 32) * 4
  const size = 54 + stride * img.height
  const out = new Uint8Array(size)
  const v = new DataView(out.buffer)
  out[0] = 0x42
  out[1] = 0x4d
  v.setUint32(2, size, true)
  v.setUint32(10, 54, true)
  v.setUint32(14, 40, true)
  v.setInt32(18, img.width, true)
  v.setInt32(22, img.height, true)
  v.setUint16(26, 1, true)
  v.setUint16(28, 24, true)
  for (let y = 0; y < img.height; y++) {
    const row = 54 + (img.height - 1 - y) * stride
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 3
      out[row + x * 3] = img.data[i + 2]
      out[row + x * 3 + 1] = img.data[i + 1]
      out[row + x * 3 + 2] = img.data[i]
    }
  }
  return out
}
