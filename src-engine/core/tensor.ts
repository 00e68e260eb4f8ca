/**
 * Tensors are plain typed arrays with a shape. Activations are NCHW (batch first), like PyTorch.
 * The engine runs either in float32 (training) or float64 (numerical gradient checks).
 */
export type DType = 'float32' | 'float64'
export type FloatArray = Float32Array | Float64Array

export interface Tensor {
  /** Dimensions, outermost first; `data.length === sizeOf(shape)`. */
  shape: number[]
  data: FloatArray
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1
  for (const d of shape) n *= d
  return n
}

export function formatShape(shape: readonly number[]): string {
  return shape.join('×')
}

/**
 * Every tensor's storage comes from one allocator per network, so a faster backend can plan all
 * memory up front (and keep it in one WebAssembly memory) without touching the layers.
 */
export interface Allocator {
  readonly dtype: DType
  alloc(length: number): FloatArray
  /** Integer storage (max-pooling argmax) from the same memory, where the allocator has one. */
  allocInt32?(length: number): Int32Array
  /**
   * Gives back storage that is no longer used (planned allocators reuse it for later allocations;
   * others let the garbage collector have it). Views of it must not be used afterwards.
   */
  release?(a: FloatArray | Int32Array): void
  /** Total elements handed out, for memory reports. */
  readonly allocatedElements: number
}

export function createAllocator(dtype: DType): Allocator {
  let allocatedElements = 0
  return {
    dtype,
    alloc(length: number): FloatArray {
      allocatedElements += length
      return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length)
    },
    get allocatedElements() {
      return allocatedElements
    }
  }
}

export function makeTensor(alloc: Allocator, shape: number[]): Tensor {
  return { shape, data: alloc.alloc(sizeOf(shape)) }
}

/**
 * A reusable tensor whose leading (batch) dimension may change between calls: storage grows to the
 * largest size requested and is reused afterwards, so the training loop allocates nothing per step.
 * The returned tensor stays valid until the next `get` on the same slot: when the slot grows, its old
 * storage goes back to the allocator (a planned allocator hands it to later allocations).
 */
export class TensorSlot {
  private buffer: FloatArray | null = null
  private view: Tensor | null = null

  constructor(private readonly alloc: Allocator) {}

  get(shape: number[]): Tensor {
    const size = sizeOf(shape)
    if (this.view && this.view.data.length === size && sameShape(this.view.shape, shape)) return this.view
    if (!this.buffer || this.buffer.length < size) {
      if (this.buffer) this.alloc.release?.(this.buffer)
      this.buffer = this.alloc.alloc(size)
    }
    this.view = { shape: shape.slice(), data: this.buffer.subarray(0, size) }
    return this.view
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
