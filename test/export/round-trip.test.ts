import { describe, expect, it } from 'vitest'
import { Trainer } from '../../src-engine/train/trainer'
import { prepareTrainData } from '../../src-engine/train/prepare-data'
import { makeShapesDataset } from '../../src-engine/data/shapes'
import { createNetwork, type Network } from '../../src-engine/network'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'
import { decodeTatamiModel, encodeTatamiModel, ModelFileError } from '../../src-engine/export/tatami-format'
import { exportOnnx } from '../../src-engine/export/onnx'
import { importOnnx } from '../../src-engine/export/onnx-import'
import { encodeOnnxModel, ONNX_FLOAT, ATTR_INTS } from '../../src-engine/export/onnx-proto'
import type { ExportedModel } from '../../src-engine/export/exported-model'
import { engineForward, maxAbsDiff, modelOf, randomInput, randomNetwork } from './export-helpers'

const spec: NetworkSpec = {
  version: 1,
  name: 'round trip',
  input: { shape: [1, 16, 16] },
  layers: [
    { type: 'conv2d', filters: 4, kernel: 3, padding: 'same' },
    { type: 'batchnorm' },
    { type: 'frelu' },
    { type: 'maxpool2d', size: 2 },
    { type: 'groupnorm', groups: 2 },
    { type: 'global_avgpool' },
    { type: 'dense', units: 4 },
    { type: 'softmax' }
  ]
}
const training: TrainConfig = {
  version: 1,
  dataset: { id: 'shapes', validationSize: 40 },
  epochs: 1,
  batchSize: 16,
  optimizer: { type: 'adam', lr: 0.01 },
  loss: 'cross_entropy',
  seed: 5
}

/** Trains a few steps on the shapes dataset: weights and batch-norm statistics move away from their init. */
function trainedModel(): { model: ExportedModel; trainer: Trainer } {
  const data = prepareTrainData(makeShapesDataset({ count: 120, seed: 2 }), training.dataset)
  const trainer = new Trainer(spec, training, data)
  const outcome = trainer.runToEnd()
  expect(outcome).toBe('completed')
  const weights = trainer.network.stateDict()
  expect(Array.from(weights['1.running_mean'].data).some((v) => v !== 0)).toBe(true)
  return { model: { spec: trainer.network.spec, weights, training, normalizer: trainer.normalizer, summary: { epochsCompleted: 1 }, source: { runName: 'test' } }, trainer }
}

function predictions(net: Network, x: Float32Array, batch: number): Float32Array {
  return engineForward(net, x, batch)
}

function networkFrom(model: ExportedModel): Network {
  const net = createNetwork(model.spec)
  net.loadStateDict(model.weights)
  return net
}

describe('export → import round trips', () => {
  const { model, trainer } = trainedModel()
  const x = randomInput([1, 16, 16], 6, 9)
  const expected = predictions(trainer.network, x, 6)

  it('Tatami file: train → export → import gives identical predictions and all the metadata', () => {
    const back = decodeTatamiModel(encodeTatamiModel(model))
    expect(back.spec).toEqual(model.spec)
    expect(back.training).toEqual(training)
    expect(back.normalizer).toEqual(trainer.normalizer)
    expect(back.summary).toEqual({ epochsCompleted: 1 })
    expect(back.source).toEqual({ runName: 'test' })
    expect(Array.from(predictions(networkFrom(back), x, 6))).toEqual(Array.from(expected))
  })

  it('ONNX file: train → export → import gives identical predictions', () => {
    const back = importOnnx(exportOnnx(model))
    expect(back.spec).toEqual(model.spec)
    expect(back.training).toEqual(training)
    expect(back.normalizer).toEqual(trainer.normalizer)
    expect(back.weights['1.num_batches_tracked'].data[0]).toBe(model.weights['1.num_batches_tracked'].data[0])
    expect(Array.from(predictions(networkFrom(back), x, 6))).toEqual(Array.from(expected))
  })
})

