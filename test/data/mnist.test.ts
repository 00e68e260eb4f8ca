import { describe, it, expect, beforeAll } from 'vitest'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { classCounts, type Dataset } from '../../src-engine/data/dataset'
import { encodeIdx } from '../../src-engine/data/idx'
import { defaultResourcesDir, loadBundledMnist, loadIdxDataset } from '../../src-engine/node/load-dataset'

const datasetsDir = fileURLToPath(new URL('../../resources/datasets/', import.meta.url))
const files = ['images-idx3-ubyte.gz', 'labels-idx1-ubyte.gz']

async function readme(): Promise<string> {
  return readFile(join(datasetsDir, 'README.md'), 'utf8')
}

/** The "| digit | count |" rows of the README's samples-per-class table. */
function readmeCounts(text: string): number[] {
  const section = text.slice(text.indexOf('### Samples per class'))
  const counts: number[] = []
  for (const m of section.matchAll(/^\| (\d) \| (\d+) \|$/gm)) counts[Number(m[1])] = Number(m[2])
  return counts
}

/** The SHA-256 the README lists for a file (the table row naming it). */
function readmeSha(text: string, file: string): string | undefined {
  const row = text.split('\n').find((line) => line.startsWith('|') && line.includes(`/${file}\``))
  return row?.match(/`([0-9a-f]{64})`/)?.[1]
}

describe('bundled MNIST', () => {
  let ds: Dataset

  beforeAll(async () => {
    ds = await loadBundledMnist()
  })

  it('holds 10,000 images of 28×28 with labels 0..9', () => {
    expect(ds.size).toBe(10000)
    expect(ds.inputShape).toEqual([1, 28, 28])
    expect(ds.images.length).toBe(10000 * 784)
    expect(ds.labels.length).toBe(10000)
    expect(ds.numClasses).toBe(10)
    expect(ds.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
    expect(Math.min(...ds.labels)).toBe(0)
    expect(Math.max(...ds.labels)).toBe(9)
  })

  it('has the class counts the README lists', async () => {
    const counts = readmeCounts(await readme())
    expect(counts).toHaveLength(10)
    expect(classCounts(ds)).toEqual(counts)
  })

  it('has whole-number pixels covering 0..255', () => {
    let min = 255
    let max = 0
    let nonInteger = 0
    for (let i = 0; i < ds.images.length; i++) {
      const v = ds.images[i]
      if (v < min) min = v
      if (v > max) max = v
      if (!Number.isInteger(v)) nonInteger++
    }
    expect(min).toBe(0)
    expect(max).toBe(255)
    expect(nonInteger).toBe(0)
  })

  it('looks like digits: dark borders, ink in the middle', () => {
    let border = 0
    let centre = 0
    for (let n = 0; n < ds.size; n++) {
      const img = ds.images.subarray(n * 784, (n + 1) * 784)
      border += img[0] + img[27] + img[27 * 28] + img[783]
      centre += img[14 * 28 + 14]
    }
    expect(border).toBe(0)
    expect(centre / ds.size).toBeGreaterThan(50)
  })

  it("the gz files' SHA-256 match the README", async () => {
    const text = await readme()
    for (const file of files) {
      const bytes = await readFile(join(datasetsDir, 'mnist-10k', file))
      const expected = readmeSha(text, file)
      expect(expected, `README lists a SHA-256 for ${file}`).toMatch(/^[0-9a-f]{64}$/)
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(expected)
    }
  })

  it('finds resources/ from the source file by default', () => {
    expect(join(defaultResourcesDir(), 'datasets', 'README.md')).toBe(join(datasetsDir, 'README.md'))
  })
})

describe('loadIdxDataset', () => {
  it('loads uncompressed files too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tatami-idx-'))
    try {
      const images = join(dir, 'img.idx')
      const labels = join(dir, 'lab.idx')
      await writeFile(images, encodeIdx({ type: 'uint8', dims: [2, 2, 2], data: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]) }))
      await writeFile(labels, encodeIdx({ type: 'uint8', dims: [2], data: Uint8Array.from([1, 0]) }))
      const ds = await loadIdxDataset(images, labels, 'tiny')
      expect(ds.name).toBe('tiny')
      expect(ds.size).toBe(2)
      expect(Array.from(ds.labels)).toEqual([1, 0])
    } finally {
      await rm(dir, { recursive: true })
    }
  })

  it('errors name the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tatami-idx-'))
    try {
      const images = join(dir, 'img.idx')
      const labels = join(dir, 'lab.idx')
      await writeFile(images, Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]))
      await writeFile(labels, encodeIdx({ type: 'uint8', dims: [1], data: Uint8Array.from([0]) }))
      await expect(loadIdxDataset(images, labels, 'bad')).rejects.toThrow(`${images}: truncated: expected 5 bytes`)
      await expect(loadIdxDataset(join(dir, 'missing.gz'), labels, 'bad')).rejects.toThrow(
        `cannot read ${join(dir, 'missing.gz')}: `
      )
      await writeFile(images, encodeIdx({ type: 'uint8', dims: [2, 1, 1], data: Uint8Array.from([0, 1]) }))
      await expect(loadIdxDataset(images, labels, 'bad')).rejects.toThrow(`${images} has 2 items but ${labels} has 1`)
    } finally {
      await rm(dir, { recursive: true })
    }
  })
})
