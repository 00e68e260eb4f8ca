/**
 * Times the importers on generated data of real sizes: a 60,000-image MNIST-sized IDX set (gzipped), the
 * same as a 60,000-row CSV, a CIFAR-10-sized set of 5 batches, and a folder of 2,000 PNGs (resized, RGB).
 * Usage: npx tsx scripts/bench-import.ts
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import sharp from 'sharp'
import { encodeIdx } from '../src-engine/data/idx'
import { DatasetLibrary } from '../src-main/data/dataset-library'
import { importDataset } from '../src-main/data/datasets'

function pixels(n: number, per: number): Uint8Array {
  const out = new Uint8Array(n * per)
  let s = 1
  for (let i = 0; i < out.length; i++) out[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24
  return out
}

async function time(label: string, f: () => Promise<unknown>): Promise<void> {
  const t = performance.now()
  await f()
  console.log(`${label}: ${((performance.now() - t) / 1000).toFixed(2)} s`)
}

const work = mkdtempSync(join(tmpdir(), 'tatami-bench-import-'))
const lib = new DatasetLibrary(join(work, 'datasets'))
try {
  const n = 60000
  const px = pixels(n, 784)
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10)
  const idxDir = join(work, 'idx')
  mkdirSync(idxDir)
  writeFileSync(join(idxDir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx({ type: 'uint8', dims: [n, 28, 28], data: px })))
  writeFileSync(join(idxDir, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx({ type: 'uint8', dims: [n], data: labels })))
  await time('IDX 60,000×28×28 (gz) import', () => importDataset({ format: 'idx', path: idxDir }, lib))

  const csv = join(work, 'train.csv')
  const rows: string[] = []
  for (let i = 0; i < n; i++) rows.push([labels[i], ...px.subarray(i * 784, (i + 1) * 784)].join(','))
  writeFileSync(csv, rows.join('\n'))
  await time('CSV 60,000 rows × 785 import', () => importDataset({ format: 'csv', path: csv, title: 'csv' }, lib))

  const cifar = join(work, 'cifar')
  mkdirSync(cifar)
  const cpx = pixels(10000, 3073)
  for (let i = 0; i < 10000; i++) cpx[i * 3073] %= 10
  for (let b = 1; b <= 5; b++) writeFileSync(join(cifar, `data_batch_${b}.bin`), cpx.map((v, i) => (i % 3073 === 0 ? v : (v + b) & 255)))
  await time('CIFAR-10 5×10,000 import', () => importDataset({ format: 'cifar10', path: cifar }, lib))

  const folder = join(work, 'images')
  const img = pixels(2000, 64 * 64 * 3)
  for (let c = 0; c < 4; c++) mkdirSync(join(folder, `class${c}`), { recursive: true })
  for (let i = 0; i < 2000; i++) {
    await sharp(Buffer.from(img.subarray(i * 12288, (i + 1) * 12288)), { raw: { width: 64, height: 64, channels: 3 } })
      .png()
      .toFile(join(folder, `class${i % 4}`, `${i}.png`))
  }
  await time('image folder 2,000 PNG 64×64 → 32×32 RGB import', () => importDataset({ format: 'image-folder', path: folder, size: 32, channels: 3 }, lib))
} finally {
  rmSync(work, { recursive: true, force: true })
}
