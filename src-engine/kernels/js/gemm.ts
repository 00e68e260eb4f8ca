import type { FloatArray } from '../../core/tensor'

/*
 * Blocked GEMM for V8: C = op(A)·op(B) + beta·C (see Kernels.gemm).
 *
 * Structure (GotoBLAS style): op(A) is packed into 3-row panels and op(B) into 4-column panels,
 * then a register-blocked 3×4 micro-kernel walks the shared k dimension with its 12 accumulators in
 * local variables. What makes it fast in V8 is how the panels are stored and addressed:
 *
 * - The packing buffers are module-level `const` Float64Arrays of fixed power-of-two length, one
 *   "stream" (subarray) per panel row / column, so the micro-kernel reads A0[q], A1[q], A2[q],
 *   B0[r] … B3[r] with two shared indices per k step. TurboFan specialises a single-closure
 *   function to its module context, so these arrays become constants: no map checks, constant base
 *   addresses, constant lengths, and the masked index (`& MASK`, a no-op on valid indices) needs one
 *   fused compare-and-branch per index instead of a full bounds check per load. This about halves
 *   the instructions per multiply-add compared with offsets into scratch buffers passed as
 *   arguments. (The arrays are copied into locals at function entry: loads of module constants
 *   inside loops are not always folded.) Growable buffers would defeat this, hence fixed blocking.
 * - Packing is always into float64, also for float32 inputs: float32 → float64 is exact and the
 *   kernel accumulates in float64 anyway, so results equal those of float32 panels, while the
 *   micro-kernel stays monomorphic and skips a conversion per load (measured faster).
 * - 3×4 tiles: 12 accumulators + 7 operands already exceed x64's 15 allocatable XMM registers a
 *   little; 4×4, 4×8, 6×4, 8×8 spill more and measured slower, 2×4 / 3×3 load more per flop.
 * - The tile orientation is chosen per call to minimise padding, computing Cᵀ = op(B)ᵀ·op(A)ᵀ
 *   when that fits better (M = 16: 4 column panels of 4 instead of 6 row panels of 3 = 18).
 *
 * V8 robustness: a deoptimisation after a function has also been OSR-compiled can leave V8 11
 * running it as baseline code that jumps into the (slower, non-specialised) OSR code on every call,
 * never re-optimising it: a measured 5× slowdown. So the packers and block loops have no
 * data-dependent branches, and `warmUp()` runs every remaining path (beta 0/1, edge tiles, both
 * orientations, all transposes, float32 and float64) at load, so that no type feedback is missing
 * when TurboFan first optimises these functions and nothing deoptimises later. The functions that
 * touch argument arrays exist once per dtype (…32 / …64, identical bodies: keep them in sync) so
 * each stays monomorphic; one shared copy seeing both array types measured ~20% slower.
 *
 * Blocking: KC bounds the k extent of a panel; an MC×KC block of packed A (~200 KB) targets L2 and
 * a KC×4 micro-panel of B (8 KB) stays in L1 while all A micro-panels of the block stream past it.
 * Padding rows / columns of edge panels repeat a valid row / column instead of holding zeros: they
 * only feed C entries that are never written back, and keep the packing loops branch-free.
 */

const MR = 3
const NR = 4
const KC = 256
const MC = 96 // multiple of MR
const NC = 256 // multiple of NR
/** Elements per packed-A stream: MC/MR panels of at most KC steps. Power of two (masking). */
const A_LEN = 8192
/** Elements per packed-B stream: NC/NR panels of at most KC steps. Power of two (masking). */
const B_LEN = 16384
const A_MASK = A_LEN - 1
const B_MASK = B_LEN - 1

// One buffer holds all seven streams (0.7 MB, allocated once). Streams are spaced by their length
// plus an odd number of cache lines: at power-of-two spacing every stream maps to the same L1/L2
// cache sets, which measured ~12% slower.
const A_STRIDE = A_LEN + 136
const B_STRIDE = B_LEN + 408
const B_BASE = MR * A_STRIDE
const packed = new Float64Array(B_BASE + NR * B_STRIDE)
const A0 = packed.subarray(0, A_LEN)
const A1 = packed.subarray(A_STRIDE, A_STRIDE + A_LEN)
const A2 = packed.subarray(2 * A_STRIDE, 2 * A_STRIDE + A_LEN)
const B0 = packed.subarray(B_BASE, B_BASE + B_LEN)
const B1 = packed.subarray(B_BASE + B_STRIDE, B_BASE + B_STRIDE + B_LEN)
const B2 = packed.subarray(B_BASE + 2 * B_STRIDE, B_BASE + 2 * B_STRIDE + B_LEN)
const B3 = packed.subarray(B_BASE + 3 * B_STRIDE, B_BASE + 3 * B_STRIDE + B_LEN)
/** Staging for edge tiles, row-major 3×4. */
const ACC = new Float64Array(MR * NR)
/** Set once warmUp() has run (on the first call). */
let warm = false

