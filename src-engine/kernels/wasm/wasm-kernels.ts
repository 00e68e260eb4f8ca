import type { Kernels } from '../kernels'
import { jsKernels } from '../js/index'
import { createAllocator as createJsAllocator, type Allocator, type DType, type FloatArray } from '../../core/tensor'

/*
 * The Kernels interface on a WebAssembly SIMD module (sources: src-engine/wasm/assembly).
 *
 * Memory: one WebAssembly.Memory per kernels instance, sized once (never grown: growing detaches
 * every view of the old buffer). The module's scratch (packing buffers) sits at the bottom; above
 * it, createAllocator() hands out float32 tensors as views of the same memory, bump-allocated and
 * never freed. A network built with these kernels therefore has every activation, gradient,
 * parameter and scratch buffer in wasm memory, and the kernels pass pointers, copying nothing.
 * Untouched pages of the reservation cost address space, not resident memory.
 *
 * Anything else still works: a float32 GEMM / im2col / col2im operand outside the memory (e.g. a
 * caller's input batch) is staged through the free space at the top of the memory for that call;
 * the cheap element-wise and pooling kernels run in wasm only when every array is in its memory.
 * Float64 operands (the gradient checks' networks) and calls that do not fit go to the JavaScript
 * kernels. Average pooling always does (no wasm version yet).
 */

export type WasmBackendName = 'wasm-simd' | 'wasm-relaxed'

interface KernelExports {
  gemm(transA: number, transB: number, M: number, N: number, K: number, a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number): void
  im2col(x: number, channels: number, height: number, width: number, kH: number, kW: number, sH: number, sW: number, padTop: number, padLeft: number, outH: number, outW: number, col: number): void
  col2im(col: number, channels: number, height: number, width: number, kH: number, kW: number, sH: number, sW: number, padTop: number, padLeft: number, outH: number, outW: number, dx: number): void
  relu(x: number, y: number, n: number): void
  reluBackward(x: number, dy: number, dx: number, n: number): void
  addChannelBias(y: number, b: number, samples: number, channels: number, plane: number): void
  channelSums(dy: number, db: number, samples: number, channels: number, plane: number): void
  maxPoolForward(x: number, planes: number, height: number, width: number, kH: number, kW: number, sH: number, sW: number, padTop: number, padLeft: number, outH: number, outW: number, y: number, argmax: number): void
  maxPoolBackward(dy: number, argmax: number, planes: number, height: number, width: number, outH: number, outW: number, dx: number): void
  heapBase(): number
  scratchStart(): number
  scratchEnd(): number
  relaxed(): number
}

export interface WasmKernelOptions {
  /** Size of the memory reserved for this engine's tensors, in MiB (default 1024; at most 4032). */
  memoryMiB?: number
}

export interface WasmMemoryStats {
  capacityBytes: number
  /** Bytes of tensors planned into wasm memory. */
  plannedBytes: number
  /** Bytes still free for planning (the staging reserve excluded). */
  freeBytes: number
  /** Tensors that did not fit and live in ordinary JS arrays (their kernels calls are staged). */
  overflowAllocations: number
  /** Kernel calls that copied an operand in or out of wasm memory. */
  stagedCalls: number
  /** Kernel calls handed to the JavaScript kernels (float64 operands, or no room to stage). */
  jsCalls: number
}

export interface WasmKernels extends Kernels {
  readonly name: WasmBackendName
  readonly memory: WebAssembly.Memory
  createAllocator(dtype: DType): Allocator
  stats(): WasmMemoryStats
}

const PAGE = 65536
const ALIGN = 64 // cache line
/** Free space kept above the planned tensors for staging operands. */
const STAGING_RESERVE = 32 << 20

