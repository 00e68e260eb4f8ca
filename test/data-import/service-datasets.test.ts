import { afterEach, describe, expect, it } from 'vitest'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { startWorkbenchBackend, type WorkbenchBackend } from '../../src-main/services/workbench-service'
import { tempDir, writeCifarFolder, writeIdxFolder, writeImageFolder } from './fixtures'

let backends: WorkbenchBackend[] = []
afterEach(() => {
  for (const b of backends) b.close()
  backends = []
})

function open(): WorkbenchBackend {
  const b = startWorkbenchBackend({ dbPath: join(tempDir('tatami-service-data-'), 'tatami.sqlite'), concurrency: 1 })
  backends.push(b)
  return b
}

const rgbNetwork = {
  version: 1 as const,
  input: { shape: [3, 32, 32] as [number, number, number] },
  layers: [
    { type: 'conv2d' as const, filters: 4, kernel: 3, stride: 2 },
    { type: 'relu' as const },
    { type: 'global_avgpool' as const },
    { type: 'dense' as const, units: 4 },
    { type: 'softmax' as const }
  ]
}

const trainingOn = (id: string) => ({
  version: 1 as const,
  dataset: { id, validationSize: 8 },
  epochs: 1,
  batchSize: 8,
  optimizer: { type: 'adam' as const, lr: 0.01 },
  loss: 'cross_entropy' as const,
  normalization: { kind: 'standardize' as const, perChannel: true },
  seed: 1
})

describe('workbench service: datasets', () => {
  it('imports CIFAR-10 batches, lists them with counts, serves samples, trains a run that records the content hash, and removes them', async () => {
    const b = open()
    const dir = writeCifarFolder(join(tempDir(), 'cifar'))
    const info = await b.service.invoke('datasets:import', { format: 'cifar10', path: dir, title: 'Tiny CIFAR' })
    expect(info).toMatchObject({ title: 'Tiny CIFAR', shape: [3, 32, 32], counts: { train: 40, test: 8 }, builtin: false, format: 'cifar10' })
    expect(info.perClass?.train).toEqual([10, 10, 10, 10])
    expect(info.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(existsSync(join(b.store.path, '..', 'datasets', info.id, 'manifest.json'))).toBe(true)

    const list = await b.service.invoke('datasets:list', {})
    expect(list.map((d) => d.id)).toEqual(['mnist-10k', 'shapes', info.id])
    const mnist = list[0]
    expect(mnist).toMatchObject({ builtin: true, shape: [1, 28, 28], counts: { train: 10000, test: 0 } })
    expect(mnist.hash).toMatch(/^[0-9a-f]{64}$/)

    const samples = await b.service.invoke('datasets:samples', { id: info.id, perClass: 3 })
    expect(samples.shape).toEqual([3, 32, 32])
    expect(samples.samples).toHaveLength(12)
    expect(samples.samples[0].pixels).toHaveLength(3072)
    await expect(b.service.invoke('datasets:samples', { id: 'abcdefabcdef', perClass: 3 })).rejects.toMatchObject({ code: 'NotFound' })

    const run = await b.service.invoke('runs:start', { network: rgbNetwork, training: trainingOn(info.id) })
    expect(run.training.dataset).toMatchObject({ id: info.id, hash: info.hash, title: 'Tiny CIFAR' })
    expect(await b.manager.settled(String(run.id))).toBe('completed')
    // Recorded as a hyperparameter too, so runs can be filtered by the exact data they saw.
    expect((await b.service.invoke('runs:list', { hyperparameters: { 'dataset.hash': info.hash! } })).total).toBe(1)
    const stored = await b.service.invoke('runs:get', { runId: run.id })
    expect(stored?.training.dataset.hash).toBe(info.hash)
    expect(stored?.summary?.epochsCompleted).toBe(1)

    // Built-in datasets are recorded by hash as well.
    const shapesRun = await b.service.invoke('runs:start', {
      network: { ...rgbNetwork, input: { shape: [1, 16, 16] } },
      training: { ...trainingOn('shapes'), epochs: 1, dataset: { id: 'shapes', validationSize: 1900 } }
    })
    expect(shapesRun.training.dataset.hash).toBe(list[1].hash)
    expect(await b.manager.settled(String(shapesRun.id))).toBe('completed')

    // A run pinned to other content is refused; an unknown dataset too.
    await expect(
      b.service.invoke('runs:start', { network: rgbNetwork, training: { ...trainingOn(info.id), dataset: { id: info.id, hash: 'f'.repeat(64) } } })
    ).rejects.toMatchObject({ code: 'Conflict' })
    await expect(b.service.invoke('runs:start', { network: rgbNetwork, training: trainingOn('0123456789ab') })).rejects.toMatchObject({ code: 'NotFound' })

    expect(await b.service.invoke('datasets:remove', { id: info.id })).toEqual({ removed: true })
    expect(await b.service.invoke('datasets:remove', { id: info.id })).toEqual({ removed: false })
    expect((await b.service.invoke('datasets:list', {})).map((d) => d.id)).toEqual(['mnist-10k', 'shapes'])
  })

  it('previews and imports an image folder; bad requests are refused with the field named', async () => {
    const b = open()
    const dir = join(tempDir(), 'imgs')
    await writeImageFolder(dir, 3, ['a', 'b'], 12)
    const preview = await b.service.invoke('datasets:preview', { path: dir, size: 8, channels: 3, perClass: 2 })
    expect(preview).toMatchObject({ shape: [3, 8, 8], classes: ['a', 'b'], counts: [3, 3] })
    expect(preview.samples).toHaveLength(4)
    const info = await b.service.invoke('datasets:import', { format: 'image-folder', path: dir, size: 8, channels: 1 })
    expect(info).toMatchObject({ shape: [1, 8, 8], counts: { train: 6, test: 0 }, classes: ['a', 'b'] })
    await expect(b.service.invoke('datasets:import', { format: 'png', path: dir })).rejects.toMatchObject({ name: 'BadRequest', message: /format must be one of/ })
    await expect(b.service.invoke('datasets:import', { format: 'image-folder', path: dir, channels: 2 })).rejects.toMatchObject({ name: 'BadRequest', message: /channels must be 1 or 3/ })
    await expect(b.service.invoke('datasets:download', { name: 'cifar100' })).rejects.toMatchObject({ name: 'BadRequest' })
    await expect(b.service.invoke('datasets:import', { format: 'idx', path: join(dir, 'nope') })).rejects.toMatchObject({ name: 'DatasetImportError', message: /no such folder/ })
  })

  it('downloads over HTTP with progress events (files served on 127.0.0.1 as the mirror)', async () => {
    const b = open()
    // Serve the real table's file names with content whose hashes do not match: the check must refuse them.
    const src = writeIdxFolder(join(tempDir(), 'src'), true)
    const server = http.createServer((req, res) => {
      const name = (req.url ?? '/').slice(1)
      const path = join(src, name)
      if (!existsSync(path)) return void res.writeHead(404).end()
      res.end(readFileSync(path))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
      const progress: number[] = []
      b.service.events.on('dataset:progress', (p) => progress.push(p.received))
      await expect(b.service.invoke('datasets:download', { name: 'mnist', mirror: base })).rejects.toThrow(/SHA-256 mismatch/)
      expect(progress.length).toBeGreaterThan(0)
      expect(readdirSync(join(b.store.path, '..', 'datasets', '.downloads', 'mnist'))).toEqual([])
    } finally {
      server.close()
    }
  })
})
