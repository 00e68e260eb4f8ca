import { ACTIVATION_KINDS, type Kernels } from '../kernels'
import { jsKernels } from '../js/index'
import { convBackwardDataWith, convBackwardWeightsWith, convForwardWith } from '../js/conv'
import { HelperClient, type HelperExport, type StartHelper } from './helper-thread'
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
 * kernels.
 *
 * Threads: the memory is a shared WebAssembly.Memory. With threads: 2 a helper thread (see
 * helper-thread.ts) instantiates the same module on it with its own scratch area, and the big
 * kernels are shared: a convolution layer's samples (forward, input gradient) and its weight
 * gradient's column blocks are taken by both threads from an atomic counter in the memory; a large
 * GEMM's columns (or rows), ReLU, bias and max pooling are cut in halves. Every item is computed the
 * same way whichever thread takes it, so the results are bit-identical to one thread.
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
  convForward(x: number, channels: number, height: number, width: number, kH: number, kW: number, sH: number, sW: number, padTop: number, padLeft: number, outH: number, outW: number, w: number, filters: number, y: number, cols: number, keep: number, s0: number, s1: number, counter: number): void
  convBackwardData(w: number, filters: number, dy: number, channels: number, height: number, width: number, kH: number, kW: number, sH: number, sW: number, padTop: number, padLeft: number, outH: number, outW: number, dx: number, dcol: number, s0: number, s1: number, counter: number): void
  convBackwardWeights(dy: number, cols: number, n: number, filters: number, K: number, P: number, dW: number, k0: number, k1: number, counter: number): void
  scratchBytes(): number
  avgPoolForward(x: number, planes: number, height: number, width: number, kH: number, kW: number, sH: number, sW: number, padTop: number, padLeft: number, outH: number, outW: number, y: number): void
  avgPoolBackward(dy: number, planes: number, height: number, width: number, kH: number, kW: number, sH: number, sW: number, padTop: number, padLeft: number, outH: number, outW: number, dx: number): void
  activation(kind: number, x: number, y: number, n: number, p: number): void
  activationBackward(kind: number, x: number, y: number, dy: number, dx: number, n: number, p: number): void
  adamUpdate(w: number, g: number, m: number, v: number, n: number, beta1: number, beta2: number, eps: number, stepSize: number, bc2Sqrt: number, l2: number, shrink: number): void
  sgdUpdate(w: number, g: number, n: number, lr: number, decay: number): void
  momentumUpdate(w: number, g: number, buf: number, n: number, lr: number, mu: number, decay: number, first: number, nesterov: number): void
  heapBase(): number
  scratchStart(): number
  scratchEnd(): number
  relaxed(): number
}

export interface WasmKernelOptions {
  /** Size of the memory reserved for this engine's tensors, in MiB (default 1024; at most 4032). */
  memoryMiB?: number
  /** 1 (default) or 2: a helper thread on the shared memory takes half of the big kernels. */
  threads?: 1 | 2
  /** Starts the helper thread (needed for threads: 2; src-engine/node/kernel-helper.ts in Node). */
  startHelper?: StartHelper
  /**
   * Multiply-adds from which a kernel call is split between the threads (default 2¹⁹: waking the
   * helper costs ~10–50 µs). Tests set 0 to split every call that can be split.
   */
  splitMinMacs?: number
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
  /** Kernel calls split between the engine thread and the helper thread. */
  splitCalls: number
  /** Of those, calls whose helper part the engine ran itself (the helper had not taken it in time). */
  takenBack: number
  /** Bytes of tensors given back (outgrown buffers, see TensorSlot) and of those handed out again. */
  releasedBytes: number
  reusedBytes: number
}

export interface WasmKernels extends Kernels {
  readonly name: WasmBackendName
  readonly memory: WebAssembly.Memory
  createAllocator(dtype: DType): Allocator
  stats(): WasmMemoryStats
  /** True while a helper thread is up and takes its share (threads: 2, once it has started). */
  helperReady(): boolean
  /**
   * Blocks until the helper thread has started (until then the engine thread computes alone) or
   * `ms` have passed; returns helperReady().
   */
  waitForHelper(ms: number): boolean
}

const PAGE = 65536
const ALIGN = 64 // cache line
/** Free space kept above the planned tensors for staging operands. */
const STAGING_RESERVE = 32 << 20

