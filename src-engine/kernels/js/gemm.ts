import type { FloatArray } from '../../core/tensor'

/*
 * Blocked GEMM for V8: C = op(A)·op(B) + beta·C (see Kernels.gemm).
 *
 * Layout (GotoBLAS style): op(A) is packed into MR-row panels and op(B) into NR-column panels, then
 * a register-blocked MR×NR micro-kernel walks the shared K dimension with its 12 accumulators in
 * local variables. What makes it fast in V8 is *how* the panels are stored:
 *
 * - The packing buffers are module-level `const` Float64Arrays of fixed, power-of-two length, and
 *   each panel row / column is a separate "stream" (a subarray), so the micro-kernel reads
 *   A0[q], A1[q], A2[q], B0[r], ... with just two shared indices per k step. TurboFan specialises
 *   a single-closure function to its module context, so these arrays become constants: no map
 *   checks, constant base pointers and a constant length. Masking the index (`& MASK`) then leaves
 *   one cheap bounds check per index instead of one per load. This roughly halves the instructions
 *   per multiply-add compared with offsets into growable scratch buffers passed as arguments.
 * - Packing is always into float64, also for float32 inputs. float32 → float64 is exact and the
 *   micro-kernel accumulates in float64 either way, so results are bit-identical to float32
 *   panels, while the kernel stays monomorphic and skips a conversion per load (measured faster).
 * - 3×4 tiles keep the 12 accumulators plus operands close to x64's 16 XMM registers; 4×4 and
 *   larger tiles spill and measured slower. The tile orientation (which of M and N is split into
 *   3-row panels) is chosen per call to minimise zero padding, computing Cᵀ = op(B)ᵀ·op(A)ᵀ when
 *   that fits better (e.g. M = 16: 16 = 4·4 columns instead of 18 = 6·3 rows).
 *
 * Blocking: KC bounds the k extent of a panel; MC×KC (the packed A block, ~200 KB) targets L2 and a
 * KC×NR micro-panel of B (8 KB) stays in L1 while all A micro-panels stream past it.
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

// 3×8192 + 4×16384 doubles = 0.7 MB, allocated once and reused by every call.
const packA = new Float64Array(MR * A_LEN)
const A0 = packA.subarray(0, A_LEN)
const A1 = packA.subarray(A_LEN, 2 * A_LEN)
const A2 = packA.subarray(2 * A_LEN, 3 * A_LEN)
const packB = new Float64Array(NR * B_LEN)
const B0 = packB.subarray(0, B_LEN)
const B1 = packB.subarray(B_LEN, 2 * B_LEN)
const B2 = packB.subarray(2 * B_LEN, 3 * B_LEN)
const B3 = packB.subarray(3 * B_LEN, 4 * B_LEN)
/** Staging for partial edge tiles, row-major MR×NR. */
const edge = new Float64Array(MR * NR)

/** Below this many multiply-adds the packing overhead outweighs the blocked kernel. */
const SMALL_WORK = 4096

export function gemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: FloatArray, aOffset: number, lda: number,
  B: FloatArray, bOffset: number, ldb: number,
  beta: 0 | 1, C: FloatArray, cOffset: number, ldc: number
): void {
  if (M <= 0 || N <= 0) return
  if (K <= 0) {
    if (beta === 0) for (let i = 0; i < M; i++) C.fill(0, cOffset + i * ldc, cOffset + i * ldc + N)
    return
  }
  if (M * N * K <= SMALL_WORK) {
    smallGemm(transA, transB, M, N, K, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc)
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
    // Cᵀ (N×M, row stride 1, column stride ldc) = op(B)ᵀ · op(A)ᵀ.
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
      const be: 0 | 1 = pc === 0 ? beta : 1
      packColumns(y, yOffset + pc * yK + jc * yCol, yK, yCol, kc, nc)
      for (let ic = 0; ic < rows; ic += MC) {
        const mc = Math.min(MC, rows - ic)
        packRows(x, xOffset + ic * xRow + pc * xK, xRow, xK, mc, kc)
        for (let jr = 0, ob = 0; jr < nc; jr += NR, ob += kc) {
          const nr = Math.min(NR, nc - jr)
          const cBase = cOffset + ic * rs + (jc + jr) * cs
          for (let ir = 0, oa = 0; ir < mc; ir += MR, oa += kc) {
            micro(kc, oa, ob, C, cBase + ir * rs, rs, cs, Math.min(MR, mc - ir), nr, be)
          }
        }
      }
    }
  }
}

