/**
 * Which epochs keep their weights. Every validated epoch records its weights so the Inside page can show
 * filters and feature maps as they were; a long run would grow by a whole model per epoch (small VGG:
 * 1.8 MiB). So a run keeps at most MAX_WEIGHT_SNAPSHOTS (fewer for a big model, see snapshotCap): the
 * epochs divisible by a power-of-two stride, plus the newest. The stride depends only on the newest epoch
 * and never shrinks, so the kept epochs stay evenly spaced as the run grows and an epoch once dropped is
 * never wanted back.
 */
export const MAX_WEIGHT_SNAPSHOTS = 32
/** Bytes of snapshots a run keeps at most: a bigger model keeps fewer (at least MIN_WEIGHT_SNAPSHOTS). */
export const WEIGHT_SNAPSHOT_BUDGET = 128 * 1024 * 1024
export const MIN_WEIGHT_SNAPSHOTS = 4

/**
 * How many snapshots of `snapshotBytes` each a run keeps: 32 for LeNet-5 (242 KiB) or the small VGG
 * (1.8 MiB), 10 for the 3.2 M-parameter "Overfit me" preset (12.3 MiB), never fewer than 4.
 */
export function snapshotCap(snapshotBytes: number): number {
  const fit = Math.floor(WEIGHT_SNAPSHOT_BUDGET / Math.max(1, snapshotBytes))
  return Math.max(MIN_WEIGHT_SNAPSHOTS, Math.min(MAX_WEIGHT_SNAPSHOTS, fit))
}

/** The smallest power of two s such that the multiples of s in 0..newest, plus newest, number at most `cap`. */
export function snapshotStride(newest: number, cap = MAX_WEIGHT_SNAPSHOTS): number {
  if (!(cap >= 2)) throw new Error(`weight snapshots: the cap must be at least 2 (the first and the newest epoch), got ${cap}`)
  let stride = 1
  while (Math.floor(newest / stride) + 1 + (newest % stride === 0 ? 0 : 1) > cap) stride *= 2
  return stride
}

/** The epochs whose weights to drop (0-based, in the given order). */
export function snapshotsToDrop(epochs: readonly number[], cap = MAX_WEIGHT_SNAPSHOTS): number[] {
  if (epochs.length === 0) return []
  const newest = Math.max(...epochs)
  const stride = snapshotStride(newest, cap)
  return epochs.filter((e) => e % stride !== 0 && e !== newest)
}
