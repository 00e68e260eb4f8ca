import { describe, it, expect } from 'vitest'
import { createRng, type Rng } from '../../src-engine/core/rng'
import {
  augmentBatch,
  createAugmentScratch,
  isIdentityAugmentation,
  validateAugmentation
} from '../../src-engine/data/augment'

/** An Rng that replays fixed integers for nextInt (offset + max gives the wanted shift). */
function scriptedRng(ints: number[], floats: number[] = []): Rng {
  const base = createRng(0)
  return {
    nextInt: () => {
      const v = ints.shift()
      if (v === undefined) throw new Error('script ran out of ints')
      return v
    },
    nextFloat: () => {
      const v = floats.shift()
      if (v === undefined) throw new Error('script ran out of floats')
      return v
    },
    nextNormal: () => base.nextNormal(),
    nextUint32: () => base.nextUint32(),
    getState: () => base.getState(),
    setState: (s) => base.setState(s)
  }
}

/** A 1×H×W image with value 1 + y * W + x at (x, y), so every pixel is identifiable. */
function ramp(h: number, w: number, channels = 1): Float32Array {
  return Float32Array.from({ length: channels * h * w }, (_, i) => 1 + (i % (h * w)) + 100 * Math.floor(i / (h * w)))
}

function at(data: Float32Array, w: number, x: number, y: number, c = 0, h = w): number {
  return data[c * h * w + y * w + x]
}

describe('shift', () => {
  it('moves content by the drawn offset and fills with zeros', () => {
    const w = 5
    const img = ramp(w, w, 2)
    const original = img.slice()
    // shift 2: nextInt(5) - 2; draws 4 → dx = +2, 1 → dy = -1.
    augmentBatch({ shift: 2 }, img, 1, [2, w, w], scriptedRng([4, 1]), createAugmentScratch())
    for (let c = 0; c < 2; c++) {
      for (let y = 0; y < w; y++) {
        for (let x = 0; x < w; x++) {
          const sx = x - 2
          const sy = y + 1
          const inside = sx >= 0 && sx < w && sy >= 0 && sy < w
          expect(at(img, w, x, y, c)).toBe(inside ? at(original, w, sx, sy, c) : 0)
        }
      }
    }
  })

  it('preserves the moved content exactly (sum of the kept region)', () => {
    const img = new Float32Array(8 * 8)
    img[3 * 8 + 3] = 7 // a single dot well inside
    augmentBatch({ shift: 2 }, img, 1, [1, 8, 8], scriptedRng([0, 4]), createAugmentScratch())
    expect(at(img, 8, 1, 5)).toBe(7)
    expect(img.reduce((a, b) => a + b, 0)).toBe(7)
  })

  it('uses the fill value for pixels moved in from outside', () => {
    const img = new Float32Array(9).fill(1)
    augmentBatch({ shift: 1 }, img, 1, [1, 3, 3], scriptedRng([2, 1]), createAugmentScratch(), -0.5)
    expect(Array.from(img)).toEqual([-0.5, 1, 1, -0.5, 1, 1, -0.5, 1, 1])
  })

  it('crop with padding is a translation within -padding..padding', () => {
    const img = ramp(6, 6)
    const original = img.slice()
    augmentBatch({ crop: { padding: 3 } }, img, 1, [1, 6, 6], scriptedRng([0, 6]), createAugmentScratch())
    // dx = -3, dy = +3
    expect(at(img, 6, 0, 3)).toBe(at(original, 6, 3, 0))
    expect(at(img, 6, 2, 5)).toBe(at(original, 6, 5, 2))
    expect(at(img, 6, 3, 3)).toBe(0)
    expect(at(img, 6, 0, 2)).toBe(0)
  })

  it('augments each sample of the batch independently and leaves the rest of the buffer alone', () => {
    const per = 16
    const data = Float32Array.from({ length: 3 * per }, (_, i) => 1 + (i % per))
    augmentBatch({ shift: 1 }, data, 2, [1, 4, 4], scriptedRng([2, 1, 0, 1]), createAugmentScratch())
    // Sample 0: dx = +1, dy = 0.
    expect(Array.from(data.subarray(0, 4))).toEqual([0, 1, 2, 3])
    // Sample 1: dx = -1, dy = 0.
    expect(Array.from(data.subarray(per, per + 4))).toEqual([2, 3, 4, 0])
    // Sample 2 untouched.
    expect(Array.from(data.subarray(2 * per))).toEqual(Array.from({ length: per }, (_, i) => 1 + i))
  })
})

