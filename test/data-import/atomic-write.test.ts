import { describe, expect, it, vi } from 'vitest'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

// Fails the manifest write (the last step before the rename) once, as a full disk would.
const failManifest = { on: false }
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>()
  return {
    ...actual,
    writeFile: (path: Parameters<typeof actual.writeFile>[0], ...rest: [Parameters<typeof actual.writeFile>[1]]) => {
      if (failManifest.on && String(path).endsWith('manifest.json')) return Promise.reject(new Error('ENOSPC: no space left on device'))
      return actual.writeFile(path, ...rest)
    }
  }
})

const { DatasetLibrary } = await import('../../src-main/data/dataset-library')
const { importIdx } = await import('../../src-main/data/importers/idx')
const { tempDir, writeIdxFolder } = await import('./fixtures')

describe('dataset library writes', () => {
  it('removes the half-written folder when a write fails, and a retry then succeeds', async () => {
    const lib = new DatasetLibrary(join(tempDir(), 'datasets'))
    const imported = await importIdx(writeIdxFolder(join(tempDir(), 'src'), true))
    failManifest.on = true
    await expect(lib.add(imported)).rejects.toThrow(/ENOSPC/)
    expect(readdirSync(lib.root)).toEqual([])
    expect(await lib.list()).toEqual([])
    failManifest.on = false
    const { manifest } = await lib.add(imported)
    expect(readdirSync(lib.root)).toEqual([manifest.id])
  })
})
