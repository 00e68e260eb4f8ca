/** Helpers shared by the importers. */
import { readdir, stat } from 'node:fs/promises'
import type { Dataset } from '../../../src-engine/data/dataset'
import { DatasetImportError } from '../dataset-library'

/** A Dataset from uint8 NCHW pixels and labels that the importer has already range-checked. */
export function makeDataset(name: string, shape: [number, number, number], pixels: Uint8Array, labels: ArrayLike<number>, classNames: string[]): Dataset {
  return {
    name,
    inputShape: shape,
    numClasses: classNames.length,
    classNames: classNames.slice(),
    images: Float32Array.from(pixels),
    labels: Int32Array.from(labels),
    size: labels.length
  }
}

/**
 * Class names: the given ones (then every label must be below their count), else "0".."max".
 * `where(i)` names the file and row of label i for the error message.
 */
export function resolveClasses(labels: ArrayLike<number>[], where: ((i: number) => string)[], names?: string[]): string[] {
  let max = -1
  labels.forEach((ls) => {
    for (let i = 0; i < ls.length; i++) if (ls[i] > max) max = ls[i]
  })
  if (names === undefined) {
    if (max > 255) throw new DatasetImportError(`labels go up to ${max}; at most 256 classes are supported`)
    return Array.from({ length: max + 1 }, (_, i) => String(i))
  }
  if (names.length < 1 || names.length > 256) throw new DatasetImportError(`${names.length} class names given; 1 to 256 are supported`)
  labels.forEach((ls, k) => {
    for (let i = 0; i < ls.length; i++) {
      if (ls[i] >= names.length) {
        throw new DatasetImportError(`${where[k](i)}: label ${ls[i]} is out of range: there are ${names.length} classes (0..${names.length - 1})`)
      }
    }
  })
  return names.slice()
}

export async function requireDirectory(path: string, what: string): Promise<void> {
  const s = await stat(path).catch(() => null)
  if (!s) throw new DatasetImportError(`${path}: no such ${what}`)
  if (!s.isDirectory()) throw new DatasetImportError(`${path}: not a folder (expected a ${what})`)
}

export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => e.name).sort()
}

export async function listDirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort()
}
