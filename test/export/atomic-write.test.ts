import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeFileAtomic, writeFolderAtomic } from '../../src-main/export/atomic-write'

const bytes = (s: string) => new TextEncoder().encode(s)

describe('atomic export writes', () => {
  it('writes a file (creating folders) and replaces an existing one; no temp file remains', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tatami-atomic-'))
    const path = join(dir, 'a', 'b', 'model.onnx')
    expect(writeFileAtomic(path, bytes('one'))).toBe(3)
    expect(writeFileAtomic(path, bytes('second'))).toBe(6)
    expect(readFileSync(path, 'utf8')).toBe('second')
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['model.onnx'])
  })

  it('a folder export that fails half-way leaves the previous folder untouched and no temp folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tatami-atomic-'))
    const out = join(dir, 'export')
    writeFolderAtomic(out, [{ name: 'model.py', data: bytes('v1') }])
    // The second file's name is refused after the first was written into the temp folder.
    expect(() => writeFolderAtomic(out, [{ name: 'model.py', data: bytes('v2') }, { name: '../escape', data: bytes('x') }])).toThrow(/bad export file name/)
    expect(readdirSync(dir)).toEqual(['export'])
    expect(readFileSync(join(out, 'model.py'), 'utf8')).toBe('v1')
    writeFolderAtomic(out, [{ name: 'model.py', data: bytes('v3') }, { name: 'weights.npz', data: bytes('w') }])
    expect(readdirSync(dir)).toEqual(['export'])
    expect(readdirSync(out).sort()).toEqual(['model.py', 'weights.npz'])
    expect(readFileSync(join(out, 'model.py'), 'utf8')).toBe('v3')
  })

  it('refuses to put a folder where a file is, or a file where a folder is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tatami-atomic-'))
    writeFileSync(join(dir, 'file'), 'x')
    mkdirSync(join(dir, 'folder'))
    expect(() => writeFolderAtomic(join(dir, 'file'), [])).toThrow(/a file of that name exists/)
    expect(() => writeFileAtomic(join(dir, 'folder'), bytes('x'))).toThrow(/is a folder/)
    expect(readdirSync(dir).sort()).toEqual(['file', 'folder'])
  })
})
