/**
 * Backend benchmark: the store holds about a million metric rows (20 finished runs, one of them with
 * a quarter of a million rows of one metric) while FOUR real runs train at once in engine processes
 * (RunManager + StoreRunSink + forkLauncher, concurrency 4). While they train, the main thread
 * repeatedly lists runs and fetches the big run's decimated curve (maxPoints 1000), and the script
 * prints their latencies (target: under 50 ms each) and the main thread's longest event-loop stall.
 *
 *   npx tsx scripts/bench-backend.ts [--rows 1000000] [--epochs 3] [--every 100]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { NetworkSpec } from '../src-engine/spec/network-spec'
import type { TrainConfig } from '../src-engine/train/train-config'
import { forkLauncher } from '../src-main/runs/launcher'
import { RunManager } from '../src-main/runs/run-manager'
import { StoreRunSink } from '../src-main/runs/store-sink'
import { RunStore } from '../src-main/store/run-store'
import type { MetricRow } from '../src-main/store/types'

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    epochs: { type: 'string', default: '3' },
    every: { type: 'string', default: '100' }
  }
})
const totalRows = Math.max(10_000, Math.floor(Number(values.rows)))
const epochs = Math.max(1, Math.floor(Number(values.epochs)))
const everyMs = Math.max(10, Math.floor(Number(values.every)))

const network: NetworkSpec = {
  version: 1,
  input: { shape: [1, 16, 16] },
  layers: [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 4 }, { type: 'softmax' }]
}

function training(seed: number, runEpochs: number): TrainConfig {
  return {
    version: 1,
    dataset: { id: 'shapes', validationSize: 200 },
    epochs: runEpochs,
    batchSize: 32,
    optimizer: { type: 'adam', lr: 0.01 },
    loss: 'cross_entropy',
    seed
  }
}

interface Stats {
  n: number
  p50: number
  p95: number
  max: number
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b)
  const at = (q: number): number => (s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))])
  return { n: s.length, p50: at(0.5), p95: at(0.95), max: s.length === 0 ? NaN : s[s.length - 1] }
}

const ms = (x: number): string => (Number.isNaN(x) ? '-' : x.toFixed(1))

/** Fills the store: one big finished run with bigRows of 'loss' (plus a val curve), the rest spread over 19 more finished runs. */
function fill(store: RunStore): { bigRun: number; rows: number } {
  let written = 0
  const finish = (id: number): void => {
    store.setStatus(id, 'running')
    store.setStatus(id, 'completed')
  }
  const bigRows = Math.max(Math.floor(totalRows / 4), 1000)
  const bigRun = store.createRun({ name: 'history-big', network, training: training(1, 100) })
  let value = 2
  for (let start = 0; start < bigRows; start += 1000) {
    const batch: MetricRow[] = []
    for (let step = start; step < Math.min(bigRows, start + 1000); step++) {
      value = Math.max(0.01, value * 0.99999 + (Math.random() - 0.5) * 0.02)
      batch.push({ step, epoch: Math.floor(step / 2500), split: 'train', name: 'loss', value: step % 9973 === 0 ? value * 20 : value, elapsedMs: step * 4 })
    }
    store.appendMetrics(bigRun, batch)
    written += batch.length
  }
  finish(bigRun)
  const others = 19
  const names = ['loss', 'accuracy', 'lr', 'images_per_second'] as const
  const stepsPerRun = Math.ceil((totalRows - written) / others / names.length)
  for (let r = 0; r < others; r++) {
    const id = store.createRun({ name: `history-${r + 1}`, network, training: training(r + 2, 10), tags: r % 3 === 0 ? ['sweep'] : [] })
    for (let start = 0; start < stepsPerRun; start += 250) {
      const batch: MetricRow[] = []
      for (let step = start; step < Math.min(stepsPerRun, start + 250); step++) {
        const at = { step, epoch: Math.floor(step / 57), split: 'train' as const, elapsedMs: step * 4 }
        batch.push(
          { ...at, name: names[0], value: 2 / (1 + step / 500) + Math.random() * 0.05 },
          { ...at, name: names[1], value: 1 - 1 / (1 + step / 500) },
          { ...at, name: names[2], value: 0.01 },
          { ...at, name: names[3], value: 3000 + Math.random() * 100 }
        )
      }
      store.appendMetrics(id, batch)
      written += batch.length
    }
    finish(id)
  }
  return { bigRun, rows: written }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tatami-bench-'))
  const store = RunStore.open(join(dir, 'bench.db'))
  let manager: RunManager | null = null
  const cleanup = (): void => {
    manager?.shutdown()
    store.close()
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('SIGINT', () => {
    cleanup()
    process.exit(130)
  })
  try {
    const cores = availableParallelism()
    console.log(`machine: ${cores} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, ${process.platform}/${process.arch}`)
    const t0 = performance.now()
    const { bigRun, rows } = fill(store)
    const fillSeconds = (performance.now() - t0) / 1000
    console.log(`store: ${rows.toLocaleString('en-US')} metric rows in 20 finished runs (run ${bigRun}: ${store.metricNames(bigRun)[0]?.count.toLocaleString('en-US')} rows of train/loss), filled in ${fillSeconds.toFixed(1)} s`)

    // Idle baseline (no training).
    const idleList: number[] = []
    const idleCurve: number[] = []
    const idleCached: number[] = []
    for (let i = 0; i < 20; i++) {
      let a = performance.now()
      store.listRuns({ limit: 100 })
      idleList.push(performance.now() - a)
      store.clearSeriesCache()
      a = performance.now()
      store.metricSeries(bigRun, 'loss', 'train', 1000)
      idleCurve.push(performance.now() - a)
      a = performance.now()
      store.metricSeries(bigRun, 'loss', 'train', 1000)
      idleCached.push(performance.now() - a)
    }

    manager = new RunManager({ launcher: forkLauncher(), sink: new StoreRunSink(store), concurrency: 4 })
    const live: string[] = []
    for (let i = 0; i < 4; i++) {
      const id = store.createRun({ name: `live-${i + 1}`, network, training: training(100 + i, epochs) })
      live.push(String(id))
    }

    const listLatencies: number[] = []
    const curveLatencies: number[] = []
    const cachedLatencies: number[] = []
    let liveCurvePoints = 0
    let metricBatches = 0
    const m = manager
    m.on('steps', () => metricBatches++)
    const histogram = monitorEventLoopDelay({ resolution: 10 })
    let maxDrift = 0
    const probeMs = 20
    let last = performance.now()
    const probe = setInterval(() => {
      const now = performance.now()
      maxDrift = Math.max(maxDrift, now - last - probeMs)
      last = now
    }, probeMs)
    const sampler = setInterval(() => {
      let a = performance.now()
      store.listRuns({ limit: 100 })
      listLatencies.push(performance.now() - a)
      store.clearSeriesCache() // a cold fetch: the decimation itself
      a = performance.now()
      store.metricSeries(bigRun, 'loss', 'train', 1000)
      curveLatencies.push(performance.now() - a)
      a = performance.now()
      store.metricSeries(bigRun, 'loss', 'train', 1000)
      cachedLatencies.push(performance.now() - a)
      liveCurvePoints = store.metricSeries(Number(live[0]), 'loss', 'train', 1000).length
    }, everyMs)

    const trainStart = performance.now()
    histogram.enable()
    for (const id of live) m.enqueue({ runId: id, network, training: training(Number(id), epochs) })
    const statuses = await Promise.all(live.map((id) => m.settled(id)))
    histogram.disable()
    clearInterval(sampler)
    clearInterval(probe)
    const trainSeconds = (performance.now() - trainStart) / 1000

    const rowsAfter = (store.db.prepare('SELECT COUNT(*) AS n FROM metrics').get() as { n: number }).n
    console.log(`training: 4 runs at once (concurrency 4, shapes, ${epochs} epochs each), ${trainSeconds.toFixed(1)} s, statuses ${statuses.join(', ')}; ${metricBatches} metric batches stored; ${rowsAfter.toLocaleString('en-US')} rows now; a live run's curve had ${liveCurvePoints} points at the last sample`)
    console.log('')
    const table: [string, Stats][] = [
      ['listRuns (limit 100), idle', stats(idleList)],
      ['decimated curve (1000 pts, cold), idle', stats(idleCurve)],
      ['decimated curve (1000 pts, cached), idle', stats(idleCached)],
      ['listRuns (limit 100), 4 runs training', stats(listLatencies)],
      ['decimated curve (1000 pts, cold), 4 runs training', stats(curveLatencies)],
      ['decimated curve (1000 pts, cached), 4 runs training', stats(cachedLatencies)]
    ]
    const w = Math.max(...table.map(([k]) => k.length))
    console.log(`${'query'.padEnd(w)}  ${'n'.padStart(4)}  ${'p50 ms'.padStart(7)}  ${'p95 ms'.padStart(7)}  ${'max ms'.padStart(7)}`)
    for (const [k, s] of table) console.log(`${k.padEnd(w)}  ${String(s.n).padStart(4)}  ${ms(s.p50).padStart(7)}  ${ms(s.p95).padStart(7)}  ${ms(s.max).padStart(7)}`)
    console.log('')
    console.log(
      `main thread while training: longest event-loop stall ${ms(histogram.max / 1e6)} ms (monitorEventLoopDelay, p99 ${ms(histogram.percentile(99) / 1e6)} ms); ` +
        `longest ${probeMs} ms timer overshoot ${ms(maxDrift)} ms`
    )
    for (const [what, samples] of [
      ['listRuns', listLatencies],
      ['cold curve', curveLatencies],
      ['cached curve', cachedLatencies]
    ] as const) {
      const s = stats(samples)
      console.log(`target < 50 ms while training, ${what}: p50 ${s.p50 < 50 ? 'met' : 'NOT met'} (${ms(s.p50)} ms), max ${s.max < 50 ? 'met' : 'NOT met'} (${ms(s.max)} ms)`)
    }
  } finally {
    cleanup()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
