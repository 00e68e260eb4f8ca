/**
 * Plain TypeScript shapes of the ONNX messages Tatami uses, and their encoding with protobufjs from the
 * schema in onnx-schema.ts. int64 fields are plain numbers (every value Tatami writes fits in 2^53).
 */
import protobuf from 'protobufjs'
import { ONNX_PROTO_SCHEMA } from './onnx-schema'

export const ONNX_FLOAT = 1
export const ONNX_INT64 = 7
export const ATTR_FLOAT = 1
export const ATTR_INT = 2
export const ATTR_STRING = 3
export const ATTR_FLOATS = 6
export const ATTR_INTS = 7

export interface OnnxAttribute {
  name: string
  type: number
  f?: number
  i?: number
  s?: Uint8Array
  floats?: number[]
  ints?: number[]
}

export interface OnnxNode {
  input: string[]
  output: string[]
  name: string
  opType: string
  domain?: string
  attribute: OnnxAttribute[]
}

export interface OnnxTensor {
  name: string
  dims: number[]
  dataType: number
  rawData?: Uint8Array
  floatData?: number[]
  int64Data?: number[]
}

export interface OnnxDim {
  dimValue?: number
  dimParam?: string
}

export interface OnnxValueInfo {
  name: string
  type: { tensorType: { elemType: number; shape: { dim: OnnxDim[] } } }
}

export interface OnnxGraph {
  name: string
  node: OnnxNode[]
  initializer: OnnxTensor[]
  input: OnnxValueInfo[]
  output: OnnxValueInfo[]
}

export interface OnnxModel {
  irVersion: number
  opsetImport: { domain: string; version: number }[]
  producerName: string
  producerVersion: string
  docString?: string
  graph: OnnxGraph
  metadataProps: { key: string; value: string }[]
}

let modelType: protobuf.Type | null = null

function model(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_PROTO_SCHEMA, { keepCase: false }).root.lookupType('onnx.ModelProto')
  return modelType
}

export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  const type = model()
  const problem = type.verify(m)
  if (problem) throw new Error(`ONNX model does not fit the schema: ${problem}`)
  return type.encode(type.fromObject(m)).finish()
}

/** Decodes ModelProto bytes; a file that is not protobuf gets an error saying so. */
export function decodeOnnxModel(bytes: Uint8Array, what = 'ONNX file'): OnnxModel {
  const type = model()
  let message: protobuf.Message
  try {
    message = type.decode(bytes)
  } catch (err) {
    throw new Error(`${what}: not an ONNX model (${(err as Error).message})`)
  }
  const obj = type.toObject(message, { longs: Number, bytes: Uint8Array, defaults: true, arrays: true }) as OnnxModel
  if (!obj.graph) throw new Error(`${what}: not an ONNX model (no graph)`)
  return obj
}
