import { describe, expect, it } from 'vitest'
import { LAYER_TYPES } from '../../src-engine/layers/registry'
import { CASES } from './layer-cases'
import { exportOnnx } from '../../src-engine/export/onnx'
import { engineForward, maxAbsDiff, modelOf, ortForward, randomInput, randomNetwork } from './export-helpers'

describe('ONNX export: every layer type alone matches the engine in onnxruntime', () => {
  it('covers every layer type the engine has', () => {
    const covered = new Set(CASES.flatMap((c) => c.layers.map((l) => l.type)))
    expect(LAYER_TYPES.filter((t) => !covered.has(t))).toEqual([])
  })

  for (const c of CASES) {
    it(c.name, async () => {
      const net = randomNetwork({ version: 1, input: { shape: c.input }, layers: c.layers })
      const bytes = exportOnnx(modelOf(net))
      for (const batch of [1, 5]) {
        const x = randomInput(c.input, batch, batch)
        const expected = engineForward(net, x, batch)
        const got = await ortForward(bytes, x, c.input, batch)
        expect(got.dims).toEqual([batch, ...net.outputShape])
        expect(maxAbsDiff(got.data, expected)).toBeLessThan(1e-4)
      }
    })
  }
})
