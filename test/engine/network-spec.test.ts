import { describe, it, expect } from 'vitest'
import { analyzeNetwork, parseNetworkSpec, SpecValidationError } from '../../src-engine/spec/network-spec'
import { createNetwork } from '../../src-engine/network'
import { layerRegistry, LAYER_TYPES } from '../../src-engine/layers/registry'
import lenet from '../../examples/lenet5.json'

const net = (shape: number[], layers: unknown[]) => ({ version: 1, input: { shape }, layers })

describe('NetworkSpec validation and shape inference', () => {
  it('infers LeNet-5 shapes, parameters and multiply-adds', () => {
    const a = analyzeNetwork(lenet.network)
    expect(a.issues).toEqual([])
    expect(a.ok).toBe(true)
    expect(a.layers.map((l) => l.outputShape.join('×'))).toEqual([
      '6×28×28', '6×28×28', '6×14×14', '16×10×10', '16×10×10', '16×5×5', '400', '120', '120', '84', '84', '10', '10'
    ])
    // conv1 156, conv2 2416, fc1 48120, fc2 10164, fc3 850 (the classic 61,706)
    expect(a.totalParams).toBe(61706)
    expect(a.layers[0].macs).toBe(6 * 25 * 28 * 28)
    expect(a.layers[0].formula).toBe('⌊(28 + 2·2 − 5) / 1⌋ + 1 = 28')
    expect(a.outputShape).toEqual([10])
  })

  it('names the layer, the field and the shapes when a kernel does not fit', () => {
    const a = analyzeNetwork(
      net([1, 12, 12], [
        { type: 'conv2d', filters: 4, kernel: 3 },
        { type: 'maxpool2d', size: 2 },
        { type: 'conv2d', filters: 4, kernel: 3 },
        { type: 'conv2d', filters: 4, kernel: 5 }
      ])
    )
    expect(a.ok).toBe(false)
    expect(a.issues).toEqual([{ layer: 3, field: 'kernel', message: 'layer 3 (conv2d): kernel 5 exceeds padded input 3×3' }])
    // Shapes up to the failing layer are still reported for the editor.
    expect(a.layers.map((l) => l.outputShape.join('×'))).toEqual(['4×10×10', '4×5×5', '4×3×3'])
  })

  it('reports every field problem at once, with did-you-mean hints', () => {
    const a = analyzeNetwork(
      net([1, 8, 8], [
        { type: 'conv2d', filter: 4, kernel: 3 },
        { type: 'relu6' },
        { type: 'dense', units: -2 },
        { type: 'dropout', rate: 1 },
        { type: 'conv2d', filters: 2, kernel: 3, padding: 'full' }
      ])
    )
    const messages = a.issues.map((i) => i.message)
    expect(messages).toContain('layer 0 (conv2d): filters is required (Number of filters, i.e. output channels.)')
    expect(messages).toContain('layer 0 (conv2d): unknown field "filter" (did you mean "filters"?)')
    expect(messages.some((m) => m.startsWith('layer 1: unknown type "relu6" (did you mean "relu"?)'))).toBe(true)
    expect(messages).toContain('layer 2 (dense): units must be at least 1, got -2')
    expect(messages).toContain('layer 3 (dropout): rate must be less than 1, got 1')
    expect(messages).toContain('layer 4 (conv2d): padding must be "same", "valid" or a whole number of pixels >= 0, got "full"')
  })

  it('asks for a flatten layer before dense on feature maps', () => {
    const a = analyzeNetwork(net([1, 8, 8], [{ type: 'conv2d', filters: 2, kernel: 3 }, { type: 'dense', units: 3 }]))
    expect(a.issues.map((i) => i.message)).toEqual(['layer 1 (dense): input 2×6×6 is not flat; add a flatten layer before dense'])
  })

  it('rejects malformed documents with a clear message', () => {
    expect(analyzeNetwork(null).issues[0].message).toBe('network spec must be an object, got null')
    expect(analyzeNetwork({ version: 2, input: { shape: [1, 2] }, layers: [] }).issues.map((i) => i.message)).toEqual([
      'network spec: version must be 1, got 2',
      'network spec: input.shape must be [C, H, W] or [F] with positive whole numbers, got [1,2]',
      'network spec: the network has no layers'
    ])
    expect(() => parseNetworkSpec({})).toThrow(SpecValidationError)
    expect(() => createNetwork({ version: 1, input: { shape: [3] }, layers: [{ type: 'conv2d', filters: 1, kernel: 1 }] })).toThrow(
      'layer 0 (conv2d): conv2d needs a C×H×W input, got 3 (a dense or flattened output)'
    )
  })

  it('resolves "same" padding to keep the size at stride 1 and ceil(in/stride) at stride 2', () => {
    const a = analyzeNetwork(
      net([3, 9, 9], [
        { type: 'conv2d', filters: 2, kernel: 4, padding: 'same' },
        { type: 'conv2d', filters: 2, kernel: 3, stride: 2, padding: 'same' }
      ])
    )
    expect(a.layers.map((l) => l.outputShape)).toEqual([[2, 9, 9], [2, 5, 5]])
    expect(a.layers[0].formula).toBe('⌊(9 + 1 + 2 − 4) / 1⌋ + 1 = 9')
  })

  it('fills defaults, and a pool stride defaults to its size', () => {
    const spec = parseNetworkSpec(net([1, 9, 9], [{ type: 'maxpool2d', size: 3 }, { type: 'conv2d', filters: 1, kernel: 1 }]))
    expect(spec.layers[0]).toEqual({ type: 'maxpool2d', size: 3, stride: 3, padding: 0 })
    expect(spec.layers[1]).toEqual({ type: 'conv2d', filters: 1, kernel: 1, stride: 1, padding: 'valid', bias: true, init: 'auto' })
  })

  it('has a registry whose keys match the definitions, each with a group, title, summary and documented fields', () => {
    expect(LAYER_TYPES.length).toBe(21)
    for (const [key, def] of Object.entries(layerRegistry)) {
      expect(def.type).toBe(key)
      expect(def.title.length).toBeGreaterThan(2)
      expect(def.summary.length).toBeGreaterThan(10)
      for (const field of Object.values(def.fields)) expect(field.doc.length).toBeGreaterThan(5)
    }
  })
})