/** Packs X[0..mc)[0..kc) (element (i,p) at x[o + i·xRow + p·xK]) into A0..A2, panel r at r·kc. */
function packRows(x: FloatArray, o: number, xRow: number, xK: number, mc: number, kc: number): void {
  const a0 = A0, a1 = A1, a2 = A2
  let d = 0
  for (let i = 0; i < mc; i += MR, o += MR * xRow) {
    const mr = mc - i
    let s0 = o
    if (mr >= MR) {
      for (let p = 0; p < kc; p++, s0 += xK) {
        const q = (d + p) & A_MASK
        a0[q] = x[s0]
        a1[q] = x[s0 + xRow]
        a2[q] = x[s0 + 2 * xRow]
      }
    } else {
      // Edge panel: missing rows are zero so the micro-kernel can always compute a full tile.
      for (let p = 0; p < kc; p++, s0 += xK) {
        const q = (d + p) & A_MASK
        a0[q] = x[s0]
        a1[q] = mr > 1 ? x[s0 + xRow] : 0
        a2[q] = 0
      }
    }
    d += kc
  }
}

/** Packs Y[0..kc)[0..nc) (element (p,j) at y[o + p·yK + j·yCol]) into B0..B3, panel q at q·kc. */
function packColumns(y: FloatArray, o: number, yK: number, yCol: number, kc: number, nc: number): void {
  const b0 = B0, b1 = B1, b2 = B2, b3 = B3
  let d = 0
  for (let j = 0; j < nc; j += NR, o += NR * yCol) {
    const nr = nc - j
    let s = o
    if (nr >= NR) {
      for (let p = 0; p < kc; p++, s += yK) {
        const q = (d + p) & B_MASK
        b0[q] = y[s]
        b1[q] = y[s + yCol]
        b2[q] = y[s + 2 * yCol]
        b3[q] = y[s + 3 * yCol]
      }
    } else {
      for (let p = 0; p < kc; p++, s += yK) {
        const q = (d + p) & B_MASK
        b0[q] = y[s]
        b1[q] = nr > 1 ? y[s + yCol] : 0
        b2[q] = nr > 2 ? y[s + 2 * yCol] : 0
        b3[q] = 0
      }
    }
    d += kc
  }
}

/**
 * The 3×4 micro-kernel: acc = Σ_p A·[oa+p] ⊗ B·[ob+p] over kc steps, then C = acc (beta 0) or
 * C += acc (beta 1) for the valid mr×nr corner at C[co + i·rs + j·cs].
 */
function micro(
  kc: number, oa: number, ob: number,
  C: FloatArray, co: number, rs: number, cs: number, mr: number, nr: number, beta: 0 | 1
): void {
  // Local aliases: reading the module constants once, outside the loop, lets TurboFan fold them
  // to constant typed arrays reliably (loads of them inside loops sometimes escape the folding).
  const a0s = A0, a1s = A1, a2s = A2, b0s = B0, b1s = B1, b2s = B2, b3s = B3
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0
  const end = (oa + kc) | 0
  const d = (ob - oa) | 0
  // `| 0` and `& MASK` keep the index arithmetic in int32 with no overflow checks; the masks never
  // change an index (panels always lie inside their stream) but bound it for the compiler.
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
    const j1 = cs, j2 = 2 * cs, j3 = 3 * cs
    const r0 = co, r1 = co + rs, r2 = co + 2 * rs
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
  edge[0] = c00; edge[1] = c01; edge[2] = c02; edge[3] = c03
  edge[4] = c10; edge[5] = c11; edge[6] = c12; edge[7] = c13
  edge[8] = c20; edge[9] = c21; edge[10] = c22; edge[11] = c23
  for (let i = 0; i < mr; i++) {
    const r = co + i * rs
    for (let j = 0; j < nr; j++) {
      const v = edge[i * NR + j]
      C[r + j * cs] = beta === 0 ? v : C[r + j * cs] + v
    }
  }
}

/** Direct loops for tiny problems, accumulating in float64 like the blocked path. */
function smallGemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: FloatArray, aOffset: number, lda: number,
  B: FloatArray, bOffset: number, ldb: number,
  beta: 0 | 1, C: FloatArray, cOffset: number, ldc: number
): void {
  const aRow = transA ? 1 : lda
  const aK = transA ? lda : 1
  const bK = transB ? 1 : ldb
  const bCol = transB ? ldb : 1
  for (let i = 0; i < M; i++) {
    const a = aOffset + i * aRow
    const c = cOffset + i * ldc
    for (let j = 0; j < N; j++) {
      let s = 0
      for (let p = 0, ia = a, ib = bOffset + j * bCol; p < K; p++, ia += aK, ib += bK) s += A[ia] * B[ib]
      C[c + j] = beta === 0 ? s : C[c + j] + s
    }
  }
}
