import type { Allocator, DType, FloatArray } from '../core/tensor'

/**
 * The small set of heavy kernels every layer's arithmetic goes through. The JavaScript kernels
 * (kernels/js) are the readable reference; faster backends (WebAssembly SIMD) implement the same
 * interface and must agree with the reference within tolerance.
 *
 * All matrices are row-major. Offsets let callers address one sample of a batch without views.
 */
/** The geometry of one convolution (input C×H×W, kH×kW window, output outH×outW). */
export interface ConvGeometry {
  channels: number
  height: number
  width: number
  kernelH: number
  kernelW: number
  strideH: number
  strideW: number
  padTop: number
  padLeft: number
  outH: number
  outW: number
}

/** Element-wise activations with a kernel (ReLU has its own, relu/reluBackward). */
export const ACTIVATION_KINDS = ['leaky_relu', 'sigmoid', 'tanh', 'elu'] as const
export type ActivationKind = (typeof ACTIVATION_KINDS)[number]

/** One Adam / AdamW step's constants (see src-engine/optim/adam.ts). */
export interface AdamStep {
  beta1: number
  beta2: number
  eps: number
  /** lr / (1 − β₁ᵗ) */
  stepSize: number
  /** √(1 − β₂ᵗ) */
  bc2Sqrt: number
  /** Adam's L2 weight decay (0 for none or for AdamW). */
  l2: number
  /** AdamW's decoupled shrink 1 − lr·λ (1 for none). */
  shrink: number
}

export interface Kernels {
  readonly name: string

  /**
   * Threads the kernels compute with (1, or 2 with a helper thread on shared memory). Scratch
   * passed to the per-layer convolution kernels holds one area per thread.
   */
  readonly threads: number

  /** Stops helper threads (a no-op for one thread). The kernels must not be used afterwards. */
  dispose(): void

  /**
   * Storage for a network's tensors, when the backend wants them in its own memory (the wasm
   * kernels: tensors planned into one WebAssembly memory, passed to the kernels without copies).
   * Absent: plain typed arrays.
   */
  createAllocator?(dtype: DType): Allocator

