/*
 * The kernels' fixed scratch area in linear memory. The host (src-engine/kernels/wasm) keeps
 * everything below scratchEnd() for the kernels and plans tensors above it.
 */
export const MR: i32 = 4
export const NR: i32 = 8
export const KC: i32 = 256
export const MC: i32 = 128 // multiple of MR
export const NC: i32 = 1024 // multiple of NR

/** Scratch starts above the module's static data (checked by the host through heapBase()). */
export const SCRATCH: usize = 65536
/** Packed op(A) block: MC×KC floats. */
export const PACK_A: usize = SCRATCH
/** Packed op(B) block: KC×NC floats. */
export const PACK_B: usize = PACK_A + <usize>(MC * KC * 4)
/** The ragged last micro-panel of an unpacked B: KC×NR floats. */
export const EDGE_B: usize = PACK_B + <usize>(KC * NC * 4)
/** A 4×8 staging tile for edge tiles of C. */
export const TILE: usize = EDGE_B + <usize>(KC * NR * 4)
export const SCRATCH_END: usize = (TILE + <usize>(MR * NR * 4) + 65535) & ~<usize>65535
