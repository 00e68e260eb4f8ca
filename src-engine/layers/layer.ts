import type { Allocator, DType, Tensor } from '../core/tensor'
import type { Rng } from '../core/rng'
import type { Kernels } from '../kernels/kernels'
import type { FieldSchemas, InitializerName, ResolvedFields, WrittenFields } from '../spec/fields'

export type Mode = 'train' | 'eval'

/** How a parameter is initialized; 'auto' initializers are resolved by the network from the next activation. */
export type ParamInit =
  | { kind: 'weight'; fanIn: number; fanOut: number; initializer: InitializerName }
  | { kind: 'zeros' }
  | { kind: 'ones' }

export interface Param {
  /** Name within the layer, as in PyTorch: 'weight', 'bias', 'conv.weight', 'bn.bias'. */
  name: string
  value: Tensor
  grad: Tensor
  /** Whether weight decay applies by default (weights yes; biases and normalization affine params no). */
  decay: boolean
  init: ParamInit
}

/** Non-trainable state saved with the weights, e.g. batch norm's running statistics. */
export interface StateBuffer {
  name: string
  value: Tensor
}

export interface LayerContext {
  alloc: Allocator
  kernels: Kernels
  /** The run's single RNG (dropout masks draw from it). */
  rng: Rng
  dtype: DType
  /** False for the first layer: nobody needs the gradient with respect to the network's input. */
  needInputGrad: boolean
}

/**
 * A layer instance. Shapes are per sample ([C,H,W] or [F]); tensors passed in and out carry the batch
 * dimension first. forward caches what backward needs; backward accumulates parameter gradients
 * (callers zero them with zeroGrad) and returns dL/dx. Returned tensors are owned by the layer and
 * are overwritten by its next call.
 */
export interface Layer {
  readonly type: string
  readonly inputShape: readonly number[]
  readonly outputShape: readonly number[]
  params(): Param[]
  buffers(): StateBuffer[]
  forward(x: Tensor, mode: Mode): Tensor
  /** Returns dL/dx, or null when the context said no input gradient is needed. */
  backward(dy: Tensor): Tensor | null
}

export type LayerGroup =
  | 'convolution'
  | 'pooling'
  | 'dense'
  | 'activation'
  | 'normalization'
  | 'regularization'
  | 'reshape'
  | 'output'

/** What shape inference reports for one layer (per sample). */
export interface LayerShapeInfo {
  output: number[]
  /** Trainable parameters. */
  params: number
  /** Multiply-adds of one sample's forward pass. */
  macs: number
  /** The output-size arithmetic with the numbers filled in, for the editor's hover. */
  formula?: string
}

/** Thrown by `infer` when a spec cannot work with its input shape. */
export class ShapeError extends Error {
  constructor(
    readonly field: string | null,
    message: string
  ) {
    super(message)
    this.name = 'ShapeError'
  }
}

export interface LayerDefinition<T extends string = string, F extends FieldSchemas = FieldSchemas> {
  type: T
  group: LayerGroup
  title: string
  /** One line for the palette. */
  summary: string
  fields: F
  /** Validates the spec against the input shape (throws ShapeError) and reports the output shape. */
  infer(spec: { type: T } & ResolvedFields<F>, input: readonly number[]): LayerShapeInfo
  create(spec: { type: T } & ResolvedFields<F>, input: readonly number[], ctx: LayerContext): Layer
  /** For activation layers: which initializer 'auto' picks for the weights feeding into them. */
  autoInitializer?(spec: { type: T } & ResolvedFields<F>): InitializerName
}

/** Identity helper that keeps the literal type and field types for inference. */
export function defineLayer<const T extends string, const F extends FieldSchemas>(
  definition: LayerDefinition<T, F>
): LayerDefinition<T, F> {
  return definition
}

/** The spec type a layer definition accepts: `{ type } & its fields (defaults optional)`. */
export type WrittenLayerSpec<D> = D extends LayerDefinition<infer T, infer F> ? { type: T } & WrittenFields<F> : never
export type ResolvedLayerSpec<D> = D extends LayerDefinition<infer T, infer F> ? { type: T } & ResolvedFields<F> : never

/** Per-sample shape helpers. */
export function chw(shape: readonly number[]): [number, number, number] {
  return [shape[0], shape[1], shape[2]]
}