  /**
   * C = op(A)·op(B) + beta·C, where op(A) is M×K and op(B) is K×N.
   * A is M×K with leading dimension lda (K×M if transA); B is K×N with ldb (N×K if transB).
   * beta is 0 (overwrite; C's old contents are ignored, even NaN) or 1 (accumulate).
   * C must not overlap A or B. Only the M×N window of C is written. (The JS kernel accumulates in
   * float64 for both dtypes.)
   */
  gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number,
    A: FloatArray, aOffset: number, lda: number,
    B: FloatArray, bOffset: number, ldb: number,
    beta: 0 | 1, C: FloatArray, cOffset: number, ldc: number
  ): void

  /**
   * Unfolds one image x[C,H,W] (at xOffset) into col[C·kH·kW, outH·outW] (at colOffset).
   * Padding is zero; padTop/padLeft may differ from the bottom/right padding implied by outH/outW.
   */
  im2col(
    x: FloatArray, xOffset: number, channels: number, height: number, width: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number,
    padTop: number, padLeft: number, outH: number, outW: number,
    col: FloatArray, colOffset: number
  ): void

  /** The adjoint of im2col: ADDS col[C·kH·kW, outH·outW] back into dx[C,H,W] (callers zero dx first). */
  col2im(
    col: FloatArray, colOffset: number, channels: number, height: number, width: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number,
    padTop: number, padLeft: number, outH: number, outW: number,
    dx: FloatArray, dxOffset: number
  ): void

  /**
   * Max pooling over `planes` independent H×W planes (N·C of them), padding counts as -Infinity.
   * argmax[i] receives the flat index (within its plane) of the input that produced y[i]: the first
   * maximum in row-major window order; NaN propagates as in PyTorch. A window lying entirely in the
   * padding gives y = -Infinity and argmax = -1 (skipped by the backward pass).
   */
  maxPoolForward(
    x: FloatArray, planes: number, height: number, width: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number,
    padTop: number, padLeft: number, outH: number, outW: number,
    y: FloatArray, argmax: Int32Array
  ): void

  /** y = max(0, x) elementwise over n values (NaN and −0 give +0). */
  relu(x: FloatArray, y: FloatArray, n: number): void

  /** dx = x > 0 ? dy : 0 over n values. */
  reluBackward(x: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void

  /** Convolution bias: y[s, c, i] += b[c] over samples × channels planes of `plane` values. */
  addChannelBias(y: FloatArray, b: FloatArray, samples: number, channels: number, plane: number): void

  /** Its gradient: db[c] += Σ over samples and the plane of dy[s, c, i]. */
  channelSums(dy: FloatArray, db: FloatArray, samples: number, channels: number, plane: number): void

  /** Overwrites dx (planes×H×W) with the gradient of max pooling, routing dy through argmax. */
  maxPoolBackward(
    dy: FloatArray, argmax: Int32Array, planes: number, height: number, width: number,
    outH: number, outW: number, dx: FloatArray
  ): void

  /**
   * Average pooling; zero padding is counted in the divisor (PyTorch's count_include_pad=True): the
   * divisor is always kernelH·kernelW.
   */
  avgPoolForward(
    x: FloatArray, planes: number, height: number, width: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number,
    padTop: number, padLeft: number, outH: number, outW: number,
    y: FloatArray
  ): void

  /** Overwrites dx with the gradient of avgPoolForward. */
  avgPoolBackward(
    dy: FloatArray, planes: number, height: number, width: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number,
    padTop: number, padLeft: number, outH: number, outW: number,
    dx: FloatArray
  ): void

  /**
   * The forward pass of a convolution over a batch (one call per layer; the unit a second thread
   * splits by samples). For each sample s: col = im2col(x_s), y_s[F, P] = W[F, K]·col, where
   * K = C·kH·kW and P = outH·outW (no bias). keep: cols has samples·K·P floats and sample s's columns
   * stay at s·K·P for the backward pass; otherwise cols is scratch of threads·K·P floats.
   */
  convForward(x: FloatArray, samples: number, g: ConvGeometry, w: FloatArray, filters: number, y: FloatArray, cols: FloatArray, keep: boolean): void

  /**
   * The input gradient of a convolution: dx_s = col2im(Wᵀ·dy_s) for every sample (dx overwritten).
   * dcol is scratch of threads·K·P floats.
   */
  convBackwardData(w: FloatArray, filters: number, dy: FloatArray, samples: number, g: ConvGeometry, dx: FloatArray, dcol: FloatArray): void

  /** The weight gradient: dW[F, K] += Σ_s dy_s[F, P]·cols_sᵀ, with cols as kept by convForward. */
  convBackwardWeights(dy: FloatArray, cols: FloatArray, samples: number, filters: number, K: number, P: number, dW: FloatArray): void

  /**
   * Optimizer updates of n values in place (formulas in src-engine/optim): each element computed in
   * float64 and stored in the arrays' precision.
   */
  adamUpdate(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, n: number, h: AdamStep): void
  sgdUpdate(w: FloatArray, g: FloatArray, n: number, lr: number, decay: number): void
  momentumUpdate(w: FloatArray, g: FloatArray, buf: FloatArray, n: number, lr: number, mu: number, decay: number, first: boolean, nesterov: boolean): void

  /** y = f(x) over n values; p is leaky ReLU's slope or ELU's alpha (ignored otherwise). */
  activation(kind: ActivationKind, x: FloatArray, y: FloatArray, n: number, p: number): void

  /** dx = dy·f'(x) over n values, from x or the forward's output y (whichever the formula uses). */
  activationBackward(kind: ActivationKind, x: FloatArray, y: FloatArray, dy: FloatArray, dx: FloatArray, n: number, p: number): void
}
