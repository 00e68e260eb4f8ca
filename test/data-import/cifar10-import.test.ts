import { describe, expect, it } from 'vitest'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatasetLibrary } from '../../src-main/data/dataset-library'
import { importDataset } from '../../src-main/data/datasets'
import { importCifar10 } from '../../src-main/data/importers/cifar10'
import { cifarBatch, generate, tempDir, trainFewSteps, writeCifarFolder } from './fixtures'

describe('CIFAR-10 import', () => {
  it('imports binary batches as 32×32 RGB with the test batch and class names, and trains a 3-channel network (with augmentation)', async () => {
    const dir = writeCifarFolder(join(tempDir(), 'cifar-10-batches-bin'))
    const data = await importCifar10(dir)
    expect(data.train.inputShape).toEqual([3, 32, 32])
    expect(data.train.size).toBe(40)
    expect(data.test?.size).toBe(8)
    expect(data.train.classNames).toEqual(['airplane', 'automobile', 'bird', 'cat'])
    // Second batch follows the first; planes stay R, G, B.
    const g2 = generate(20, 4, [3, 32, 32], 2)
    expect(Array.from(data.train.images.subarray(20 * 3072, 21 * 3072))).toEqual(Array.from(g2.pixels.subarray(0, 3072)))
    const events = await trainFewSteps(data.train, 2, { shift: 2 })
    const steps = events.filter((e) => e.type === 'step')
    expect(steps.length).toBe(2 * 4)
    expect(steps.every((s) => s.type === 'step' && Number.isFinite(s.loss))).toBe(true)
    expect(events.at(-1)?.type === 'done').toBe(true)
  })

  it('names the file and record of a cut-off batch and a label out of range; imports nothing', async () => {
    const lib = new DatasetLibrary(join(tempDir(), 'datasets'))
    const dir = writeCifarFolder(join(tempDir(), 'cut'))
    const p = join(dir, 'data_batch_2.bin')
    writeFileSync(p, readFileSync(p).subarray(0, 3073 * 5 + 100))
    await expect(importDataset({ format: 'cifar10', path: dir }, lib)).rejects.toThrow(
      `${p}: 15465 bytes is not a whole number of 3073-byte records: record 5 is cut off after 100 bytes`
    )
    const dir2 = writeCifarFolder(join(tempDir(), 'label'))
    const g = generate(8, 4, [3, 32, 32], 3)
    g.labels[6] = 4
    writeFileSync(join(dir2, 'test_batch.bin'), cifarBatch(g))
    await expect(importDataset({ format: 'cifar10', path: dir2 }, lib)).rejects.toThrow(
      `${join(dir2, 'test_batch.bin')} record 6: label 4 is out of range: there are 4 classes (0..3)`
    )
    const g3 = generate(20, 4, [3, 32, 32], 2)
    g3.labels[13] = 200
    writeFileSync(join(dir2, 'data_batch_2.bin'), cifarBatch(g3))
    await expect(importDataset({ format: 'cifar10', path: dir2 }, lib)).rejects.toThrow(`${join(dir2, 'data_batch_2.bin')} record 13: label 200 is out of range`)
    expect(existsSync(lib.root) ? readdirSync(lib.root) : []).toEqual([])
  })
})
