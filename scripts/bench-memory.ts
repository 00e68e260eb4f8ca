/**
 * npm run bench:memory: peak resident memory (VmHWM) of a real engine process (src-engine/child.ts,
 * forked through tsx) training the small VGG at batch 64 on the bundled MNIST digits, one process per
 * kernel backend: 20 training steps (1,280 images) then a validation pass at batch 256 (512 images).
 * Linux only (/proc/PID/status).
 *
 *   npm run bench:memory [-- --backends js,wasm-relaxed]
 */
import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import type { FromEngine, ToEngine } from '../src-engine/protocol'
import type { KernelBackend } from '../src-engine/kernels/backend'

const { values } = parseArgs({ options: { backends: { type: 'string', default: 'js,wasm-simd,wasm-relaxed' } } })
const experiment = JSON.parse(readFileSync(new URL('../examples/small-vgg.json', import.meta.url), 'utf8'))
const childPath = fileURLToPath(new URL('../src-engine/child.ts', import.meta.url))

function statusKiB(pid: number, field: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(field + ':'))
  if (!line) throw new Error(`no ${field} in /proc/${pid}/status`)
  return Number(line.split(/\s+/)[1])
}

interface Measured {
  backend: string
  peakMiB: number
  rssMiB: number
  seconds: number
}

function measure(backend: KernelBackend): Promise<Measured> {
  const start: ToEngine = {
    type: 'start',
    network: experiment.network,
    training: { ...experiment.training, epochs: 1, batchSize: 64, dataset: { id: 'mnist-10k', validationSize: 512, trainSize: 1280 } },
    backend
  }
  const began = performance.now()
  return new Promise((resolve, reject) => {
    const child = fork(childPath, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    child.on('message', (raw) => {
      const m = raw as FromEngine
      if (m.type === 'ready') child.send(start)
      else if (m.type === 'error') {
        child.kill()
        reject(new Error(m.error.message))
      } else if (m.type === 'event' && m.event.type === 'done') {
        const pid = child.pid!
        const out = { backend: m.event.backend ?? backend, peakMiB: statusKiB(pid, 'VmHWM') / 1024, rssMiB: statusKiB(pid, 'VmRSS') / 1024, seconds: (performance.now() - began) / 1000 }
        child.kill()
        resolve(out)
      }
    })
    child.on('error', reject)
  })
}

console.log(`Peak resident memory of an engine process: small VGG, batch 64 training (20 steps) + batch 256 validation, node ${process.version}`)
for (const backend of values.backends.split(',') as KernelBackend[]) {
  const r = await measure(backend)
  console.log(`${r.backend.padEnd(13)} peak (VmHWM) ${r.peakMiB.toFixed(0)} MiB, resident at the end ${r.rssMiB.toFixed(0)} MiB (${r.seconds.toFixed(0)} s)`)
}
