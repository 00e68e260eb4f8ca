import type { Allocator } from '../core/tensor'
import { sizeOf } from '../core/tensor'
import type { Param, ParamInit } from './layer'

/** Allocates a parameter and its gradient. */
export function makeParam(alloc: Allocator, name: string, shape: number[], decay: boolean, init: ParamInit): Param {
  const n = sizeOf(shape)
  return { name, value: { shape, data: alloc.alloc(n) }, grad: { shape: shape.slice(), data: alloc.alloc(n) }, decay, init }
}