export function gemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: FloatArray, aOffset: number, lda: number,
  B: FloatArray, bOffset: number, ldb: number,
  beta: 0 | 1, C: FloatArray, cOffset: number, ldc: number
): void {
  if (!warm) {
    warm = true
    warmUp()
  }
  if (M <= 0 || N <= 0) return
  if (K <= 0) {
    if (beta === 0) for (let i = 0; i < M; i++) C.fill(0, cOffset + i * ldc, cOffset + i * ldc + N)
    return
  }
  // Element strides of op(A) (M×K) and op(B) (K×N) along their two dimensions.
  const aRow = transA ? 1 : lda
  const aK = transA ? lda : 1
  const bK = transB ? 1 : ldb
  const bCol = transB ? ldb : 1
  const padded = roundUp(M, MR) * roundUp(N, NR)
  const paddedT = roundUp(N, MR) * roundUp(M, NR)
  if (paddedT < padded) {
    // Cᵀ (N×M: row stride 1, column stride ldc) = op(B)ᵀ · op(A)ᵀ.
    blocked(N, M, K, B, bOffset, bCol, bK, A, aOffset, aK, aRow, beta, C, cOffset, 1, ldc)
  } else {
    blocked(M, N, K, A, aOffset, aRow, aK, B, bOffset, bK, bCol, beta, C, cOffset, ldc, 1)
  }
}

function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m
}

/**
 * C[rows×cols] (element (i,j) at C[cOffset + i·rs + j·cs]) = X·Y + beta·C, where
 * X[i][p] = x[xOffset + i·xRow + p·xK] (rows×K) and Y[p][j] = y[yOffset + p·yK + j·yCol] (K×cols).
 */
function blocked(
  rows: number, cols: number, K: number,
  x: FloatArray, xOffset: number, xRow: number, xK: number,
  y: FloatArray, yOffset: number, yK: number, yCol: number,
  beta: 0 | 1, C: FloatArray, cOffset: number, rs: number, cs: number
): void {
  for (let jc = 0; jc < cols; jc += NC) {
    const nc = Math.min(NC, cols - jc)
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc)
      const be: 0 | 1 = pc === 0 ? beta : 1 // later k blocks accumulate
      const yo = yOffset + pc * yK + jc * yCol
      if (y instanceof Float32Array) packColumns32(y, yo, yK, yCol, kc, nc)
      else packColumns64(y, yo, yK, yCol, kc, nc)
      for (let ic = 0; ic < rows; ic += MC) {
        const mc = Math.min(MC, rows - ic)
        const xo = xOffset + ic * xRow + pc * xK
        if (x instanceof Float32Array) packRows32(x, xo, xRow, xK, mc, kc)
        else packRows64(x, xo, xRow, xK, mc, kc)
        for (let jr = 0, ob = 0; jr < nc; jr += NR, ob += kc) {
          const nr = Math.min(NR, nc - jr)
          const cBase = cOffset + ic * rs + (jc + jr) * cs
          for (let ir = 0, oa = 0; ir < mc; ir += MR, oa += kc) {
            const mr = Math.min(MR, mc - ir)
            if (C instanceof Float32Array) micro32(kc, oa, ob, C, cBase + ir * rs, rs, cs, mr, nr, be)
            else micro64(kc, oa, ob, C, cBase + ir * rs, rs, cs, mr, nr, be)
          }
        }
      }
    }
  }
}

/**
 * Packs X[0..mc)[0..kc) (element (i,p) at x[o + i·xRow + p·xK]) into A0..A2: panel r (rows 3r..3r+2)
 * at stream offset r·kc. Rows past mc repeat the last valid row.
 */
function packRows32(x: Float32Array, o: number, xRow: number, xK: number, mc: number, kc: number): void {
  const a0 = A0, a1 = A1, a2 = A2
  for (let i = 0, d = 0; i < mc; i += MR, d += kc) {
    const last = mc - 1 - i // rows i+1, i+2 exist if last ≥ 1, 2
    const r1 = last >= 1 ? xRow : 0
    const r2 = last >= 2 ? 2 * xRow : r1
    let s = o + i * xRow
    for (let p = 0; p < kc; p = (p + 1) | 0, s = (s + xK) | 0) {
      const q = (d + p) & A_MASK
      a0[q] = x[s]
      a1[q] = x[(s + r1) | 0]
      a2[q] = x[(s + r2) | 0]
    }
  }
}

