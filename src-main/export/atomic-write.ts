/**
 * Exports are written atomically: into a temporary file (or folder) next to the destination, flushed to
 * disk, then renamed over it. A failed or interrupted export leaves the destination as it was and no
 * half-written file behind.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'

function tempName(path: string, what: string): string {
  return join(dirname(path), `.${basename(path)}.${what}-${randomBytes(4).toString('hex')}`)
}

function writeAndSync(path: string, data: Uint8Array): void {
  const fd = openSync(path, 'wx')
  try {
    let off = 0
    while (off < data.length) off += writeSync(fd, data, off, data.length - off)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Flushes a directory entry (the rename) where the platform allows it. */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // Windows cannot open directories; the rename is still atomic there.
  }
}

/** Writes bytes to `path` through a temp file in the same folder and a rename. Returns the byte count. */
export function writeFileAtomic(path: string, data: Uint8Array): number {
  mkdirSync(dirname(path), { recursive: true })
  if (isDirectory(path)) throw new Error(`cannot write ${path}: it is a folder`)
  const tmp = tempName(path, 'tmp')
  try {
    writeAndSync(tmp, data)
    renameSync(tmp, path)
  } catch (err) {
    rmSync(tmp, { force: true })
    throw err
  }
  syncDir(dirname(path))
  return data.length
}

/**
 * Writes the files into a temp folder next to `dir`, then renames it to `dir`. An existing folder
 * at `dir` is moved aside first and removed only after the new one is in place. Returns the byte count.
 */
export function writeFolderAtomic(dir: string, files: readonly { name: string; data: Uint8Array }[]): number {
  mkdirSync(dirname(dir), { recursive: true })
  const exists = pathExists(dir)
  if (exists && !isDirectory(dir)) throw new Error(`cannot write the folder ${dir}: a file of that name exists`)
  const tmp = tempName(dir, 'tmp')
  let bytes = 0
  try {
    mkdirSync(tmp)
    for (const f of files) {
      if (f.name.includes('/') || f.name.includes('\\') || f.name.startsWith('.')) throw new Error(`bad export file name ${f.name}`)
      writeAndSync(join(tmp, f.name), f.data)
      bytes += f.data.length
    }
    syncDir(tmp)
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true })
    throw err
  }
  const old = exists ? tempName(dir, 'old') : null
  try {
    if (old) renameSync(dir, old)
    renameSync(tmp, dir)
  } catch (err) {
    if (old && !pathExists(dir)) renameSync(old, dir)
    rmSync(tmp, { recursive: true, force: true })
    throw err
  }
  if (old) rmSync(old, { recursive: true, force: true })
  syncDir(dirname(dir))
  return bytes
}

function pathExists(path: string): boolean {
  try {
    statSync(path)
    return true
  } catch {
    return false
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
