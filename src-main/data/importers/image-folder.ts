/**
 * A folder of images with one subfolder per class (class names = subfolder names, sorted), or with
 * train/ and test/ subfolders that each hold the class folders (test/ becomes the fixed test split).
 * Images (PNG, JPEG, WebP, GIF, TIFF, AVIF through sharp; BMP through a small decoder) are resized to
 * size×size (stretched) and converted to grayscale (1 channel) or RGB (3 channels); alpha is dropped.
 */
import { readFile } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import sharp, { type Sharp } from 'sharp'
import { DatasetImportError, samplesOf, type DatasetSamples, type ImportedData } from '../dataset-library'
import { decodeBmp, isBmp } from './bmp'
import { listDirs, listFiles, makeDataset, requireDirectory } from './common'

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.bmp', '.gif', '.webp', '.tif', '.tiff', '.avif']

export interface ImageFolderOptions {
  title?: string
  /** Width and height after resizing (default 28). */
  size?: number
  /** 1 = grayscale (default), 3 = RGB. */
  channels?: 1 | 3
}

interface ClassFiles {
  classes: string[]
  /** [classIndex, path] pairs in class order, files sorted by name. */
  files: [number, string][]
}

export async function importImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImportedData> {
  const { size, channels } = resolveOptions(options)
  await requireDirectory(dir, 'folder of class folders')
  const top = await listDirs(dir)
  const hasSplits = top.includes('train') && top.includes('test')
  const train = await classFiles(hasSplits ? join(dir, 'train') : dir)
  const test = hasSplits ? await classFiles(join(dir, 'test'), train.classes) : null
  const title = options.title ?? basename(dir)
  const shape: [number, number, number] = [channels, size, size]
  const decode = async (cf: ClassFiles, name: string) => {
    const pixels = await decodeAll(cf.files.map(([, f]) => f), size, channels)
    return makeDataset(name, shape, pixels, cf.files.map(([c]) => c), train.classes)
  }
  return {
    title,
    format: 'image-folder',
    source: dir,
    train: await decode(train, title),
    test: test ? await decode(test, `${title} (test)`) : null
  }
}

/** The first `perClass` images of each class, decoded as an import would, plus the file count per class. */
export async function previewImageFolder(dir: string, options: ImageFolderOptions & { perClass?: number } = {}): Promise<DatasetSamples & { counts: number[] }> {
  const { size, channels } = resolveOptions(options)
  await requireDirectory(dir, 'folder of class folders')
  const top = await listDirs(dir)
  const cf = await classFiles(top.includes('train') && top.includes('test') ? join(dir, 'train') : dir)
  const perClass = options.perClass ?? 8
  const counts = cf.classes.map(() => 0)
  const chosen: [number, string][] = []
  for (const [c, f] of cf.files) if (counts[c]++ < perClass) chosen.push([c, f])
  const pixels = await decodeAll(chosen.map(([, f]) => f), size, channels)
  const ds = makeDataset(basename(dir), [channels, size, size], pixels, chosen.map(([c]) => c), cf.classes)
  return { ...samplesOf(ds, perClass), counts }
}

function resolveOptions(o: ImageFolderOptions): { size: number; channels: 1 | 3 } {
  const size = o.size ?? 28
  if (!Number.isInteger(size) || size < 4 || size > 512) throw new DatasetImportError(`image size must be a whole number from 4 to 512, got ${size}`)
  const channels = o.channels ?? 1
  if (channels !== 1 && channels !== 3) throw new DatasetImportError(`channels must be 1 or 3, got ${String(channels)}`)
  return { size, channels }
}

async function classFiles(dir: string, expected?: string[]): Promise<ClassFiles> {
  const classes = await listDirs(dir)
  if (classes.length < 1) throw new DatasetImportError(`${dir}: no class folders (expected one subfolder of images per class)`)
  if (classes.length > 256) throw new DatasetImportError(`${dir}: ${classes.length} class folders; at most 256 are supported`)
  if (expected && classes.join('\u0000') !== expected.join('\u0000')) {
    throw new DatasetImportError(`${dir}: class folders ${classes.join(', ')} differ from the training classes ${expected.join(', ')}`)
  }
  const files: [number, string][] = []
  for (let c = 0; c < classes.length; c++) {
    const names = (await listFiles(join(dir, classes[c]))).filter((f) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase()))
    if (names.length === 0) throw new DatasetImportError(`${join(dir, classes[c])}: no images (${IMAGE_EXTENSIONS.join(' ')})`)
    for (const f of names) files.push([c, join(dir, classes[c], f)])
  }
  return { classes, files }
}

const PARALLEL = 8

async function decodeAll(files: string[], size: number, channels: 1 | 3): Promise<Uint8Array> {
  const per = channels * size * size
  const out = new Uint8Array(files.length * per)
  for (let start = 0; start < files.length; start += PARALLEL) {
    const batch = files.slice(start, start + PARALLEL)
    const decoded = await Promise.all(batch.map((f) => decodeImage(f, size, channels)))
    decoded.forEach((px, k) => out.set(px, (start + k) * per))
  }
  return out
}

/** Decodes one image to CHW bytes. */
export async function decodeImage(path: string, size: number, channels: 1 | 3): Promise<Uint8Array> {
  let hwc: Buffer
  try {
    const bytes = await readFile(path)
    let img: Sharp
    if (isBmp(bytes)) {
      const bmp = decodeBmp(bytes)
      img = sharp(bmp.data, { raw: { width: bmp.width, height: bmp.height, channels: 3 } })
    } else {
      img = sharp(bytes, { failOn: 'error' })
    }
    img = img.removeAlpha().resize(size, size, { fit: 'fill' })
    img = channels === 1 ? img.grayscale() : img.toColourspace('srgb')
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true })
    if (info.channels !== channels || info.width !== size || info.height !== size) {
      throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${size}×${size}×${channels}`)
    }
    hwc = data
  } catch (err) {
    throw new DatasetImportError(`${path}: cannot decode image (${err instanceof Error ? err.message : String(err)})`)
  }
  if (channels === 1) return new Uint8Array(hwc)
  const plane = size * size
  const chw = new Uint8Array(3 * plane)
  for (let i = 0; i < plane; i++) {
    chw[i] = hwc[3 * i]
    chw[plane + i] = hwc[3 * i + 1]
    chw[2 * plane + i] = hwc[3 * i + 2]
  }
  return chw
}