describe('Tatami file errors', () => {
  const bytes = encodeTatamiModel(modelOf(randomNetwork(spec)))

  it('a truncated file says so', () => {
    expect(() => decodeTatamiModel(bytes.subarray(0, bytes.length - 100))).toThrow(/corrupt or truncated \(checksum/)
    expect(() => decodeTatamiModel(bytes.subarray(0, 30))).toThrow(/truncated: the header announces \d+ bytes/)
  })

  it('a flipped byte in the weights is caught by the checksum', () => {
    const bad = bytes.slice()
    bad[bad.length - 20] ^= 0xff
    expect(() => decodeTatamiModel(bad)).toThrow(ModelFileError)
    expect(() => decodeTatamiModel(bad)).toThrow(/checksum 0x[0-9a-f]{8} does not match the stored 0x[0-9a-f]{8}/)
  })

  it('another file type is named as such', () => {
    expect(() => decodeTatamiModel(new TextEncoder().encode('{"not": "a model"}'))).toThrow(/not a Tatami model file/)
  })
})

describe('ONNX import refuses what Tatami did not write', () => {
  it('a foreign operator: "unsupported operator Resize at node N"', () => {
    const bytes = encodeOnnxModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      producerName: 'someone else',
      producerVersion: '1',
      graph: {
        name: 'g',
        node: [
          { opType: 'Relu', name: 'first', input: ['x'], output: ['a'], attribute: [] },
          { opType: 'Resize', name: 'upsample', input: ['a', '', 'scales'], output: ['y'], attribute: [{ name: 'mode', type: 3, s: new TextEncoder().encode('nearest') }] }
        ],
        initializer: [{ name: 'scales', dims: [4], dataType: ONNX_FLOAT, floatData: [1, 1, 2, 2] }],
        input: [{ name: 'x', type: { tensorType: { elemType: ONNX_FLOAT, shape: { dim: [{ dimValue: 1 }, { dimValue: 1 }, { dimValue: 4 }, { dimValue: 4 }] } } } }],
        output: [{ name: 'y', type: { tensorType: { elemType: ONNX_FLOAT, shape: { dim: [] } } } }]
      },
      metadataProps: []
    })
    expect(() => importOnnx(bytes)).toThrow('ONNX file: unsupported operator Resize at node 1 (upsample)')
  })

  it('supported operators without Tatami metadata: says only Tatami exports can be imported', () => {
    const bytes = encodeOnnxModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      producerName: 'x',
      producerVersion: '1',
      graph: {
        name: 'g',
        node: [{ opType: 'MaxPool', name: 'p', input: ['x'], output: ['y'], attribute: [{ name: 'kernel_shape', type: ATTR_INTS, ints: [2, 2] }] }],
        initializer: [],
        input: [],
        output: []
      },
      metadataProps: []
    })
    expect(() => importOnnx(bytes)).toThrow(/not exported by Tatami \(no tatami.network_spec in metadata_props\)/)
  })

  it('a graph edited after export no longer matches its spec', () => {
    const net = randomNetwork(spec)
    const bytes = exportOnnx(modelOf(net))
    // Turn FReLU's Max into an Add by rewriting the op_type field in the bytes (same length).
    const text = Buffer.from(bytes)
    const at = text.indexOf(Buffer.from('\x22\x03Max'))
    expect(at).toBeGreaterThan(0)
    text.write('Add', at + 2, 'latin1')
    expect(() => importOnnx(new Uint8Array(text))).toThrow(/graph does not match its tatami.network_spec at node \d+: expected Max, found Add/)
  })

  it('bytes that are not protobuf are refused', () => {
    expect(() => importOnnx(new TextEncoder().encode('hello, this is not onnx at all'))).toThrow(/not an ONNX model/)
  })

  it('every exported network re-imports with the same predictions (spot check against a fresh random net)', () => {
    const net = randomNetwork(spec, 21)
    const back = importOnnx(exportOnnx(modelOf(net)))
    const x = randomInput([1, 16, 16], 2, 4)
    expect(maxAbsDiff(predictions(networkFrom(back), x, 2), predictions(net, x, 2))).toBe(0)
  })
})
