/**
 * The engine's only source of randomness: a seeded xoshiro128** generator whose whole state is four
 * 32-bit words, so it can be saved in a checkpoint and restored to continue the exact same sequence.
 * Nothing in the engine calls Math.random.
 */
export interface Rng {
  nextUint32(): number
  /** Uniform in [0, 1), 32 bits of resolution. */
  nextFloat(): number
  /** Standard normal (Box–Muller; both values of a pair are used, the spare is part of the state). */
  nextNormal(): number
  /** Uniform integer in [0, n). */
  nextInt(n: number): number
  getState(): number[]
  setState(state: readonly number[]): void
}

export function createRng(seed: number): Rng {
  return new Xoshiro128(seed)
}

class Xoshiro128 implements Rng {
  private s0 = 0
  private s1 = 0
  private s2 = 0
  private s3 = 0
  private spare = 0
  private hasSpare = false

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`)
    // splitmix32 expands the seed into four non-zero words, as the xoshiro authors recommend.
    let x = seed >>> 0
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0
      let z = x
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
      return (z ^ (z >>> 16)) >>> 0
    }
    this.s0 = next()
    this.s1 = next()
    this.s2 = next()
    this.s3 = next()
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0
    const t = this.s1 << 9
    this.s2 ^= this.s0
    this.s3 ^= this.s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = rotl(this.s3, 11)
    return result
  }

  nextFloat(): number {
    return this.nextUint32() / 4294967296
  }

  nextNormal(): number {
    if (this.hasSpare) {
      this.hasSpare = false
      return this.spare
    }
    // 1 - u keeps the argument of log in (0, 1].
    const u = 1 - this.nextFloat()
    const v = this.nextFloat()
    const r = Math.sqrt(-2 * Math.log(u))
    this.spare = r * Math.sin(2 * Math.PI * v)
    this.hasSpare = true
    return r * Math.cos(2 * Math.PI * v)
  }

  nextInt(n: number): number {
    if (!(n > 0) || n > 4294967296) throw new Error(`nextInt: n must be in 1..2^32, got ${n}`)
    // Rejection sampling removes modulo bias.
    const limit = 4294967296 - (4294967296 % n)
    let r = this.nextUint32()
    while (r >= limit) r = this.nextUint32()
    return r % n
  }

  getState(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0, this.hasSpare ? 1 : 0, this.spare]
  }

  setState(state: readonly number[]): void {
    if (state.length !== 6 || state.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new Error('RNG state must be 6 finite numbers')
    }
    this.s0 = state[0] | 0
    this.s1 = state[1] | 0
    this.s2 = state[2] | 0
    this.s3 = state[3] | 0
    this.hasSpare = state[4] === 1
    this.spare = state[5]
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}

/** Fisher–Yates shuffle of an index array in place. */
export function shuffleInPlace(indices: Int32Array | number[], rng: Rng): void {
  for (let i = indices.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1)
    const t = indices[i]
    indices[i] = indices[j]
    indices[j] = t
  }
}