describe('flipHorizontal', () => {
  it('mirrors rows when the coin says so', () => {
    const img = ramp(2, 3)
    augmentBatch({ flipHorizontal: true }, img, 1, [1, 2, 3], scriptedRng([], [0.2]), createAugmentScratch())
    expect(Array.from(img)).toEqual([3, 2, 1, 6, 5, 4])
    augmentBatch({ flipHorizontal: true }, img, 1, [1, 2, 3], scriptedRng([], [0.7]), createAugmentScratch())
    expect(Array.from(img)).toEqual([3, 2, 1, 6, 5, 4])
  })

  it('flips about half of the samples', () => {
    const n = 2000
    const data = new Float32Array(n * 2)
    for (let i = 0; i < n; i++) data[2 * i] = 1
    augmentBatch({ flipHorizontal: true }, data, n, [1, 1, 2], createRng(3), createAugmentScratch())
    let flipped = 0
    for (let i = 0; i < n; i++) flipped += data[2 * i + 1]
    expect(flipped / n).toBeGreaterThan(0.45)
    expect(flipped / n).toBeLessThan(0.55)
  })
})

describe('noise', () => {
  it('adds Gaussian noise with roughly the requested std', () => {
    const data = new Float32Array(40000)
    augmentBatch({ noise: 0.3 }, data, 100, [1, 20, 20], createRng(5), createAugmentScratch())
    const mean = data.reduce((a, b) => a + b, 0) / data.length
    const std = Math.sqrt(data.reduce((a, v) => a + (v - mean) ** 2, 0) / data.length)
    expect(Math.abs(mean)).toBeLessThan(0.01)
    expect(std).toBeGreaterThan(0.29)
    expect(std).toBeLessThan(0.31)
  })
})

describe('determinism', () => {
  const aug = { shift: 2, crop: { padding: 1 }, noise: 0.1, flipHorizontal: true }

  function run(seed: number): Float32Array {
    const data = Float32Array.from({ length: 4 * 3 * 8 * 8 }, (_, i) => (i % 13) / 13)
    augmentBatch(aug, data, 4, [3, 8, 8], createRng(seed), createAugmentScratch())
    return data
  }

  it('same seed, same result; different seed, different result', () => {
    expect(Array.from(run(42))).toEqual(Array.from(run(42)))
    expect(Array.from(run(42))).not.toEqual(Array.from(run(43)))
  })

  it('reuses the scratch buffer', () => {
    const scratch = createAugmentScratch()
    const data = new Float32Array(2 * 16)
    augmentBatch({ shift: 1 }, data, 2, [1, 4, 4], createRng(1), scratch)
    const buffer = scratch.buffer
    expect(buffer.length).toBe(16)
    augmentBatch({ shift: 1 }, data, 2, [1, 4, 4], createRng(2), scratch)
    expect(scratch.buffer).toBe(buffer)
  })

  it('an empty config is the identity and draws nothing', () => {
    const rng = createRng(9)
    const before = rng.getState()
    const data = ramp(4, 4)
    augmentBatch({}, data, 1, [1, 4, 4], rng, createAugmentScratch())
    expect(Array.from(data)).toEqual(Array.from(ramp(4, 4)))
    expect(rng.getState()).toEqual(before)
    expect(isIdentityAugmentation({ shift: 0, noise: 0 })).toBe(true)
    expect(isIdentityAugmentation({ noise: 0.1 })).toBe(false)
  })

  it('rejects a batch larger than the data', () => {
    expect(() => augmentBatch({ shift: 1 }, new Float32Array(16), 2, [1, 4, 4], createRng(1), createAugmentScratch())).toThrow(
      'augmentBatch: 2 images of 1×4×4 need 32 values, data has 16'
    )
  })
})

describe('validateAugmentation', () => {
  it('accepts valid configs', () => {
    expect(validateAugmentation({})).toEqual([])
    expect(validateAugmentation({ shift: 2, crop: { padding: 4 }, noise: 0.05, flipHorizontal: false })).toEqual([])
  })

  it('reports every problem', () => {
    expect(validateAugmentation({ shift: -1, crop: { padding: 1.5 }, noise: -0.1, flipHorizontal: 'yes', rotate: 10 })).toEqual([
      "augmentation: unknown option 'rotate' (known: shift, crop, noise, flipHorizontal)",
      'augmentation.shift must be a whole number of pixels >= 0, got -1',
      'augmentation.crop.padding must be a whole number of pixels >= 0, got 1.5',
      'augmentation.noise must be a number >= 0 (a standard deviation), got -0.1',
      'augmentation.flipHorizontal must be true or false, got yes'
    ])
    expect(validateAugmentation(null)).toEqual(['augmentation must be an object'])
    expect(validateAugmentation({ crop: 3 })).toEqual(['augmentation.crop must be an object { padding }'])
    expect(validateAugmentation({ crop: {} })).toEqual([
      'augmentation.crop.padding must be a whole number of pixels >= 0, got undefined'
    ])
  })

  it('checks translation against the image size when given a shape', () => {
    expect(validateAugmentation({ shift: 3, crop: { padding: 1 } }, [1, 4, 6])).toEqual([
      'augmentation: shift + crop padding (4) must be less than the image size (4×6)'
    ])
    expect(validateAugmentation({ shift: 3 }, [1, 28, 28])).toEqual([])
  })
})
