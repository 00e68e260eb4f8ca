import type { Padding } from '../spec/fields'
import { ShapeError } from './layer'

/** Padding on each side of one spatial axis; 'same' may pad one more pixel after than before. */
export interface AxisPadding {
  before: number
  after: number
}

/**
 * Output size along one axis: ⌊(in + before + after − kernel) / stride⌋ + 1.
 * "valid" pads nothing; "same" pads so that out = ⌈in / stride⌉ (TensorFlow's rule; for stride 1 this is
 * PyTorch's padding='same', with the odd pixel of an even kernel going after).
 */
export function resolveAxis(size: number, kernel: number, stride: number, padding: Padding): AxisPadding & { out: number } {
  let before: number
  let after: number
  if (padding === 'valid') {
    before = after = 0
  } else if (padding === 'same') {
    const out = Math.ceil(size / stride)
    const total = Math.max((out - 1) * stride + kernel - size, 0)
    before = Math.floor(total / 2)
    after = total - before
  } else {
    before = after = padding
  }
  const padded = size + before + after
  const out = padded >= kernel ? Math.floor((padded - kernel) / stride) + 1 : 0
  return { before, after, out }
}

export interface Window2d {
  kernel: number
  stride: number
  padTop: number
  padLeft: number
  padBottom: number
  padRight: number
  outH: number
  outW: number
}

/** Resolves a square window over an H×W input and checks that it fits; errors name `kernelField`. */
export function resolveWindow(
  height: number,
  width: number,
  kernel: number,
  stride: number,
  padding: Padding,
  kernelField: string
): Window2d {
  const v = resolveAxis(height, kernel, stride, padding)
  const h = resolveAxis(width, kernel, stride, padding)
  if (v.out < 1 || h.out < 1) {
    throw new ShapeError(
      kernelField,
      `${kernelField} ${kernel} exceeds padded input ${height + v.before + v.after}×${width + h.before + h.after}`
    )
  }
  return { kernel, stride, padTop: v.before, padBottom: v.after, padLeft: h.before, padRight: h.after, outH: v.out, outW: h.out }
}

/** "⌊(28 + 2·2 − 5) / 1⌋ + 1 = 28" for the editor's hover. */
export function describeAxis(size: number, kernel: number, stride: number, before: number, after: number, out: number): string {
  const pad = before === after ? (before === 0 ? '' : ` + 2·${before}`) : ` + ${before} + ${after}`
  return `⌊(${size}${pad} − ${kernel}) / ${stride}⌋ + 1 = ${out}`
}

export function describeWindow(height: number, width: number, w: Window2d): string {
  const vertical = describeAxis(height, w.kernel, w.stride, w.padTop, w.padBottom, w.outH)
  if (height === width && w.padTop === w.padLeft && w.padBottom === w.padRight) return vertical
  return `H: ${vertical}; W: ${describeAxis(width, w.kernel, w.stride, w.padLeft, w.padRight, w.outW)}`
}

/** Throws unless the input is an image-shaped [C,H,W]. */
export function requireImage(input: readonly number[], what: string): [number, number, number] {
  if (input.length !== 3) {
    throw new ShapeError(null, `${what} needs a C×H×W input, got ${input.join('×')} (a dense or flattened output)`)
  }
  return [input[0], input[1], input[2]]
}
