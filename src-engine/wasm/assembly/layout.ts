/*
 * The kernels' scratch area in linear memory (packing buffers). Each instance of the module has its
 * own: the first instance uses the fixed area at SCRATCH (the host plans tensors above scratchEnd());
 * a helper thread's instance, sharing the same memory, is moved by setScratch() to an area the host
 * planned for it. The addresses are per-instance globals, so two threads never share a buffer.
 */
export const MR: i32 = 4
export const NR: i32 = 8
export const KC: i32 = 256
export const MC: i32 = 128 // multiple of MR
export const NC: i32 = 1024 // multiple of NR

/** Scratch starts above the module's static data (checked by the host through heapBase()). */
export const SCRATCH: usize = 65536
/** Bytes of one scratch area: packed A (MC×KC), packed B (KC×NC), B's ragged panel (KC×NR), a tile. */
export const SCRATCH_BYTES: usize = (<usize>(MC * KC + KC * NC + KC * NR + MR * NR) * 4 + 65535) & ~<usize>65535
export const SCRATCH_END: usize = SCRATCH + SCRATCH_BYTES

/** Packed op(A) block: MC×KC floats. */
export let PACK_A: usize = SCRATCH
/** Packed op(B) block: KC×NC floats. */
export let PACK_B: usize = PACK_A + <usize>(MC * KC * 4)
/** The ragged last micro-panel of an unpacked B: KC×NR floats. */
export let EDGE_B: usize = PACK_B + <usize>(KC * NC * 4)
/** A 4×8 staging tile for edge tiles of C. */
export let TILE: usize = EDGE_B + <usize>(KC * NR * 4)

/** Moves this instance's scratch to [base, base + SCRATCH_BYTES) (64-byte aligned). */
export function setScratch(base: usize): void {
  PACK_A = base
  PACK_B = PACK_A + <usize>(MC * KC * 4)
  EDGE_B = PACK_B + <usize>(KC * NC * 4)
  TILE = EDGE_B + <usize>(KC * NR * 4)
}
