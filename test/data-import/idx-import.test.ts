import { describe, expect, it } from 'vitest'
import { readdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { DatasetLibrary } from '../../src-main/data/dataset-library'
import { importDataset } from '../../src-main/data/datasets'
import { importIdx } from '../../src-main/data/importers/idx'
import { generate, idxImages, idxLabels, tempDir, trainFewSteps, writeIdxFolder } from './fixtures'

function libraryUnchanged(lib: DatasetLibrary): string[] {
  return existsSync(lib.root) ? readdirSync(lib.root) : []
}

describe('IDX import', () => {
  for (const gz of [false, true]) {
    it(`imports ${gz ? 'gzipped' : 'raw'} MNIST-style files with their test split and trains on them`, async () => {
      const g = generate(40, 4, [1, 8, 8])
      const dir = writeIdxFolder(join(tempDir(), 'mnist-like'), gz, g)
      const data = await importIdx(dir)
      expect(data.title).toBe('mnist-like')
      expect(data.train.inputShape).toEqual([1, 8, 8])
      expect(data.train.classNames).toEqual(['0', '1', '2', '3'])
      expect(Array.from(data.train.images)).toEqual(Array.from(g.pixels))
      expect(Array.from(data.train.labels)).toEqual(Array.from(g.labels))
      expect(data.test?.size).toBe(12)
      const events = await trainFewSteps(data.train)
      const steps = events.filter((e) => e.type === 'step')
      expect(steps.length).toBe(2 * Math.ceil(32 / 8))
      expect(steps.every((s) => s.type === 'step' && Number.isFinite(s.loss))).toBe(true)
      const done = events.at(-1)
      expect(done?.type === 'done' && done.outcome).toBe('completed')
    })
  }

  it('reads EMNIST-style names, and transposes when asked', async () => {
    const dir = tempDir()
    const g = generate(6, 2, [1, 4, 3])
    writeFileSync(join(dir, 'emnist-letters-train-images-idx3-ubyte.gz'), gzipSync(idxImages(g)))
    writeFileSync(join(dir, 'emnist-letters-train-labels-idx1-ubyte.gz'), gzipSync(idxLabels(g)))
    const plain = await importIdx(dir)
    const flipped = await importIdx(dir, { transpose: true })
    expect(plain.train.inputShape).toEqual([1, 4, 3])
    expect(flipped.train.inputShape).toEqual([1, 3, 4])
    // pixel (y, x) of the original is pixel (x, y) of the transposed image
    expect(flipped.train.images[1 * 4 + 2]).toBe(plain.train.images[2 * 3 + 1])
    expect(plain.test).toBeNull()
  })

  it('names the file for a truncated IDX file (raw and gzipped) and imports nothing', async () => {
    const lib = new DatasetLibrary(join(tempDir(), 'datasets'))
    const raw = writeIdxFolder(join(tempDir(), 'raw'), false)
    const imagesPath = join(raw, 'train-images-idx3-ubyte')
    const bytes = readFileSync(imagesPath)
    writeFileSync(imagesPath, bytes.subarray(0, bytes.length - 100))
    await expect(importDataset({ format: 'idx', path: raw }, lib)).rejects.toThrow(
      new RegExp(`${imagesPath}: truncated: expected 2560 bytes of data after the 16-byte header, found 2460`)
    )
    const gz = writeIdxFolder(join(tempDir(), 'gz'), true)
    const labelsPath = join(gz, 't10k-labels-idx1-ubyte.gz')
    const gzBytes = readFileSync(labelsPath)
    writeFileSync(labelsPath, gzBytes.subarray(0, gzBytes.length - 10))
    await expect(importDataset({ format: 'idx', path: gz }, lib)).rejects.toThrow(new RegExp(`${labelsPath}: truncated gzip data`))
    expect(libraryUnchanged(lib)).toEqual([])
  })

  it('names file and index of a label out of range, and mismatched counts', async () => {
    const lib = new DatasetLibrary(join(tempDir(), 'datasets'))
    const g = generate(40, 4, [1, 8, 8])
    g.labels[17] = 9
    const dir = writeIdxFolder(join(tempDir(), 'bad-label'), true, g)
    await expect(importDataset({ format: 'idx', path: dir, classes: ['a', 'b', 'c', 'd'] }, lib)).rejects.toThrow(
      new RegExp(`${join(dir, 'train-labels-idx1-ubyte.gz')} index 17: label 9 is out of range: there are 4 classes \\(0..3\\)`)
    )
    const short = generate(40, 4, [1, 8, 8])
    const dir2 = writeIdxFolder(join(tempDir(), 'counts'), false, short)
    writeFileSync(join(dir2, 'train-labels-idx1-ubyte'), idxLabels({ ...short, labels: short.labels.subarray(0, 39) }))
    await expect(importDataset({ format: 'idx', path: dir2 }, lib)).rejects.toThrow(/holds 40 images but .*train-labels-idx1-ubyte holds 39 labels/)
    expect(libraryUnchanged(lib)).toEqual([])
  })

  it('says which files are missing', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxImages(generate(4, 2, [1, 4, 4])))
    await expect(importIdx(dir)).rejects.toThrow(/expected a training images and a training labels IDX file/)
  })
})
