/*
 * f32 GEMM with WebAssembly SIMD: C = op(A)·op(B) + beta·C (the contract of Kernels.gemm, see
 * src-engine/kernels/kernels.ts). Pointers are byte addresses in this module's memory; leading
 * dimensions are in elements.
 *
 * GotoBLAS structure: op(B) is cut into KC×NC blocks and packed into 8-column micro-panels
 * ([p][8], zero-padded), op(A) into MC×KC blocks of 4-row micro-panels ([p][4], zero-padded); a
 * 4×8 register-blocked micro-kernel keeps its 8 f32x4 accumulators in registers while it walks k.
 * When op(B) is B itself (not transposed) its rows are already contiguous in j, so full 8-column
 * micro-panels are read in place (stride ldb) and only the ragged last one is packed: the
 * convolution GEMMs (few filters × many output positions) would otherwise spend as long packing
 * B as multiplying. Edge tiles are computed into a 4×8 staging tile and only the valid corner is
 * written back, so C outside the M×N window is never touched.
 */
import { MR, NR, KC, MC, NC, PACK_A, PACK_B, EDGE_B, TILE } from './layout'

/** acc + a·b: fused (relaxed SIMD, one rounding) where compiled with it, else mul then add. */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc)
  return f32x4.add(f32x4.mul(a, b), acc)
}

/**
 * The 4×8 micro-kernel: tile = Σ_p Apanel[p][0..4) ⊗ Bpanel[p][0..8) over kc steps, then
 * C = tile (accumulate 0) or C += tile (1). B rows are bs bytes apart; C rows cs bytes apart.
 */
// @ts-ignore: decorator
@inline function micro(kc: i32, ap: usize, bp: usize, bs: usize, cp: usize, cs: usize, accumulate: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0)
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0)
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0)
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0)
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp)
    const b1 = v128.load(bp, 16)
    const a0 = v128.load32_splat(ap)
    const a1 = v128.load32_splat(ap, 4)
    const a2 = v128.load32_splat(ap, 8)
    const a3 = v128.load32_splat(ap, 12)
    c00 = madd(a0, b0, c00); c01 = madd(a0, b1, c01)
    c10 = madd(a1, b0, c10); c11 = madd(a1, b1, c11)
    c20 = madd(a2, b0, c20); c21 = madd(a2, b1, c21)
    c30 = madd(a3, b0, c30); c31 = madd(a3, b1, c31)
    ap += 16
    bp += bs
  }
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(cp)); c01 = f32x4.add(c01, v128.load(cp, 16))
    c10 = f32x4.add(c10, v128.load(cp + cs)); c11 = f32x4.add(c11, v128.load(cp + cs, 16))
    c20 = f32x4.add(c20, v128.load(cp + 2 * cs)); c21 = f32x4.add(c21, v128.load(cp + 2 * cs, 16))
    c30 = f32x4.add(c30, v128.load(cp + 3 * cs)); c31 = f32x4.add(c31, v128.load(cp + 3 * cs, 16))
  }
  v128.store(cp, c00); v128.store(cp, c01, 16)
  v128.store(cp + cs, c10); v128.store(cp + cs, c11, 16)
  v128.store(cp + 2 * cs, c20); v128.store(cp + 2 * cs, c21, 16)
  v128.store(cp + 3 * cs, c30); v128.store(cp + 3 * cs, c31, 16)
}

/** Copies (accumulate 0) or adds (1) the valid mr×nr corner of TILE into C (rows cs bytes apart). */
function writeEdge(cp: usize, cs: usize, mr: i32, nr: i32, accumulate: i32): void {
  for (let i = 0; i < mr; i++) {
    const t = TILE + <usize>(i * NR * 4)
    const d = cp + <usize>i * cs
    if (nr == NR) {
      let v0 = v128.load(t), v1 = v128.load(t, 16)
      if (accumulate) {
        v0 = f32x4.add(v0, v128.load(d))
        v1 = f32x4.add(v1, v128.load(d, 16))
      }
      v128.store(d, v0)
      v128.store(d, v1, 16)
    } else {
      for (let j = 0; j < nr; j++) {
        const o = <usize>(j * 4)
        const v = load<f32>(t + o)
        store<f32>(d + o, accumulate ? load<f32>(d + o) + v : v)
      }
    }
  }
}

/**
 * Packs the mc×kc block X (element (i,p) at x + (i·xRow + p·xK)·4) into 4-row micro-panels at
 * PACK_A: panel r holds rows 4r..4r+3 as [p][4] at PACK_A + r·kc·16; missing rows are zero.
 */
