/**
 * The training loop allocates nothing per step on the wasm kernels: after the first epoch (the
 * first batch, a partial last batch and a validation pass at another batch size have been seen),
 * the planned wasm memory, the tensors that overflowed it and the memory's size stay the same for
 * every later step, epoch and validation pass; within the first epoch they do not change after the
 * first step, the partial last batch included.
 */
import { describe, expect, it } from 'vitest'
import { Trainer } from '../../src-engine/train/trainer'
import { makeShapesDataset } from '../../src-engine/data/shapes'
import { prepareTrainData } from '../../src-engine/train/prepare-data'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { WasmKernels } from '../../src-engine/kernels/wasm/wasm-kernels'
import { kernelsFor } from '../helpers/backends'

const spec: NetworkSpec = {
  version: 1,
  input: { shape: [1, 16, 16] },
  layers: [
    { type: 'conv2d', filters: 6, kernel: 3, padding: 'same' },
    { type: 'batchnorm' },
    { type: 'relu' },
    { type: 'maxpool2d', size: 2 },
    { type: 'conv2d', filters: 8, kernel: 3, stride: 2 },
    { type: 'tanh' },
    { type: 'flatten' },
    { type: 'dropout', rate: 0.3 },
    { type: 'dense', units: 4 },
    { type: 'softmax' }
  ]
}

describe.each(['wasm-relaxed', 'wasm-relaxed-2t'] as const)('memory of a training run on %s', (backend) => {
  it('is planned once: nothing is allocated per step, across partial last batches and validation', () => {
    const kernels = kernelsFor(backend) as WasmKernels
    // 300 training images at batch 24: 12 full batches and a partial one of 12 per epoch.
    const data = prepareTrainData(makeShapesDataset({ count: 400, seed: 3 }), { id: 'shapes', validationSize: 100 })
    const trainer = new Trainer(spec, {
      version: 1, dataset: { id: 'shapes', validationSize: 100 }, epochs: 3, batchSize: 24,
      optimizer: { type: 'adam', lr: 0.005 }, loss: 'cross_entropy', seed: 5
    }, data, { kernels })
    const snapshot = () => {
      const s = kernels.stats()
      return [s.plannedBytes, s.overflowAllocations, kernels.memory.buffer.byteLength]
    }
    const afterStep: number[][][] = [[], [], []]
    const afterEpoch: number[][] = []
    let epoch = 0
    trainer.runToEnd((e) => {
      if (e.type === 'step') afterStep[epoch].push(snapshot())
      if (e.type === 'epoch') {
        afterEpoch.push(snapshot())
        epoch++
      }
    })
    expect(afterStep.map((s) => s.length)).toEqual([13, 13, 13])
    expect(afterEpoch).toHaveLength(3)
    expect(afterStep[0][0][0]).toBeGreaterThan(0)
    for (const s of afterStep[0]) expect(s).toEqual(afterStep[0][0])
    for (const s of [...afterStep[1], ...afterStep[2], ...afterEpoch.slice(1)]) expect(s).toEqual(afterEpoch[0])
    expect(afterEpoch[0][1]).toBe(0) // every tensor in wasm memory
  })
})

describe('buffers outgrown when the batch size changes', () => {
  it('go back to the wasm allocator and are handed out again (zeroed), with results unchanged', async () => {
    const { createNetwork } = await import('../../src-engine/network')
    const { jsKernels } = await import('../../src-engine/kernels/js/index')
    const { makeRandom } = await import('../helpers/random')
    const kernels = kernelsFor('wasm-relaxed') as WasmKernels
    const net = createNetwork(spec, { seed: 3, kernels })
    const ref = createNetwork(spec, { seed: 3, kernels: jsKernels })
    const rnd = makeRandom(9)
    const batch = (n: number) => {
      const data = new Float32Array(n * 256)
      for (let i = 0; i < data.length; i++) data[i] = rnd()
      return { shape: [n, 1, 16, 16], data }
    }
    // Small batches first, then a larger one: every slot grows and gives back its old storage.
    for (const n of [4, 2, 4, 16, 3, 16]) {
      const x = batch(n)
      const got = Array.from(net.forward(x, 'eval').data)
      const want = Array.from(ref.forward(x, 'eval').data)
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i])))
    }
    const s = kernels.stats()
    expect(s.releasedBytes).toBeGreaterThan(0)
    expect(s.reusedBytes).toBeGreaterThan(0)
    // Another pass at the largest batch plans nothing new.
    const before = s.plannedBytes
    net.forward(batch(16), 'eval')
    expect(kernels.stats().plannedBytes).toBe(before)
  })
})
