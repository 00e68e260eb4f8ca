import { describe, expect, it } from 'vitest'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatasetLibrary } from '../../src-main/data/dataset-library'
import { importDataset } from '../../src-main/data/datasets'
import { importCsv } from '../../src-main/data/importers/csv'
import { csvText, generate, tempDir, trainFewSteps } from './fixtures'

describe('CSV import', () => {
  for (const header of [true, false]) {
    it(`imports label,pixel rows ${header ? 'with' : 'without'} a header (detected) and trains on them`, async () => {
      const g = generate(40, 4, [1, 6, 6])
      const path = join(tempDir(), 'train.csv')
      writeFileSync(path, csvText(g, header))
      const data = await importCsv(path)
      expect(data.title).toBe('train')
      expect(data.train.size).toBe(40)
      expect(data.train.inputShape).toEqual([1, 6, 6])
      expect(Array.from(data.train.images)).toEqual(Array.from(g.pixels))
      expect(Array.from(data.train.labels)).toEqual(Array.from(g.labels))
      const events = await trainFewSteps(data.train, 1)
      expect(events.filter((e) => e.type === 'step').length).toBe(4)
      expect(events.at(-1)?.type).toBe('done')
    })
  }

  it('takes a test CSV and RGB planes with channels 3', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'train.csv'), csvText(generate(16, 2, [3, 4, 4]), false))
    writeFileSync(join(dir, 'test.csv'), csvText(generate(6, 2, [3, 4, 4], 5), true))
    const data = await importCsv(join(dir, 'train.csv'), { channels: 3, testPath: join(dir, 'test.csv'), classes: ['left', 'right'] })
    expect(data.train.inputShape).toEqual([3, 4, 4])
    expect(data.test?.size).toBe(6)
    expect(data.train.classNames).toEqual(['left', 'right'])
  })

  it('names file and line for a row of the wrong length, a bad pixel and a label out of range; imports nothing', async () => {
    const lib = new DatasetLibrary(join(tempDir(), 'datasets'))
    const dir = tempDir()
    const g = generate(10, 2, [1, 4, 4])
    const lines = csvText(g, true).trim().split('\n')
    const write = (name: string, ls: string[]) => {
      writeFileSync(join(dir, name), ls.join('\n') + '\n')
      return join(dir, name)
    }
    const short = lines.slice()
    short[4] = short[4].split(',').slice(0, 15).join(',')
    const p1 = write('short.csv', short)
    await expect(importDataset({ format: 'csv', path: p1 }, lib)).rejects.toThrow(`${p1} line 5: expected 17 values (a label and 16 pixels), found 15`)
    const pixel = lines.slice()
    pixel[3] = pixel[3].replace(/,[^,]*$/, ',256')
    const p2 = write('pixel.csv', pixel)
    await expect(importDataset({ format: 'csv', path: p2 }, lib)).rejects.toThrow(`${p2} line 4: pixel 15 is "256"; expected a whole number from 0 to 255`)
    const label = lines.slice()
    label[7] = '5' + label[7].slice(1)
    const p3 = write('label.csv', label)
    await expect(importDataset({ format: 'csv', path: p3, classes: ['a', 'b'] }, lib)).rejects.toThrow(`${p3} line 8: label 5 is out of range: there are 2 classes (0..1)`)
    const p4 = write('square.csv', ['1,2,3,4'])
    await expect(importDataset({ format: 'csv', path: p4 }, lib)).rejects.toThrow(`${p4} line 1: 4 values: a label and 3 pixels, which is not a square side×side image`)
    await expect(importDataset({ format: 'csv', path: join(dir, 'nope.csv') }, lib)).rejects.toThrow(/nope.csv: no such CSV file/)
    expect(existsSync(lib.root) ? readdirSync(lib.root) : []).toEqual([])
  })
})