function packA(x: usize, xRow: i32, xK: i32, mc: i32, kc: i32): void {
  let d = PACK_A
  for (let i = 0; i < mc; i += MR) {
    const rows = min(MR, mc - i)
    if (rows == MR && xK == 1) {
      // Rows contiguous in k (A not transposed): four streams, one 4-float store per step.
      const r0 = x + <usize>(i * xRow) * 4
      const r1 = r0 + <usize>xRow * 4
      const r2 = r1 + <usize>xRow * 4
      const r3 = r2 + <usize>xRow * 4
      for (let p = 0; p < kc; p++) {
        const o = <usize>p * 4
        store<f32>(d, load<f32>(r0 + o))
        store<f32>(d, load<f32>(r1 + o), 4)
        store<f32>(d, load<f32>(r2 + o), 8)
        store<f32>(d, load<f32>(r3 + o), 12)
        d += 16
      }
    } else if (rows == MR && xRow == 1) {
      // Aᵀ: the four rows of a panel are adjacent in memory at every k.
      let s = x + <usize>i * 4
      const step = <usize>xK * 4
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(s))
        s += step
        d += 16
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          const v: f32 = r < rows ? load<f32>(x + <usize>((i + r) * xRow + p * xK) * 4) : 0
          store<f32>(d + <usize>(r * 4), v)
        }
        d += 16
      }
    }
  }
}

/**
 * Packs the kc×nc block Y (element (p,j) at y + (p·yK + j·yCol)·4) into 8-column micro-panels at
 * dst: panel q holds columns 8q..8q+7 as [p][8] at dst + q·kc·32; missing columns are zero.
 */
function packB(dst: usize, y: usize, yK: i32, yCol: i32, kc: i32, nc: i32): void {
  let d = dst
  for (let j = 0; j < nc; j += NR) {
    const cols = min(NR, nc - j)
    if (cols == NR && yCol == 1) {
      let s = y + <usize>j * 4
      const step = <usize>yK * 4
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(s))
        v128.store(d, v128.load(s, 16), 16)
        s += step
        d += 32
      }
    } else if (cols == NR && yK == 1) {
      // Bᵀ: each column of op(B) is contiguous in k; gather 8 streams.
      const c0 = y + <usize>(j * yCol) * 4
      const cs = <usize>yCol * 4
      for (let p = 0; p < kc; p++) {
        const s = c0 + <usize>p * 4
        store<f32>(d, load<f32>(s))
        store<f32>(d, load<f32>(s + cs), 4)
        store<f32>(d, load<f32>(s + 2 * cs), 8)
        store<f32>(d, load<f32>(s + 3 * cs), 12)
        store<f32>(d, load<f32>(s + 4 * cs), 16)
        store<f32>(d, load<f32>(s + 5 * cs), 20)
        store<f32>(d, load<f32>(s + 6 * cs), 24)
        store<f32>(d, load<f32>(s + 7 * cs), 28)
        d += 32
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < NR; c++) {
          const v: f32 = c < cols ? load<f32>(y + <usize>(p * yK + (j + c) * yCol) * 4) : 0
          store<f32>(d + <usize>(c * 4), v)
        }
        d += 32
      }
    }
  }
}

export function gemm(
  transA: i32, transB: i32, M: i32, N: i32, K: i32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: i32, c: usize, ldc: i32
): void {
  if (M <= 0 || N <= 0) return
  if (K <= 0) {
    if (beta == 0) for (let i = 0; i < M; i++) memory.fill(c + <usize>(i * ldc) * 4, 0, <usize>N * 4)
    return
  }
  const aRow = transA ? 1 : lda
  const aK = transA ? lda : 1
  const bK = transB ? 1 : ldb
  const bCol = transB ? ldb : 1
  const direct = !transB // full micro-panels of B read in place
  const cs = <usize>ldc * 4
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc)
    const fullCols = nc & ~(NR - 1)
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc)
      const accumulate = pc == 0 ? beta : 1
      const bBlock = b + <usize>(pc * bK + jc * bCol) * 4
      if (direct) {
        if (fullCols < nc) packB(EDGE_B, bBlock + <usize>fullCols * 4, bK, bCol, kc, nc - fullCols)
      } else {
        packB(PACK_B, bBlock, bK, bCol, kc, nc)
      }
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic)
        packA(a + <usize>(ic * aRow + pc * aK) * 4, aRow, aK, mc, kc)
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr)
          let bp: usize
          let bs: usize
          if (!direct) {
            bp = PACK_B + <usize>((jr / NR) * kc) * 32
            bs = 32
          } else if (nr == NR) {
            bp = bBlock + <usize>jr * 4
            bs = <usize>ldb * 4
          } else {
            bp = EDGE_B
            bs = 32
          }
          const cCol = c + <usize>((jc + jr) + ic * ldc) * 4
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir)
            const ap = PACK_A + <usize>((ir / MR) * kc) * 16
            const cp = cCol + <usize>ir * cs
            if (mr == MR && nr == NR) {
              micro(kc, ap, bp, bs, cp, cs, accumulate)
            } else {
              micro(kc, ap, bp, bs, TILE, NR * 4, 0)
              writeEdge(cp, cs, mr, nr, accumulate)
            }
          }
        }
      }
    }
  }
}
