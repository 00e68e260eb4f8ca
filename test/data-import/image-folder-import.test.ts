import { describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { DatasetLibrary } from '../../src-main/data/dataset-library'
import { importDataset } from '../../src-main/data/datasets'
import { importImageFolder, previewImageFolder } from '../../src-main/data/importers/image-folder'
import { decodeBmp, encodeBmp } from '../../src-main/data/importers/bmp'
import { tempDir, trainFewSteps, writeImageFolder } from './fixtures'

describe('image folder import', () => {
  it('decodes PNG, JPEG and BMP class folders to RGB at the size asked, previews them, and trains a 3-channel network', async () => {
    const dir = join(tempDir(), 'pets')
    const g = await writeImageFolder(dir, 6, ['cat', 'dog', 'fish'], 16, ['png', 'jpeg', 'bmp'])
    const data = await importImageFolder(dir, { size: 16, channels: 3 })
    expect(data.title).toBe('pets')
    expect(data.train.classNames).toEqual(['cat', 'dog', 'fish'])
    expect(data.train.inputShape).toEqual([3, 16, 16])
    expect(data.train.size).toBe(18)
    expect(data.test).toBeNull()
    // Files are read class by class, sorted by name: img000 (png), img003 (png), img006 (png)... for class 0.
    const first = data.train.images.subarray(0, 3 * 256)
    expect(Array.from(first)).toEqual(Array.from(g.pixels.subarray(0, 3 * 256))) // PNG is lossless
    // A JPEG (img001 is class 1, the first dog) is close to the original.
    const dogIndex = 6
    const dog = data.train.images.subarray(dogIndex * 768, (dogIndex + 1) * 768)
    const orig = g.pixels.subarray(1 * 768, 2 * 768)
    let maxDiff = 0
    for (let i = 0; i < 768; i++) maxDiff = Math.max(maxDiff, Math.abs(dog[i] - orig[i]))
    expect(maxDiff).toBeLessThan(40)
    // The BMP (img002 is class 2, the first fish) is exact.
    const fish = data.train.images.subarray(12 * 768, 13 * 768)
    expect(Array.from(fish)).toEqual(Array.from(g.pixels.subarray(2 * 768, 3 * 768)))

    const preview = await previewImageFolder(dir, { size: 16, channels: 3, perClass: 2 })
    expect(preview.counts).toEqual([6, 6, 6])
    expect(preview.classes).toEqual(['cat', 'dog', 'fish'])
    expect(preview.samples.map((s) => s.label)).toEqual([0, 0, 1, 1, 2, 2])
    expect(preview.samples[0].pixels).toEqual(Array.from(first))

    const events = await trainFewSteps(data.train, 2, { shift: 1 })
    const steps = events.filter((e) => e.type === 'step')
    expect(steps.length).toBe(2 * 2)
    expect(steps.every((s) => s.type === 'step' && Number.isFinite(s.loss))).toBe(true)
  })

  it('resizes and converts to grayscale, and uses train/ and test/ folders as splits', async () => {
    const dir = join(tempDir(), 'split')
    await writeImageFolder(join(dir, 'train'), 4, ['a', 'b'], 20)
    await writeImageFolder(join(dir, 'test'), 2, ['a', 'b'], 20)
    const data = await importImageFolder(dir, { size: 10, channels: 1, title: 'Split' })
    expect(data.train.inputShape).toEqual([1, 10, 10])
    expect(data.train.size).toBe(8)
    expect(data.test?.size).toBe(4)
    // Grayscale of the sharp reference pipeline on the same file.
    const ref = await sharp(join(dir, 'train', 'a', 'img000.png')).resize(10, 10, { fit: 'fill' }).grayscale().raw().toBuffer()
    expect(Array.from(data.train.images.subarray(0, 100))).toEqual(Array.from(ref))
    const events = await trainFewSteps(data.train, 1)
    expect(events.at(-1)?.type).toBe('done')
  })

  it('names the image that will not decode and imports nothing', async () => {
    const lib = new DatasetLibrary(join(tempDir(), 'datasets'))
    const dir = join(tempDir(), 'broken')
    await writeImageFolder(dir, 3, ['x', 'y'], 8)
    const bad = join(dir, 'y', 'img003.png')
    writeFileSync(bad, Buffer.from('this is not a png'))
    await expect(importDataset({ format: 'image-folder', path: dir, size: 8 }, lib)).rejects.toThrow(new RegExp(`${bad}: cannot decode image`))
    const truncated = join(dir, 'y', 'img003.png')
    const good = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toBuffer()
    writeFileSync(truncated, good.subarray(0, good.length - 20))
    await expect(importDataset({ format: 'image-folder', path: dir, size: 8 }, lib)).rejects.toThrow(new RegExp(`${truncated}: cannot decode image`))
    expect(existsSync(lib.root) ? readdirSync(lib.root) : []).toEqual([])
  })

  it('refuses folders without class folders or images, and test classes that differ', async () => {
    const empty = tempDir()
    await expect(importImageFolder(empty)).rejects.toThrow(/no class folders/)
    mkdirSync(join(empty, 'cls'))
    await expect(importImageFolder(empty)).rejects.toThrow(/cls: no images/)
    const dir = join(tempDir(), 'mismatch')
    await writeImageFolder(join(dir, 'train'), 2, ['a', 'b'], 8)
    await writeImageFolder(join(dir, 'test'), 2, ['a', 'c'], 8)
    await expect(importImageFolder(dir)).rejects.toThrow(/class folders a, c differ from the training classes a, b/)
    renameSync(join(dir, 'test', 'c'), join(dir, 'test', 'b'))
    expect((await importImageFolder(dir)).test?.size).toBe(4)
  })

  it('decodes BMP files written by Pillow (24-bit, 32-bit, 8-bit paletted) to the pixels Pillow reports', () => {
    const dir = join(import.meta.dirname, 'bmp-fixtures')
    const expected = JSON.parse(readFileSync(join(dir, 'bmp-expected.json'), 'utf8')) as Record<string, number[]> & { width: number; height: number }
    for (const name of ['rgb24.bmp', 'rgba32.bmp', 'pal8.bmp']) {
      const img = decodeBmp(readFileSync(join(dir, name)))
      expect([name, img.width, img.height]).toEqual([name, expected.width, expected.height])
      expect([name, Array.from(img.data)]).toEqual([name, expected[name]])
    }
    expect(() => decodeBmp(readFileSync(join(dir, 'rgb24.bmp')).subarray(0, 80))).toThrow(/truncated BMP/)
  })

  it('BMP round trip', () => {
    const data = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 17) % 256)
    const back = decodeBmp(encodeBmp({ width: 5, height: 3, data }))
    expect(back.width).toBe(5)
    expect(back.height).toBe(3)
    expect(Array.from(back.data)).toEqual(Array.from(data))
  })
})
