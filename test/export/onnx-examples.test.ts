import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { exportOnnx, META, ONNX_OPSET } from '../../src-engine/export/onnx'
import { decodeOnnxModel } from '../../src-engine/export/onnx-proto'
import { engineForward, maxAbsDiff, modelOf, ortForward, randomInput, randomNetwork } from './export-helpers'

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples')
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'))

describe('ONNX export of every example network', () => {
  it('finds the examples', () => expect(files.length).toBeGreaterThanOrEqual(5))

  for (const file of files) {
    it(`${file}: onnxruntime output equals the engine's (batch 1 and 5)`, async () => {
      const experiment = JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as { network: unknown; training: unknown }
      const net = randomNetwork(experiment.network as never, 3, true)
      const bytes = exportOnnx(modelOf(net))
      for (const batch of [1, 5]) {
        const x = randomInput(net.inputShape, batch, 11 + batch)
        const got = await ortForward(bytes, x, net.inputShape, batch)
        expect(got.dims).toEqual([batch, ...net.outputShape])
        expect(maxAbsDiff(got.data, engineForward(net, x, batch))).toBeLessThan(1e-4)
      }
    })
  }
})

describe('ONNX model structure', () => {
  const net = randomNetwork({ version: 1, name: 'meta test', input: { shape: [1, 6, 6] }, layers: [{ type: 'conv2d', filters: 2, kernel: 3 }, { type: 'batchnorm' }, { type: 'flatten' }, { type: 'dense', units: 3 }] })
  const training = { version: 1 as const, dataset: { id: 'shapes' }, epochs: 2, batchSize: 8, optimizer: { type: 'adam' as const, lr: 0.01 }, loss: 'cross_entropy' as const, seed: 4 }
  const model = decodeOnnxModel(
    exportOnnx(modelOf(net, { training, summary: { bestValAccuracy: 0.75, epochsCompleted: 2 }, normalizer: { kind: 'minmax', range: [0, 1], min: 0, max: 255 } }))
  )

  it('declares opset 17 and a symbolic batch dimension on input and output', () => {
    expect(model.opsetImport).toEqual([{ domain: '', version: ONNX_OPSET }])
    expect(model.graph.input[0].type.tensorType.shape.dim).toMatchObject([{ dimParam: 'batch' }, { dimValue: 1 }, { dimValue: 6 }, { dimValue: 6 }])
    expect(model.graph.output[0].type.tensorType.shape.dim).toMatchObject([{ dimParam: 'batch' }, { dimValue: 3 }])
  })

  it('stores the NetworkSpec, training config, summary and normalizer in metadata_props', () => {
    const meta = Object.fromEntries(model.metadataProps.filter((p) => p.key !== META.format).map((p) => [p.key, JSON.parse(p.value)]))
    expect(model.metadataProps.find((p) => p.key === META.format)?.value).toBe('tatami-onnx/1')
    expect(meta[META.spec]).toEqual(net.spec)
    expect(meta[META.training]).toEqual(training)
    expect(meta[META.summary]).toEqual({ bestValAccuracy: 0.75, epochsCompleted: 2 })
    expect(meta[META.normalizer]).toEqual({ kind: 'minmax', range: [0, 1], min: 0, max: 255 })
    expect(meta[META.counters]).toEqual({ '1.num_batches_tracked': 7 })
  })

  it('names initializers after the PyTorch state_dict', () => {
    expect(model.graph.initializer.map((t) => t.name).sort()).toEqual(['0.bias', '0.weight', '1.bias', '1.running_mean', '1.running_var', '1.weight', '3.bias', '3.weight'])
  })
})
