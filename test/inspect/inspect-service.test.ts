/**
 * The inspect:* channels on a real store, a real engine process and a real inspector process: the
 * numbers behind each "look inside" view are checked against the engine itself.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorkbenchBackend, type WorkbenchBackend } from '../../src-main/services/workbench-service'
import type { RunRecord } from '../../src-main/store/types'
import { decodeStateDict } from '../../src-main/runs/run-sink'
import { createNetwork } from '../../src-engine/network'
import { makeShapesDataset } from '../../src-engine/data/shapes'
import { prepareTrainData } from '../../src-engine/train/prepare-data'
import { network, PROCESS_TEST_BACKEND, training } from '../runs/helpers'

let backend: WorkbenchBackend
let run: RunRecord
const insightEvents: { runId: number; epoch: number }[] = []
const split = prepareTrainData(makeShapesDataset({ count: 2000, seed: 0 }), training(2).dataset)
const validation = split.validation!

beforeAll(async () => {
  backend = startWorkbenchBackend({ dbPath: join(mkdtempSync(join(tmpdir(), 'tatami-inspect-')), 'tatami.sqlite'), backend: PROCESS_TEST_BACKEND })
  backend.service.events.on('run:insight', (e) => insightEvents.push(e))
  run = await backend.service.invoke('runs:start', { name: 'inspected', network, training: training(2) })
  expect(await backend.manager.settled(String(run.id))).toBe('completed')
}, 60_000)
afterAll(() => backend?.close())

const invoke: WorkbenchBackend['service']['invoke'] = (channel, raw) => backend.service.invoke(channel, raw)

describe('inspect channels', () => {
  it('overview: both epochs recorded, class names and shapes from the run', async () => {
    const o = await invoke('inspect:overview', { runId: run.id })
    expect(o).toEqual({ runId: run.id, epochs: [0, 1], weightEpochs: [0, 1], classes: expect.any(Array), inputShape: [1, 16, 16], validationSize: 200, hasFinal: true, hasBest: true, scoreKind: 'probability' })
    expect(o.classes).toHaveLength(4)
    // 'run:insight' told subscribers as each epoch's record was stored.
    expect(insightEvents).toEqual([
      { runId: run.id, epoch: 0 },
      { runId: run.id, epoch: 1 }
    ])
  })

  it('confusion: sums to the validation size, its trace is the epoch’s validation accuracy, rows are the true classes', async () => {
    const valAccuracy = await invoke('metrics:series', { runId: run.id, name: 'accuracy', split: 'val' })
    for (const epoch of [0, 1]) {
      const m = await invoke('inspect:confusion', { runId: run.id, epoch })
      expect(m.total).toBe(200)
      expect(m.counts.flat().reduce((a, b) => a + b)).toBe(200)
      expect(m.accuracy).toBeCloseTo(valAccuracy[epoch].value!, 12)
      const perClass = [0, 1, 2, 3].map((t) => Array.from(validation.labels).filter((l) => l === t).length)
      expect(m.counts.map((row) => row.reduce((a, b) => a + b))).toEqual(perClass)
      m.perClassAccuracy.forEach((a, t) => expect(a).toBeCloseTo(m.counts[t][t] / perClass[t], 12))
    }
  })

  it('samples: a cell lists exactly its samples with their true pixels; mistakes are sorted by confidence', async () => {
    const m = await invoke('inspect:confusion', { runId: run.id, epoch: 0 })
    const [t, p] = offDiagonalCell(m.counts) ?? [0, 0]
    const cell = await invoke('inspect:samples', { runId: run.id, epoch: 0, filter: { kind: 'cell', trueLabel: t, predicted: p }, limit: 500 })
    expect(cell.total).toBe(m.counts[t][p])
    expect(cell.samples).toHaveLength(m.counts[t][p])
    for (const s of cell.samples) {
      expect([s.label, s.predicted, s.top[0].label]).toEqual([t, p, p])
      expect(s.pixels).toEqual(Array.from(validation.images.subarray(s.index * 256, (s.index + 1) * 256)))
    }
    const mistakes = await invoke('inspect:samples', { runId: run.id, epoch: 0, filter: { kind: 'mistakes' }, limit: 500 })
    expect(mistakes.total).toBe(200 - m.counts.reduce((s, row, i) => s + row[i], 0))
    expect(mistakes.samples.every((s) => s.label !== s.predicted && s.top.length === 3)).toBe(true)
    const confidence = mistakes.samples.map((s) => s.top[0].score)
    expect(confidence).toEqual([...confidence].sort((a, b) => b - a))
    for (const s of mistakes.samples) expect(s.top[0].score).toBeGreaterThanOrEqual(s.top[1].score)
    const page = await invoke('inspect:samples', { runId: run.id, epoch: 0, filter: { kind: 'mistakes' }, offset: 1, limit: 2 })
    expect(page.samples.map((s) => s.index)).toEqual(mistakes.samples.slice(1, 3).map((s) => s.index))
  })

  it('filters: every conv layer’s kernels as stored, for an epoch and for the final weights', async () => {
    const final = decodeStateDict(backend.store.loadArtifact(run.id, 'final')!.bytes)
    const f = await invoke('inspect:filters', { runId: run.id, weights: 'final' })
    expect(f.banks).toHaveLength(1)
    expect(f.banks[0]).toMatchObject({ layer: 0, outChannels: 4, inChannels: 1, kernelH: 3, kernelW: 3 })
    expect(f.banks[0].weights).toEqual(Array.from(final['0.weight'].data))
    const first = await invoke('inspect:filters', { runId: run.id, weights: { epoch: 0 } })
    const last = await invoke('inspect:filters', { runId: run.id, weights: { epoch: 1 } })
    expect(last.banks[0].weights).toEqual(f.banks[0].weights)
    expect(first.banks[0].weights).not.toEqual(f.banks[0].weights)
  })

  it('forward: every layer’s output equals the engine’s, and the prediction matches what training recorded', async () => {
    const final = decodeStateDict(backend.store.loadArtifact(run.id, 'final')!.bytes)
    const engine = createNetwork(network)
    engine.loadStateDict(final)
    const index = 7
    const x = Float32Array.from(validation.images.subarray(index * 256, (index + 1) * 256), (v) => v / 255)
    const expected = engine.trace({ shape: [1, 1, 16, 16], data: x })
    const r = await invoke('inspect:forward', { runId: run.id, weights: 'final', input: { kind: 'sample', index } })
    expect(r.label).toBe(validation.labels[index])
    expect(r.layers.map((l) => [l.type, l.shape])).toEqual([['conv2d', [4, 14, 14]], ['relu', [4, 14, 14]], ['flatten', [784]], ['dense', [4]], ['softmax', [4]]])
    r.layers.forEach((l, i) => expect(l.values).toEqual(Array.from(expected[i].data)))
    expect(r.input).toEqual(Array.from(x))
    const cell = await invoke('inspect:samples', { runId: run.id, epoch: 1, filter: { kind: 'cell', trueLabel: r.label!, predicted: r.predicted }, limit: 500 })
    const recorded = cell.samples.find((s) => s.index === index)!
    expect(recorded.top[0].score).toBeCloseTo(r.scores[r.predicted], 5)
    // Raw pixels (a drawn image) take the same path: the same pixels give the same answer.
    const drawn = await invoke('inspect:forward', { runId: run.id, weights: { epoch: 1 }, input: { kind: 'pixels', pixels: Array.from(validation.images.subarray(index * 256, (index + 1) * 256)) } })
    expect(drawn.scores).toEqual(r.scores)
  })

  it('histograms: each parameter over both epochs, counting every value', async () => {
    const h = await invoke('inspect:histograms', { runId: run.id })
    expect(h.parameters.map((p) => [p.name, p.layerType, p.epochs.map((e) => e.epoch)])).toEqual([
      ['0.weight', 'conv2d', [0, 1]],
      ['0.bias', 'conv2d', [0, 1]],
      ['3.weight', 'dense', [0, 1]],
      ['3.bias', 'dense', [0, 1]]
    ])
    expect(h.parameters[0].epochs[0].weights.counts.reduce((a, b) => a + b)).toBe(36)
    expect(h.parameters[2].epochs[1].gradients.counts.reduce((a, b) => a + b)).toBe(4 * 784)
  })

  it('says what is missing and refuses bad requests, naming the field', async () => {
    await expect(invoke('inspect:confusion', { runId: run.id, epoch: 5 })).rejects.toThrow(/no record of epoch 6; recorded epochs: 1, 2/)
    await expect(invoke('inspect:overview', { runId: 9999 })).rejects.toMatchObject({ code: 'NotFound' })
    await expect(invoke('inspect:forward', { runId: run.id, weights: 'final', input: { kind: 'pixels', pixels: [1, 2, 3] } })).rejects.toThrow(/3 values, but the network takes 1×16×16 = 256/)
    await expect(invoke('inspect:forward', { runId: run.id, weights: 'final', input: { kind: 'sample', index: 200 } })).rejects.toThrow(/sample 200 does not exist/)
    await expect(invoke('inspect:filters', { runId: run.id, weights: 'latest' })).rejects.toThrow(/weights must be "final", "best" or \{"epoch": N\}/)
    await expect(invoke('inspect:samples', { runId: run.id, epoch: 0, filter: { kind: 'cell', trueLabel: 1 } })).rejects.toMatchObject({ code: 'BadRequest' })
  })

  it('survives a killed inspector: the request in flight fails clearly, the next one starts a new process', async () => {
    const client = backend.inspector
    await invoke('inspect:forward', { runId: run.id, weights: 'final', input: { kind: 'sample', index: 0 } })
    const launches = client.launches
    const pending = invoke('inspect:forward', { runId: run.id, weights: { epoch: 0 }, input: { kind: 'sample', index: 1 } })
    process.kill(client.pid!, 'SIGKILL')
    await expect(pending).rejects.toMatchObject({ code: 'Unavailable', message: expect.stringMatching(/inspector process exited \(SIGKILL\)/) })
    const again = await invoke('inspect:forward', { runId: run.id, weights: { epoch: 0 }, input: { kind: 'sample', index: 1 } })
    expect(again.layers).toHaveLength(5)
    expect(client.launches).toBe(launches + 1)
  })

  it('an epoch whose weights were thinned out keeps its confusion and mistakes, and says which epochs have weights', async () => {
    // What thinning a long run does to an epoch (the policy itself is tested with the store).
    backend.store.db.prepare('DELETE FROM epoch_weights WHERE run_id = ? AND epoch = 0').run(run.id)
    const o = await invoke('inspect:overview', { runId: run.id })
    expect([o.epochs, o.weightEpochs]).toEqual([[0, 1], [1]])
    expect((await invoke('inspect:confusion', { runId: run.id, epoch: 0 })).total).toBe(200)
    const missing = /run \d+ kept no weights of epoch 1 \(a long run keeps evenly spaced epochs\); epochs with weights: 2$/
    await expect(invoke('inspect:filters', { runId: run.id, weights: { epoch: 0 } })).rejects.toMatchObject({ code: 'NotFound', message: expect.stringMatching(missing) })
    await expect(invoke('inspect:forward', { runId: run.id, weights: { epoch: 0 }, input: { kind: 'sample', index: 1 } })).rejects.toMatchObject({ code: 'NotFound', message: expect.stringMatching(missing) })
    await expect(invoke('inspect:filters', { runId: run.id, weights: { epoch: 7 } })).rejects.toThrow(/no record of epoch 8; recorded epochs: 1, 2/)
  })
})

function offDiagonalCell(counts: number[][]): [number, number] | null {
  for (let t = 0; t < counts.length; t++) for (let p = 0; p < counts.length; p++) if (t !== p && counts[t][p] > 0) return [t, p]
  return null
}