/**
 * Packs Y[0..kc)[0..nc) (element (p,j) at y[o + p·yK + j·yCol]) into B0..B3: panel q (columns
 * 4q..4q+3) at stream offset q·kc. Columns past nc repeat the last valid column.
 */
function packColumns32(y: Float32Array, o: number, yK: number, yCol: number, kc: number, nc: number): void {
  const b0 = B0, b1 = B1, b2 = B2, b3 = B3
  for (let j = 0, d = 0; j < nc; j += NR, d += kc) {
    const last = nc - 1 - j
    const c1 = last >= 1 ? yCol : 0
    const c2 = last >= 2 ? 2 * yCol : c1
    const c3 = last >= 3 ? 3 * yCol : c2
    let s = o + j * yCol
    for (let p = 0; p < kc; p = (p + 1) | 0, s = (s + yK) | 0) {
      const q = (d + p) & B_MASK
      b0[q] = y[s]
      b1[q] = y[(s + c1) | 0]
      b2[q] = y[(s + c2) | 0]
      b3[q] = y[(s + c3) | 0]
    }
  }
}

/** packRows32 / packColumns32 for float64 inputs (same bodies). */
function packRows64(x: Float64Array, o: number, xRow: number, xK: number, mc: number, kc: number): void {
  const a0 = A0, a1 = A1, a2 = A2
  for (let i = 0, d = 0; i < mc; i += MR, d += kc) {
    const last = mc - 1 - i // rows i+1, i+2 exist if last ≥ 1, 2
    const r1 = last >= 1 ? xRow : 0
    const r2 = last >= 2 ? 2 * xRow : r1
    let s = o + i * xRow
    for (let p = 0; p < kc; p = (p + 1) | 0, s = (s + xK) | 0) {
      const q = (d + p) & A_MASK
      a0[q] = x[s]
      a1[q] = x[(s + r1) | 0]
      a2[q] = x[(s + r2) | 0]
    }
  }
}

function packColumns64(y: Float64Array, o: number, yK: number, yCol: number, kc: number, nc: number): void {
  const b0 = B0, b1 = B1, b2 = B2, b3 = B3
  for (let j = 0, d = 0; j < nc; j += NR, d += kc) {
    const last = nc - 1 - j
    const c1 = last >= 1 ? yCol : 0
    const c2 = last >= 2 ? 2 * yCol : c1
    const c3 = last >= 3 ? 3 * yCol : c2
    let s = o + j * yCol
    for (let p = 0; p < kc; p = (p + 1) | 0, s = (s + yK) | 0) {
      const q = (d + p) & B_MASK
      b0[q] = y[s]
      b1[q] = y[(s + c1) | 0]
      b2[q] = y[(s + c2) | 0]
      b3[q] = y[(s + c3) | 0]
    }
  }
}

/**
 * The 3×4 micro-kernel: acc = Σ_p A·[oa + p] ⊗ B·[ob + p] over kc steps, then C = acc (beta 0) or
 * C += acc (beta 1) for the valid mr×nr corner at C[co + i·rs + j·cs].
 * (Keeping the write-back here also keeps the function too big for TurboFan to inline into
 * `blocked`, where the outer loops' live values measured ~15% slower register allocation.)
 */
