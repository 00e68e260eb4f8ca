import { describe, expect, it } from 'vitest'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatasetLibrary } from '../../src-main/data/dataset-library'
import { importIdx } from '../../src-main/data/importers/idx'
import { datasetHash } from '../../src-engine/node/dataset-files'
import { loadDataset } from '../../src-engine/node/builtin-datasets'
import { generate, tempDir, writeIdxFolder } from './fixtures'

describe('dataset library', () => {
  it('stores a dataset under its content hash, lists it with class counts, loads it back and removes it', async () => {
    const lib = new DatasetLibrary(join(tempDir(), 'datasets'))
    expect(await lib.list()).toEqual([])
    const imported = await importIdx(writeIdxFolder(join(tempDir(), 'src'), true), { title: 'Blocks', classes: ['a', 'b', 'c', 'd'] })
    const { manifest, added } = await lib.add(imported)
    expect(added).toBe(true)
    expect(manifest.hash).toBe(datasetHash(imported.train, imported.test))
    expect(manifest.id).toBe(manifest.hash.slice(0, 12))
    expect(manifest).toMatchObject({ title: 'Blocks', format: 'idx', shape: [1, 8, 8], classes: ['a', 'b', 'c', 'd'], counts: { train: 40, test: 12 } })
    expect(manifest.perClass).toEqual({ train: [10, 10, 10, 10], test: [3, 3, 3, 3] })
    expect((await lib.list()).map((m) => m.id)).toEqual([manifest.id])
    expect(readdirSync(lib.root).sort()).toEqual([manifest.id])

    // Same content again: not stored twice.
    const again = await lib.add({ ...imported, title: 'Other title' })
    expect(again.added).toBe(false)
    expect(again.manifest.title).toBe('Blocks')

    const train = await lib.load(manifest.id, 'train')
    expect(Array.from(train.images)).toEqual(Array.from(imported.train.images))
    expect(Array.from(train.labels)).toEqual(Array.from(imported.train.labels))
    const test = await lib.load(manifest.id, 'test')
    expect(test.size).toBe(12)

    // The engine resolves the id in the library folder, with the same hash.
    const loaded = await loadDataset(manifest.id, { datasetsDir: lib.root })
    expect(loaded.hash).toBe(manifest.hash)
    expect(loaded.dataset.size).toBe(40)

    const samples = await lib.samples(manifest.id, 2)
    expect(samples.samples.map((s) => s.label)).toEqual([0, 0, 1, 1, 2, 2, 3, 3])
    expect(samples.samples[0].pixels).toHaveLength(64)
    expect(samples.samples[0].pixels).toEqual(Array.from(train.images.subarray(0, 64)))

    expect(await lib.remove(manifest.id)).toBe(true)
    expect(await lib.remove(manifest.id)).toBe(false)
    expect(await lib.list()).toEqual([])
    expect(readdirSync(lib.root)).toEqual([])
    await expect(loadDataset(manifest.id, { datasetsDir: lib.root })).rejects.toThrow(/unknown dataset .* not in the dataset library/)
  })

  it('gives different ids to different content and the built-in datasets stable hashes', async () => {
    const a = datasetHash((await importIdx(writeIdxFolder(join(tempDir(), 'a'), false))).train)
    const b = datasetHash((await importIdx(writeIdxFolder(join(tempDir(), 'b'), false, generate(40, 4, [1, 8, 8], 99)))).train)
    expect(a).not.toBe(b)
    const shapes1 = await loadDataset('shapes')
    const shapes2 = await loadDataset('shapes')
    expect(shapes1.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(shapes2.hash).toBe(shapes1.hash)
    expect(datasetHash(shapes1.dataset)).toBe(shapes1.hash)
  })

  it('refuses pixels that are not bytes before writing anything', async () => {
    const root = join(tempDir(), 'datasets')
    const lib = new DatasetLibrary(root)
    const imported = await importIdx(writeIdxFolder(join(tempDir(), 'src'), false))
    imported.train.images[5] = 300
    await expect(lib.add(imported)).rejects.toThrow(/pixel 5 of image 0 is 300/)
    expect(existsSync(root) ? readdirSync(root) : []).toEqual([])
  })

  it('skips folders without a readable manifest', async () => {
    const lib = new DatasetLibrary(join(tempDir(), 'datasets'))
    const { manifest } = await lib.add(await importIdx(writeIdxFolder(join(tempDir(), 'src'), false)))
    writeFileSync(join(lib.root, manifest.id, 'manifest.json'), '{"broken": true}')
    expect(await lib.list()).toEqual([])
  })
})