export function createWasmKernels(module: WebAssembly.Module, name: WasmBackendName, options: WasmKernelOptions = {}): WasmKernels {
  const mib = options.memoryMiB ?? 1024
  if (!Number.isInteger(mib) || mib < 64 || mib > 4032) throw new Error(`wasm kernels: memoryMiB must be an integer in [64, 4032], got ${mib}`)
  const threads = options.threads ?? 1
  const SPLIT_MIN_MACS = options.splitMinMacs ?? 1 << 19
  /** Element-wise and pooling kernels: values from which a call is split. */
  const SPLIT_MIN_ELEMENTS = SPLIT_MIN_MACS >> 3
  if (threads !== 1 && threads !== 2) throw new Error(`wasm kernels: threads must be 1 or 2, got ${String(threads)}`)
  if (threads === 2 && !options.startHelper) throw new Error('wasm kernels: threads: 2 needs startHelper (a way to start the helper thread)')
  const pages = (mib * 1024 * 1024) / PAGE
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true })
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
  const stats: WasmMemoryStats = { capacityBytes: capacity, plannedBytes: 0, freeBytes: 0, overflowAllocations: 0, stagedCalls: 0, jsCalls: 0, splitCalls: 0, takenBack: 0, releasedBytes: 0, reusedBytes: 0 }
  /** Size of every block handed out by the allocators (by address), and blocks released for reuse. */
  const blockBytes = new Map<number, number>()
  const freeBlocks: { at: number; bytes: number }[] = []
  let helper: HelperClient | null = null
  if (threads === 2 && options.startHelper) {
    const scratch = bump
    bump += (wasm.scratchBytes() + ALIGN - 1) & ~(ALIGN - 1)
    helper = new HelperClient(options.startHelper, module, memory, scratch)
  }
  /** A shared work counter (an i32 in the memory) for calls both threads work through. */
  const counter = bump
  bump += ALIGN
  const counterView = new Int32Array(buffer, counter, 1)
  /** Resets the counter (for calls that share work through it), runs `both` (which posts to the helper and works here), waits for the helper. */
  function shared(both: () => void): void {
    Atomics.store(counterView, 0, 0)
    try {
      both()
    } finally {
      helper!.join(runHere)
    }
    stats.splitCalls++
  }

  /** Runs a call posted to the helper on this thread (the helper had not taken it). */
  const runHere = (fn: HelperExport, args: readonly number[]): void => {
    stats.takenBack++
    ;(wasm[fn] as (...a: number[]) => void)(...args)
  }

  /** The helper, when it is up and idle. */
  const free = (): HelperClient | null => (helper && helper.ready ? helper : null)

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
    threads,
    dispose() {
      helper?.stop()
      helper = null
    },
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
      splitGemm(transA ? 1 : 0, transB ? 1 : 0, M, N, K, a, lda, b, ldb, beta, c, ldc)
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
      if (!(n > 0 && inMemory(x, n) && inMemory(y, n))) return jsCall(jsKernels.relu(x, y, n))
      const half = splitPoint(n, 4, n)
      if (half === 0) return wasm.relu(x.byteOffset, y.byteOffset, n)
      run2('relu', [x.byteOffset + half * 4, y.byteOffset + half * 4, n - half], () => wasm.relu(x.byteOffset, y.byteOffset, half))
    },
    reluBackward(x, dy, dx, n) {
      if (!(n > 0 && inMemory(x, n) && inMemory(dy, n) && inMemory(dx, n))) return jsCall(jsKernels.reluBackward(x, dy, dx, n))
      const half = splitPoint(n, 4, n)
      if (half === 0) return wasm.reluBackward(x.byteOffset, dy.byteOffset, dx.byteOffset, n)
      const o = half * 4
      run2('reluBackward', [x.byteOffset + o, dy.byteOffset + o, dx.byteOffset + o, n - half], () => wasm.reluBackward(x.byteOffset, dy.byteOffset, dx.byteOffset, half))
    },
    addChannelBias(y, b, samples, channels, plane) {
      if (!(inMemory(y, samples * channels * plane) && inMemory(b, channels))) return jsCall(jsKernels.addChannelBias(y, b, samples, channels, plane))
      const half = splitPoint(samples, 1, samples * channels * plane)
      if (half === 0) return wasm.addChannelBias(y.byteOffset, b.byteOffset, samples, channels, plane)
      run2('addChannelBias', [y.byteOffset + half * channels * plane * 4, b.byteOffset, samples - half, channels, plane], () =>
        wasm.addChannelBias(y.byteOffset, b.byteOffset, half, channels, plane)
      )
    },
    channelSums(dy, db, samples, channels, plane) {
      if (inMemory(dy, samples * channels * plane) && inMemory(db, channels)) wasm.channelSums(dy.byteOffset, db.byteOffset, samples, channels, plane)
      else jsCall(jsKernels.channelSums(dy, db, samples, channels, plane))
    },
    maxPoolForward(x, planes, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, y, argmax) {
      const outs = planes * outH * outW
      if (!(inMemory(x, planes * height * width) && inMemory(y, outs) && inMemory(argmax, outs))) {
        return jsCall(jsKernels.maxPoolForward(x, planes, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, y, argmax))
      }
      const args = (p0: number, count: number) => {
        const o = p0 * outH * outW * 4
        return [x.byteOffset + p0 * height * width * 4, count, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, y.byteOffset + o, argmax.byteOffset + o] as const
      }
      const half = splitPoint(planes, 1, planes * height * width)
      if (half === 0) return wasm.maxPoolForward(...args(0, planes))
      run2('maxPoolForward', args(half, planes - half), () => wasm.maxPoolForward(...args(0, half)))
    },
    maxPoolBackward(dy, argmax, planes, height, width, outH, outW, dx) {
      const outs = planes * outH * outW
      if (!(inMemory(dy, outs) && inMemory(argmax, outs) && inMemory(dx, planes * height * width))) {
        return jsCall(jsKernels.maxPoolBackward(dy, argmax, planes, height, width, outH, outW, dx))
      }
      const args = (p0: number, count: number) => {
        const o = p0 * outH * outW * 4
        return [dy.byteOffset + o, argmax.byteOffset + o, count, height, width, outH, outW, dx.byteOffset + p0 * height * width * 4] as const
      }
      const half = splitPoint(planes, 1, planes * height * width)
      if (half === 0) return wasm.maxPoolBackward(...args(0, planes))
      run2('maxPoolBackward', args(half, planes - half), () => wasm.maxPoolBackward(...args(0, half)))
    },
    convForward(x, samples, g, w, filters, y, cols, keep) {
      const K = g.channels * g.kernelH * g.kernelW
      const P = g.outH * g.outW
      const n = keep ? samples * K * P : threads * K * P
      if (!(inMemory(x, samples * g.channels * g.height * g.width) && inMemory(w, filters * K) && inMemory(y, samples * filters * P) && inMemory(cols, n))) {
        stats.jsCalls++
        return convForwardWith(kernels, x, samples, g, w, filters, y, cols, keep)
      }
      const args = (col: number, counter: number) => [
        x.byteOffset, g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW,
        w.byteOffset, filters, y.byteOffset, col, keep ? 1 : 0, 0, samples, counter
      ] as const
      const h = samples >= 2 && filters * K * P * samples >= SPLIT_MIN_MACS ? free() : null
      if (!h) return void wasm.convForward(...args(cols.byteOffset, 0))
      // Both threads take samples from the shared counter; each has its own scratch columns.
      shared(() => {
        h.post('convForward', args(keep ? cols.byteOffset : cols.byteOffset + K * P * 4, counter))
        wasm.convForward(...args(cols.byteOffset, counter))
      })
    },
    convBackwardData(w, filters, dy, samples, g, dx, dcol) {
      const K = g.channels * g.kernelH * g.kernelW
      const P = g.outH * g.outW
      if (!(inMemory(w, filters * K) && inMemory(dy, samples * filters * P) && inMemory(dx, samples * g.channels * g.height * g.width) && inMemory(dcol, threads * K * P))) {
        stats.jsCalls++
        return convBackwardDataWith(kernels, w, filters, dy, samples, g, dx, dcol)
      }
      const args = (col: number, counter: number) => [
        w.byteOffset, filters, dy.byteOffset, g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padTop, g.padLeft,
        g.outH, g.outW, dx.byteOffset, col, 0, samples, counter
      ] as const
      const h = samples >= 2 && filters * K * P * samples >= SPLIT_MIN_MACS ? free() : null
      if (!h) return void wasm.convBackwardData(...args(dcol.byteOffset, 0))
      shared(() => {
        h.post('convBackwardData', args(dcol.byteOffset + K * P * 4, counter))
        wasm.convBackwardData(...args(dcol.byteOffset, counter))
      })
    },
    convBackwardWeights(dy, cols, samples, filters, K, P, dW) {
      if (!(inMemory(dy, samples * filters * P) && inMemory(cols, samples * K * P) && inMemory(dW, filters * K))) {
        stats.jsCalls++
        return convBackwardWeightsWith(kernels, dy, cols, samples, filters, K, P, dW)
      }
      const args = (counter: number) => [dy.byteOffset, cols.byteOffset, samples, filters, K, P, dW.byteOffset, 0, K, counter] as const
      // dW's columns in blocks shared through the counter (each thread sums its blocks over every sample).
      const h = K >= 16 && filters * K * P * samples >= SPLIT_MIN_MACS ? free() : null
      if (!h) return void wasm.convBackwardWeights(...args(0))
      shared(() => {
        h.post('convBackwardWeights', args(counter))
        wasm.convBackwardWeights(...args(counter))
      })
    },
    activation(kind, x, y, n, p) {
      if (!(n > 0 && f32In(x, n) && f32In(y, n))) return jsCall(jsKernels.activation(kind, x, y, n, p))
      wasm.activation(ACTIVATION_KINDS.indexOf(kind), x.byteOffset, y.byteOffset, n, p)
    },
    activationBackward(kind, x, y, dy, dx, n, p) {
      if (!(n > 0 && f32In(x, n) && f32In(y, n) && f32In(dy, n) && f32In(dx, n))) return jsCall(jsKernels.activationBackward(kind, x, y, dy, dx, n, p))
      wasm.activationBackward(ACTIVATION_KINDS.indexOf(kind), x.byteOffset, y.byteOffset, dy.byteOffset, dx.byteOffset, n, p)
    },
    adamUpdate(w, g, m, v, n, h) {
      if (!(n > 0 && f32In(w, n) && f32In(g, n) && f32In(m, n) && f32In(v, n))) return jsCall(jsKernels.adamUpdate(w, g, m, v, n, h))
      wasm.adamUpdate(w.byteOffset, g.byteOffset, m.byteOffset, v.byteOffset, n, h.beta1, h.beta2, h.eps, h.stepSize, h.bc2Sqrt, h.l2, h.shrink)
    },
    sgdUpdate(w, g, n, lr, decay) {
      if (!(n > 0 && f32In(w, n) && f32In(g, n))) return jsCall(jsKernels.sgdUpdate(w, g, n, lr, decay))
      wasm.sgdUpdate(w.byteOffset, g.byteOffset, n, lr, decay)
    },
    momentumUpdate(w, g, buf, n, lr, mu, decay, first, nesterov) {
      if (!(n > 0 && f32In(w, n) && f32In(g, n) && f32In(buf, n))) return jsCall(jsKernels.momentumUpdate(w, g, buf, n, lr, mu, decay, first, nesterov))
      wasm.momentumUpdate(w.byteOffset, g.byteOffset, buf.byteOffset, n, lr, mu, decay, first ? 1 : 0, nesterov ? 1 : 0)
    },
    avgPoolForward(x, planes, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, y) {
      if (!(planes > 0 && f32In(x, planes * height * width) && f32In(y, planes * outH * outW))) {
        return jsCall(jsKernels.avgPoolForward(x, planes, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, y))
      }
      wasm.avgPoolForward(x.byteOffset, planes, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, y.byteOffset)
    },
    avgPoolBackward(dy, planes, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, dx) {
      if (!(planes > 0 && f32In(dy, planes * outH * outW) && f32In(dx, planes * height * width))) {
        return jsCall(jsKernels.avgPoolBackward(dy, planes, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, dx))
      }
      wasm.avgPoolBackward(dy.byteOffset, planes, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, dx.byteOffset)
    },
    createAllocator(dtype: DType): Allocator {
      if (dtype !== 'float32') return createJsAllocator(dtype)
      let allocatedElements = 0
      return {
        dtype,
        alloc(length: number): FloatArray {
          allocatedElements += length
          const at = plan(length)
          return at < 0 ? new Float32Array(length) : new Float32Array(buffer, at, length)
        },
        allocInt32(length: number): Int32Array {
          const at = plan(length)
          return at < 0 ? new Int32Array(length) : new Int32Array(buffer, at, length)
        },
        release(a: FloatArray | Int32Array): void {
          const bytes = a.buffer === buffer ? blockBytes.get(a.byteOffset) : undefined
          if (bytes === undefined) return // not one of ours (an overflow array, or released already)
          blockBytes.delete(a.byteOffset)
          freeBlocks.push({ at: a.byteOffset, bytes })
          stats.releasedBytes += bytes
        },
        get allocatedElements() {
          return allocatedElements
        }
      }
    },
    stats: () => ({ ...stats, freeBytes: planLimit - bump }),
    helperReady: () => free() !== null,
    waitForHelper: (ms: number) => (helper ? helper.waitReady(ms) : false)
  }

  /**
   * Where to cut `count` items between the threads (a multiple of `align`), or 0: not worth it
   * (the helper is not up, or the call touches fewer than the threshold's values).
   */
  function splitPoint(count: number, align: number, values: number): number {
    if (!helper || count < 2 * align || values < SPLIT_MIN_ELEMENTS || !free()) return 0
    return Math.floor(count / (2 * align)) * align
  }

  /** Runs `fn(...args)` on the helper and `mine` here at the same time. */
  function run2(fn: HelperExport, args: readonly number[], mine: () => void): void {
    shared(() => {
      helper!.post(fn, args)
      mine()
    })
  }

  /**
   * The wasm GEMM on byte addresses, split with the helper when it is worth it: by columns of C
   * (on a multiple of 8, the micro-panel width), else by rows (a multiple of 4).
   */
  function splitGemm(tA: number, tB: number, M: number, N: number, K: number, a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number): void {
    const nMid = Math.floor(N / 16) * 8
    const mMid = Math.floor(M / 8) * 4
    if (M * N * K < SPLIT_MIN_MACS || !free() || (nMid < 32 && mMid < 16)) return wasm.gemm(tA, tB, M, N, K, a, lda, b, ldb, beta, c, ldc)
    if (nMid >= 32) {
      const b2 = b + (tB ? nMid * ldb : nMid) * 4
      run2('gemm', [tA, tB, M, N - nMid, K, a, lda, b2, ldb, beta, c + nMid * 4, ldc], () => wasm.gemm(tA, tB, M, nMid, K, a, lda, b, ldb, beta, c, ldc))
    } else {
      const a2 = a + (tA ? mMid : mMid * lda) * 4
      run2('gemm', [tA, tB, M - mMid, N, K, a2, lda, b, ldb, beta, c + mMid * ldc * 4, ldc], () => wasm.gemm(tA, tB, mMid, N, K, a, lda, b, ldb, beta, c, ldc))
    }
  }

  /**
   * Byte address for a new tensor of `length` 4-byte values: the smallest released block that holds
   * it, else fresh space from the bump pointer; -1 when the memory is full (the caller then uses a
   * plain array). Blocks keep their size; they are never split or merged. Reused blocks are zeroed.
   */
  function plan(length: number): number {
    const bytes = (length * 4 + ALIGN - 1) & ~(ALIGN - 1)
    let best = -1
    for (let i = 0; i < freeBlocks.length; i++) {
      if (freeBlocks[i].bytes >= bytes && (best < 0 || freeBlocks[i].bytes < freeBlocks[best].bytes)) best = i
    }
    if (best >= 0) {
      const block = freeBlocks.splice(best, 1)[0]
      blockBytes.set(block.at, block.bytes)
      stats.reusedBytes += block.bytes
      heap.fill(0, block.at >> 2, (block.at + block.bytes) >> 2) // fresh storage reads as zeros, as a new typed array does
      return block.at
    }
    if (bump + bytes > planLimit) {
      stats.overflowAllocations++
      return -1
    }
    const at = bump
    bump += bytes
    stats.plannedBytes += bytes
    blockBytes.set(at, bytes)
    return at
  }

  /** A float32 array in this memory with at least n elements. */
  function f32In(a: FloatArray, n: number): boolean {
    return a instanceof Float32Array && a.buffer === buffer && a.length >= n
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