function micro32(
  kc: number, oa: number, ob: number,
  C: Float32Array, co: number, rs: number, cs: number, mr: number, nr: number, beta: 0 | 1
): void {
  const a0s = A0, a1s = A1, a2s = A2, b0s = B0, b1s = B1, b2s = B2, b3s = B3
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0
  const end = (oa + kc) | 0
  const d = (ob - oa) | 0
  // `| 0` keeps the index arithmetic in int32 without overflow checks; the masks never change an
  // index (panels lie inside their streams) but bound it for the compiler.
  for (let p = oa; p < end; p = (p + 1) | 0) {
    const qa = p & A_MASK
    const qb = (p + d) & B_MASK
    const a0 = a0s[qa], a1 = a1s[qa], a2 = a2s[qa]
    const b0 = b0s[qb], b1 = b1s[qb], b2 = b2s[qb], b3 = b3s[qb]
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3
  }
  if (mr === MR && nr === NR) {
    const r0 = co, r1 = co + rs, r2 = co + 2 * rs
    const j1 = cs, j2 = 2 * cs, j3 = 3 * cs
    if (beta === 0) {
      C[r0] = c00; C[r0 + j1] = c01; C[r0 + j2] = c02; C[r0 + j3] = c03
      C[r1] = c10; C[r1 + j1] = c11; C[r1 + j2] = c12; C[r1 + j3] = c13
      C[r2] = c20; C[r2 + j1] = c21; C[r2 + j2] = c22; C[r2 + j3] = c23
    } else {
      C[r0] += c00; C[r0 + j1] += c01; C[r0 + j2] += c02; C[r0 + j3] += c03
      C[r1] += c10; C[r1 + j1] += c11; C[r1 + j2] += c12; C[r1 + j3] += c13
      C[r2] += c20; C[r2 + j1] += c21; C[r2 + j2] += c22; C[r2 + j3] += c23
    }
    return
  }
  // Edge tile: stage through ACC and write the valid corner only.
  const acc = ACC
  acc[0] = c00; acc[1] = c01; acc[2] = c02; acc[3] = c03
  acc[4] = c10; acc[5] = c11; acc[6] = c12; acc[7] = c13
  acc[8] = c20; acc[9] = c21; acc[10] = c22; acc[11] = c23
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const k = co + i * rs + j * cs
      C[k] = beta === 0 ? acc[i * NR + j] : C[k] + acc[i * NR + j]
    }
  }
}

/** micro32 for float64 C (same body). */
function micro64(
  kc: number, oa: number, ob: number,
  C: Float64Array, co: number, rs: number, cs: number, mr: number, nr: number, beta: 0 | 1
): void {
  const a0s = A0, a1s = A1, a2s = A2, b0s = B0, b1s = B1, b2s = B2, b3s = B3
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0
  const end = (oa + kc) | 0
  const d = (ob - oa) | 0
  for (let p = oa; p < end; p = (p + 1) | 0) {
    const qa = p & A_MASK
    const qb = (p + d) & B_MASK
    const a0 = a0s[qa], a1 = a1s[qa], a2 = a2s[qa]
    const b0 = b0s[qb], b1 = b1s[qb], b2 = b2s[qb], b3 = b3s[qb]
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3
  }
  if (mr === MR && nr === NR) {
    const r0 = co, r1 = co + rs, r2 = co + 2 * rs
    const j1 = cs, j2 = 2 * cs, j3 = 3 * cs
    if (beta === 0) {
      C[r0] = c00; C[r0 + j1] = c01; C[r0 + j2] = c02; C[r0 + j3] = c03
      C[r1] = c10; C[r1 + j1] = c11; C[r1 + j2] = c12; C[r1 + j3] = c13
      C[r2] = c20; C[r2 + j1] = c21; C[r2 + j2] = c22; C[r2 + j3] = c23
    } else {
      C[r0] += c00; C[r0 + j1] += c01; C[r0 + j2] += c02; C[r0 + j3] += c03
      C[r1] += c10; C[r1 + j1] += c11; C[r1 + j2] += c12; C[r1 + j3] += c13
      C[r2] += c20; C[r2 + j1] += c21; C[r2 + j2] += c22; C[r2 + j3] += c23
    }
    return
  }
  const acc = ACC
  acc[0] = c00; acc[1] = c01; acc[2] = c02; acc[3] = c03
  acc[4] = c10; acc[5] = c11; acc[6] = c12; acc[7] = c13
  acc[8] = c20; acc[9] = c21; acc[10] = c22; acc[11] = c23
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const k = co + i * rs + j * cs
      C[k] = beta === 0 ? acc[i * NR + j] : C[k] + acc[i * NR + j]
    }
  }
}


/**
 * Runs every path a few times per dtype on tiny matrices (~10 ms, once, on the first call) so that
 * type feedback is complete before TurboFan first optimises anything; see the note at the top.
 */
function warmUp(): void {
  const shapes: Array<[number, number, number]> = [[3, 4, 5], [5, 7, 3], [4, 2, 6], [7, 16, 2]]
  for (let rep = 0; rep < 3; rep++) {
    for (const make of [(n: number) => new Float32Array(n), (n: number) => new Float64Array(n)]) {
      for (const [M, N, K] of shapes) {
        const A = make(M * K).fill(1), B = make(K * N).fill(1), C = make(M * N)
        for (let t = 0; t < 4; t++) {
          const transA = (t & 2) !== 0, transB = (t & 1) !== 0
          const lda = transA ? M : K, ldb = transB ? K : N
          gemm(transA, transB, M, N, K, A, 0, lda, B, 0, ldb, 0, C, 0, N)
          gemm(transA, transB, M, N, K, A, 0, lda, B, 0, ldb, 1, C, 0, N)
        }
      }
    }
  }
}
