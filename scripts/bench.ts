/**
 * npm run bench: training and inference throughput of LeNet-5 and the small VGG on MNIST-shaped data,
 * with every kernel backend the runtime supports (the JavaScript reference, WebAssembly SIMD and
 * relaxed SIMD), the wasm backends with one and two engine threads (-1t / -2t: a helper thread on
 * shared memory), and — when Debian's python3-torch is installed — PyTorch with one and two threads,
 * on the same machine in the same run, printing images/s and the ratios to PyTorch (one thread) and
 * to the JavaScript kernels.
 *
 *   npm run bench [-- --seconds 5 --only lenet5 --backends js,wasm-relaxed --threads 1,2 --torch-threads 1,2]
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { cpus, loadavg } from 'node:os'
import { createNetwork, createLoss, createOptimizer, createRng, type NetworkSpec } from '../src-engine/index'
import { availableBackends, createKernels, type KernelBackend } from '../src-engine/kernels/backend'
import { loadWasmModules } from '../src-engine/node/wasm-modules'
import { startKernelHelper } from '../src-engine/node/kernel-helper'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    only: { type: 'string' },
    torch: { type: 'string', default: 'auto' },
    backends: { type: 'string' },
    threads: { type: 'string', default: '1,2' },
    'torch-threads': { type: 'string', default: '1,2' }
  }
})
const seconds = Number(values.seconds)

interface Model {
  name: string
  spec: NetworkSpec
}
const models: Model[] = [
  { name: 'lenet5', spec: JSON.parse(readFileSync(new URL('../examples/lenet5.json', import.meta.url), 'utf8')).network },
  { name: 'small-vgg', spec: JSON.parse(readFileSync(new URL('../examples/small-vgg.json', import.meta.url), 'utf8')).network }
].filter((m) => !values.only || m.name === values.only)

interface Result {
  model: string
  backend: string
  trainImagesPerSecond: number
  inferImagesPerSecond: number
  /** From the fastest single step / call: what the code does when it gets the core (shared machines). */
  bestTrainImagesPerSecond: number
  bestInferImagesPerSecond: number
}

/**
 * Runs `body` repeatedly for about `budget` seconds after one warm-up call; returns calls per second
 * over the whole time and from the fastest call.
 */
function timeIt(body: () => void, budget: number): { mean: number; best: number } {
  body()
  const start = performance.now()
  let calls = 0
  let fastest = Infinity
  for (let t = start; t - start < budget * 1000; ) {
    body()
    const now = performance.now()
    fastest = Math.min(fastest, now - t)
    t = now
    calls++
  }
  return { mean: calls / ((performance.now() - start) / 1000), best: 1000 / fastest }
}

function benchEngine(model: Model, backend: KernelBackend, threads: 1 | 2): Result {
  // The previous measurements' kernels (1 GiB of shared wasm memory each) are garbage by now: collect them
  // before measuring, when the script runs with --expose-gc.
  ;(globalThis as { gc?: () => void }).gc?.()
  const rng = createRng(1)
  const kernels = createKernels(backend, wasmModules, { threads, startHelper: startKernelHelper }) // a fresh wasm memory per model
  const net = createNetwork(model.spec, { rng, kernels })
  const opt = createOptimizer({ type: 'adam', lr: 1e-3 }, net.params(), { kernels, allocator: net.allocator })
  const loss = createLoss('cross_entropy', net.allocator)
  const make = (n: number) => {
    const data = net.allocator.alloc(n * 784) // the input batch in the backend's memory, as the trainer does
    for (let i = 0; i < data.length; i++) data[i] = rng.nextFloat()
    const labels = new Int32Array(n)
    for (let i = 0; i < n; i++) labels[i] = rng.nextInt(10)
    return { x: { shape: [n, 1, 28, 28], data }, labels }
  }
  const train = make(64)
  const infer = make(256)
  const trainSteps = timeIt(() => {
    net.zeroGrad()
    const y = net.forward(train.x, 'train', { logits: true })
    loss.forward(y, { kind: 'indices', labels: train.labels })
    net.backward(loss.backward(), { logits: true })
    opt.step()
  }, seconds)
  const inferCalls = timeIt(() => net.forward(infer.x, 'eval'), seconds)
  kernels.dispose()
  return {
    model: model.name, backend: backend === 'js' ? 'tatami-js' : `tatami-${kernels.name}-${threads}t`,
    trainImagesPerSecond: trainSteps.mean * 64, inferImagesPerSecond: inferCalls.mean * 256,
    bestTrainImagesPerSecond: trainSteps.best * 64, bestInferImagesPerSecond: inferCalls.best * 256
  }
}

