/**
 * Which epochs keep their weights. Every validated epoch records its weights so the Inside page can show
 * filters and feature maps as they were; a long run would grow by a whole model per epoch (small VGG:
 * 1.8 MiB). So a run keeps at most MAX_WEIGHT_SNAPSHOTS: the epochs divisible by a power-of-two stride,
 * plus the newest. The stride depends only on the newest epoch and never shrinks, so the kept epochs stay
 * evenly spaced as the run grows and an epoch once dropped is never wanted back.
 */
export const MAX_WEIGHT_SNAPSHOTS = 32

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