export function createWasmKernels(module: WebAssembly.Module, name: WasmBackendName, options: WasmKernelOptions = {}): WasmKernels {
  const mib = options.memoryMiB ?? 1024
  if (!Number.isInteger(mib) || mib < 64 || mib > 4032) throw new Error(`wasm kernels: memoryMiB must be an integer in [64, 4032], got ${mib}`)
  const pages = (mib * 1024 * 1024) / PAGE
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages })
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort: (_msg: number, _file: number, line: number, column: number) => {
        throw new Error(`wasm kernels: abort at ${line}:${column}`)
      }
    }
  })
  const wasm = instance.exports as unknown as KernelExports
  if (wasm.heapBase() > wasm.scratchStart()) throw new Error('wasm kernels: static data overlaps the scratch area')
  if ((wasm.relaxed() === 1) !== (name === 'wasm-relaxed')) throw new Error(`wasm kernels: module does not match backend ${name}`)
  const buffer = memory.buffer
  const heap = new Float32Array(buffer)
  const capacity = buffer.byteLength
  const planLimit = capacity - STAGING_RESERVE
  let bump = wasm.scratchEnd()
  const stats: WasmMemoryStats = { capacityBytes: capacity, plannedBytes: 0, freeBytes: 0, overflowAllocations: 0, stagedCalls: 0, jsCalls: 0 }

  // Staging for operands outside the memory: taken downwards from the top, released after each call.
  let stageTop = capacity
  let staged = false
  /** Byte address of x[offset .. offset + length) in wasm memory, copying it in if needed; -1: no room. */
  function place(x: Float32Array, offset: number, length: number, copyIn: boolean): number {
    if (offset < 0 || length < 0 || offset + length > x.length) {
      throw new RangeError(`wasm kernels: operand range [${offset}, ${offset + length}) outside an array of ${x.length}`)
    }
    if (x.buffer === buffer) return x.byteOffset + offset * 4
    const bytes = (length * 4 + ALIGN - 1) & ~(ALIGN - 1)
    if (stageTop - bytes < bump) return -1
    stageTop -= bytes
    staged = true
    if (copyIn) heap.set(x.subarray(offset, offset + length), stageTop >> 2)
    return stageTop
  }
  function copyOut(ptr: number, x: Float32Array, offset: number, length: number): void {
    if (x.buffer !== buffer) x.set(heap.subarray(ptr >> 2, (ptr >> 2) + length), offset)
  }
  function release(): void {
    if (staged) stats.stagedCalls++
    staged = false
    stageTop = capacity
  }

  const kernels: WasmKernels = {
    name,
    memory,
    gemm(transA, transB, M, N, K, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc) {
      if (!(A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array) || M <= 0 || N <= 0) {
        stats.jsCalls++
        return jsKernels.gemm(transA, transB, M, N, K, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc)
      }
      const aLen = K <= 0 ? 0 : transA ? (K - 1) * lda + M : (M - 1) * lda + K
      const bLen = K <= 0 ? 0 : transB ? (N - 1) * ldb + K : (K - 1) * ldb + N
      const cLen = (M - 1) * ldc + N
      const c = place(C, cOffset, cLen, true)
      const a = c < 0 ? -1 : place(A, aOffset, aLen, true)
      const b = a < 0 ? -1 : place(B, bOffset, bLen, true)
      if (b < 0) {
        release()
        stats.jsCalls++
        return jsKernels.gemm(transA, transB, M, N, K, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc)
      }
      wasm.gemm(transA ? 1 : 0, transB ? 1 : 0, M, N, K, a, lda, b, ldb, beta, c, ldc)
      copyOut(c, C, cOffset, cLen)
      release()
    },
    im2col(x, xOffset, channels, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, col, colOffset) {
      const colLen = channels * kH * kW * outH * outW
      const xp = x instanceof Float32Array && col instanceof Float32Array ? place(x, xOffset, channels * height * width, true) : -1
      const cp = xp < 0 ? -1 : place(col as Float32Array, colOffset, colLen, false)
      if (cp < 0) {
        release()
        stats.jsCalls++
        return jsKernels.im2col(x, xOffset, channels, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, col, colOffset)
      }
      wasm.im2col(xp, channels, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, cp)
      copyOut(cp, col as Float32Array, colOffset, colLen)
      release()
    },
    col2im(col, colOffset, channels, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, dx, dxOffset) {
      const dxLen = channels * height * width
      const cp = col instanceof Float32Array && dx instanceof Float32Array ? place(col, colOffset, channels * kH * kW * outH * outW, true) : -1
      const dp = cp < 0 ? -1 : place(dx as Float32Array, dxOffset, dxLen, true)
      if (dp < 0) {
        release()
        stats.jsCalls++
        return jsKernels.col2im(col, colOffset, channels, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, dx, dxOffset)
      }
      wasm.col2im(cp, channels, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, dp)
      copyOut(dp, dx as Float32Array, dxOffset, dxLen)
      release()
    },
    relu(x, y, n) {
      if (n > 0 && inMemory(x, n) && inMemory(y, n)) wasm.relu(x.byteOffset, y.byteOffset, n)
      else jsCall(jsKernels.relu(x, y, n))
    },
    reluBackward(x, dy, dx, n) {
      if (n > 0 && inMemory(x, n) && inMemory(dy, n) && inMemory(dx, n)) wasm.reluBackward(x.byteOffset, dy.byteOffset, dx.byteOffset, n)
      else jsCall(jsKernels.reluBackward(x, dy, dx, n))
    },
    addChannelBias(y, b, samples, channels, plane) {
      if (inMemory(y, samples * channels * plane) && inMemory(b, channels)) wasm.addChannelBias(y.byteOffset, b.byteOffset, samples, channels, plane)
      else jsCall(jsKernels.addChannelBias(y, b, samples, channels, plane))
    },
    channelSums(dy, db, samples, channels, plane) {
      if (inMemory(dy, samples * channels * plane) && inMemory(db, channels)) wasm.channelSums(dy.byteOffset, db.byteOffset, samples, channels, plane)
      else jsCall(jsKernels.channelSums(dy, db, samples, channels, plane))
    },
    maxPoolForward(x, planes, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, y, argmax) {
      const outs = planes * outH * outW
      if (inMemory(x, planes * height * width) && inMemory(y, outs) && inMemory(argmax, outs)) {
        wasm.maxPoolForward(x.byteOffset, planes, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, y.byteOffset, argmax.byteOffset)
      } else jsCall(jsKernels.maxPoolForward(x, planes, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, y, argmax))
    },
    maxPoolBackward(dy, argmax, planes, height, width, outH, outW, dx) {
      const outs = planes * outH * outW
      if (inMemory(dy, outs) && inMemory(argmax, outs) && inMemory(dx, planes * height * width)) {
        wasm.maxPoolBackward(dy.byteOffset, argmax.byteOffset, planes, height, width, outH, outW, dx.byteOffset)
      } else jsCall(jsKernels.maxPoolBackward(dy, argmax, planes, height, width, outH, outW, dx))
    },
    avgPoolForward: jsKernels.avgPoolForward,
    avgPoolBackward: jsKernels.avgPoolBackward,
    createAllocator(dtype: DType): Allocator {
      if (dtype !== 'float32') return createJsAllocator(dtype)
      let allocatedElements = 0
      return {
        dtype,
        alloc(length: number): FloatArray {
          allocatedElements += length
          const bytes = (length * 4 + ALIGN - 1) & ~(ALIGN - 1)
          if (bump + bytes > planLimit) {
            stats.overflowAllocations++
            return new Float32Array(length)
          }
          const view = new Float32Array(buffer, bump, length)
          bump += bytes
          stats.plannedBytes += bytes
          return view
        },
        allocInt32(length: number): Int32Array {
          const bytes = (length * 4 + ALIGN - 1) & ~(ALIGN - 1)
          if (bump + bytes > planLimit) {
            stats.overflowAllocations++
            return new Int32Array(length)
          }
          const view = new Int32Array(buffer, bump, length)
          bump += bytes
          stats.plannedBytes += bytes
          return view
        },
        get allocatedElements() {
          return allocatedElements
        }
      }
    },
    stats: () => ({ ...stats, freeBytes: planLimit - bump })
  }

  /** A 4-byte array in this memory with at least n elements (float32 or int32). */
  function inMemory(a: FloatArray | Int32Array, n: number): boolean {
    return a.buffer === buffer && a.BYTES_PER_ELEMENT === 4 && a.length >= n
  }
  function jsCall(_: void): void {
    stats.jsCalls++
  }
  return kernels
}