function benchTorch(): Result[] | string {
  const python = '/usr/bin/python3'
  if (values.torch === 'off') return 'skipped (--torch off)'
  if (!existsSync(python)) return 'not measured: /usr/bin/python3 not found (apt-get install python3-torch)'
  const script = new URL('./bench_torch.py', import.meta.url).pathname
  const out: Result[] = []
  for (const threads of torchThreads) {
    const run = spawnSync(python, [script, String(seconds), String(threads), ...models.map((m) => m.name)], { encoding: 'utf8', timeout: 600_000 })
    if (run.status !== 0) {
      const why = (run.stderr || run.stdout || '').trim().split('\n').at(-1)
      return `not measured: ${why || 'bench_torch.py failed'}`
    }
    out.push(...(JSON.parse(run.stdout) as Result[]))
  }
  return out
}

const startedAt = new Date()
const startLoad = loadavg().map((l) => l.toFixed(2)).join(' ')
const wasmModules = loadWasmModules({ enableRelaxedSimd: true })
const supported = availableBackends(wasmModules)
const backends = (values.backends ? (values.backends.split(',') as KernelBackend[]) : supported.slice().reverse())
for (const b of backends) if (!supported.includes(b)) throw new Error(`backend ${b} is not available here (available: ${supported.join(', ')}); run npm run build:wasm`)
const torchThreads = values['torch-threads'].split(',').map(Number)
const engineThreads = values.threads.split(',').map(Number)
for (const t of engineThreads) if (t !== 1 && t !== 2) throw new Error(`--threads takes 1 and/or 2, got ${t}`)

const results: Result[] = []
for (const model of models) {
  for (const backend of backends) {
    if (backend === 'js') results.push(benchEngine(model, backend, 1))
    else for (const t of engineThreads) results.push(benchEngine(model, backend, t as 1 | 2))
  }
}
const torch = benchTorch()
if (Array.isArray(torch)) results.push(...torch)

const cpu = cpus()[0]?.model ?? 'unknown CPU'
console.log(`Tatami benchmark — ${startedAt.toISOString()} to ${new Date().toISOString()} — node ${process.version}, ${cpus().length} cores (${cpu}), ${seconds}s per measurement`)
console.log(`load average (1, 5, 15 min) at the start: ${startLoad}; at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
console.log(`engine: JS one thread, wasm with ${engineThreads.join(' and ')} thread(s) (-1t/-2t); kernel backends available here: ${supported.join(', ')}`)
console.log('training: batch 64, Adam, softmax cross-entropy; inference: batch 256, eval mode')
console.log('')
const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}×` : '–')
function table(title: string, train: (r: Result) => number, infer: (r: Result) => number): void {
  console.log(`\n${title}`)
  const header = ['model', 'backend', 'train img/s', 'infer img/s', 'train vs torch-1t', 'infer vs torch-1t', 'train vs js', 'infer vs js']
  const rows = results.map((r) => {
    const ref = results.find((t) => t.model === r.model && t.backend.startsWith('pytorch') && t.backend.endsWith('-1t'))
    const js = results.find((t) => t.model === r.model && t.backend === 'tatami-js')
    return [
      r.model, r.backend, train(r).toFixed(0), infer(r).toFixed(0),
      ratio(train(r), ref && train(ref)), ratio(infer(r), ref && infer(ref)),
      ratio(train(r), js && train(js)), ratio(infer(r), js && infer(js))
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |'
  console.log(line(header))
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|')
  for (const r of rows) console.log(line(r))
}
table('Throughput over the whole measurement:', (r) => r.trainImagesPerSecond, (r) => r.inferImagesPerSecond)
table('From the fastest single step (less disturbed by other load on a shared machine):', (r) => r.bestTrainImagesPerSecond, (r) => r.bestInferImagesPerSecond)
if (!Array.isArray(torch)) console.log(`\nPyTorch reference ${torch}`)
