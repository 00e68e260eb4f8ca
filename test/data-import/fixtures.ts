/** Small generated datasets in every import format, and a few-steps training check. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import sharp from 'sharp'
import { encodeIdx } from '../../src-engine/data/idx'
import type { Dataset } from '../../src-engine/data/dataset'
import { prepareTrainData } from '../../src-engine/train/prepare-data'
import { train } from '../../src-engine/train/trainer'
import type { TrainEvent } from '../../src-engine/train/events'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import { encodeBmp } from '../../src-main/data/importers/bmp'

export function tempDir(prefix = 'tatami-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export interface Generated {
  shape: [number, number, number]
  /** NCHW bytes. */
  pixels: Uint8Array
  labels: Uint8Array
}

/** Class k has a bright square at a class-specific place plus a little deterministic noise: learnable. */
export function generate(n: number, classes: number, shape: [number, number, number], seed = 1): Generated {
  const [c, h, w] = shape
  const per = c * h * w
  const pixels = new Uint8Array(n * per)
  const labels = new Uint8Array(n)
  let s = seed
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24
  for (let i = 0; i < n; i++) {
    const k = i % classes
    labels[i] = k
    const bx = Math.floor(((k % 2) * w) / 2)
    const by = Math.floor((Math.floor(k / 2) % 2) * (h / 2))
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const inBox = x >= bx && x < bx + w / 2 && y >= by && y < by + h / 2
          const base = inBox ? (ch === k % c ? 230 : 120) : 10
          pixels[i * per + ch * h * w + y * w + x] = Math.min(255, base + Math.floor(rand() * 20))
        }
      }
    }
  }
  return { shape, pixels, labels }
}

export function idxImages(g: Generated): Uint8Array {
  const [c, h, w] = g.shape
  const n = g.labels.length
  return encodeIdx({ type: 'uint8', dims: c === 1 ? [n, h, w] : [n, c, h, w], data: g.pixels })
}

export function idxLabels(g: Generated): Uint8Array {
  return encodeIdx({ type: 'uint8', dims: [g.labels.length], data: g.labels })
}

/** An MNIST-style IDX folder (gzipped or raw), with a t10k test pair. */
export function writeIdxFolder(dir: string, gz: boolean, train = generate(40, 4, [1, 8, 8]), test: Generated | null = generate(12, 4, [1, 8, 8], 7)): string {
  mkdirSync(dir, { recursive: true })
  const put = (name: string, bytes: Uint8Array) => writeFileSync(join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(bytes) : bytes)
  put('train-images-idx3-ubyte', idxImages(train))
  put('train-labels-idx1-ubyte', idxLabels(train))
  if (test) {
    put('t10k-images-idx3-ubyte', idxImages(test))
    put('t10k-labels-idx1-ubyte', idxLabels(test))
  }
  return dir
}

export function csvText(g: Generated, header: boolean): string {
  const per = g.pixels.length / g.labels.length
  const lines: string[] = []
  if (header) lines.push(['label', ...Array.from({ length: per }, (_, i) => `pixel${i}`)].join(','))
  for (let i = 0; i < g.labels.length; i++) lines.push([g.labels[i], ...g.pixels.subarray(i * per, (i + 1) * per)].join(','))
  return lines.join('\n') + '\n'
}

/** CIFAR-10 binary records: label byte + 3072 bytes (R, G, B planes of 32×32). */
export function cifarBatch(g: Generated): Uint8Array {
  const n = g.labels.length
  const out = new Uint8Array(n * 3073)
  for (let i = 0; i < n; i++) {
    out[i * 3073] = g.labels[i]
    out.set(g.pixels.subarray(i * 3072, (i + 1) * 3072), i * 3073 + 1)
  }
  return out
}

export function writeCifarFolder(dir: string): string {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'data_batch_1.bin'), cifarBatch(generate(20, 4, [3, 32, 32], 1)))
  writeFileSync(join(dir, 'data_batch_2.bin'), cifarBatch(generate(20, 4, [3, 32, 32], 2)))
  writeFileSync(join(dir, 'test_batch.bin'), cifarBatch(generate(8, 4, [3, 32, 32], 3)))
  writeFileSync(join(dir, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\n\n')
  return dir
}

export type ImageKind = 'png' | 'jpeg' | 'bmp'

/** One subfolder per class; images `size`×`size` RGB (or gray), written as PNG/JPEG/BMP. */
export async function writeImageFolder(dir: string, perClass: number, classes: string[], size: number, kinds: ImageKind[] = ['png']): Promise<Generated> {
  const g = generate(perClass * classes.length, classes.length, [3, size, size])
  const plane = size * size
  for (const name of classes) mkdirSync(join(dir, name), { recursive: true })
  for (let i = 0; i < g.labels.length; i++) {
    const hwc = Buffer.alloc(3 * plane)
    for (let p = 0; p < plane; p++) for (let ch = 0; ch < 3; ch++) hwc[3 * p + ch] = g.pixels[i * 3 * plane + ch * plane + p]
    const kind = kinds[i % kinds.length]
    const file = join(dir, classes[g.labels[i]], `img${String(i).padStart(3, '0')}.${kind === 'jpeg' ? 'jpg' : kind}`)
    if (kind === 'bmp') writeFileSync(file, encodeBmp({ width: size, height: size, data: hwc }))
    else {
      const img = sharp(hwc, { raw: { width: size, height: size, channels: 3 } })
      await (kind === 'png' ? img.png() : img.jpeg({ quality: 95 })).toFile(file)
    }
  }
  return g
}

export function smallNetwork(shape: [number, number, number], classes: number): NetworkSpec {
  return {
    version: 1,
    input: { shape },
    layers: [
      { type: 'conv2d', filters: 4, kernel: 3, padding: 'same' },
      { type: 'relu' },
      { type: 'maxpool2d', size: 2 },
      { type: 'flatten' },
      { type: 'dense', units: classes },
      { type: 'softmax' }
    ]
  }
}

/** Trains `epochs` epochs with a small conv net; returns the events. */
export async function trainFewSteps(ds: Dataset, epochs = 2, augmentation?: { shift: number }): Promise<TrainEvent[]> {
  const training = {
    version: 1 as const,
    dataset: { id: 'test', validationSize: Math.max(1, Math.floor(ds.size / 5)) },
    epochs,
    batchSize: 8,
    optimizer: { type: 'adam' as const, lr: 0.01 },
    loss: 'cross_entropy' as const,
    seed: 1,
    ...(augmentation ? { augmentation } : {})
  }
  const events: TrainEvent[] = []
  await train(smallNetwork(ds.inputShape, ds.numClasses), training, prepareTrainData(ds, training.dataset), (e) => events.push(e))
  return events
}
