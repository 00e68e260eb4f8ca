/**
 * How much the run view costs the renderer while four runs train: four Chromium pages, each watching one
 * of four runs (a real `tatami serve`, concurrency 4). For a window of
 * seconds it reports per page: animation frames per second, the p95 and longest gap between frames,
 * the share of main-thread time spent in tasks and in script (CDP Performance metrics), and the loss
 * points that arrived. Usage: npx tsx scripts/bench-run-view.ts [seconds=15] [tiny|lenet] [idle]
 * (Training shares the machine's cores with the browser, so the numbers include that contention.)
 */
import type { CDPSession, Page } from 'playwright-core'
import { createHttpClient } from '../src-main/serve/client'
import type { RunRecord } from '../src-main/contract/workbench-api'
import { chromiumPath, launchChromium, startServe } from '../test/e2e/harness'
import lenet5 from '../examples/lenet5.json'

const seconds = Number(process.argv[2] ?? 15)
/** 'tiny' (default): a small net on 16×16 shapes in batches of 8, many points a second (stresses the charts); 'lenet': LeNet-5 on digits. */
const tiny = (process.argv[3] ?? 'tiny') === 'tiny'
/** 'idle': the same runs and pages, but the pages show the (empty) runs list: the baseline the machine's load alone gives. */
const idle = process.argv[4] === 'idle'
const TINY = {
  version: 1,
  input: { shape: [1, 16, 16] },
  layers: [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 4 }, { type: 'softmax' }]
}

/** Frame gaps over a window; a string so tsx's helpers (__name) do not leak into the page. */
const FRAME_PROBE = `new Promise((done) => {
  const gaps = []
  let last = performance.now()
  const end = last + MS
  const tick = (t) => {
    gaps.push(t - last)
    last = t
    if (t < end) requestAnimationFrame(tick)
    else {
      gaps.sort((a, b) => a - b)
      done({ count: gaps.length, p95: gaps[Math.floor(gaps.length * 0.95)] || 0, max: gaps[gaps.length - 1] || 0 })
    }
  }
  requestAnimationFrame(tick)
})`

const sessions = new Map<Page, CDPSession>()
async function metrics(page: Page): Promise<Record<string, number>> {
  let cdp = sessions.get(page)
  if (!cdp) {
    cdp = await page.context().newCDPSession(page)
    await cdp.send('Performance.enable')
    sessions.set(page, cdp)
  }
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }
  return Object.fromEntries(list.map((m) => [m.name, m.value]))
}

async function main(): Promise<void> {
  const chromium = chromiumPath()
  if (!chromium) throw new Error('no Chromium (apt-get install chromium)')
  const serve = await startServe({ concurrency: 4 })
  const api = createHttpClient(serve.url, new URL(serve.url).searchParams.get('token')!)
  const browser = await launchChromium(chromium)
  try {
    const runs: RunRecord[] = []
    for (let i = 0; i < 4; i++) {
      const training = tiny
        ? { version: 1, dataset: { id: 'shapes', validationSize: 200 }, epochs: 500, batchSize: 8, optimizer: { type: 'adam', lr: 0.001 }, loss: 'cross_entropy', seed: i + 1 }
        : { ...lenet5.training, dataset: { id: 'mnist-10k', validationSize: 1000, trainSize: 4000 }, epochs: 50, seed: i + 1 }
      runs.push(await api.invoke<RunRecord>('runs:start', { name: `bench ${i + 1}`, network: tiny ? TINY : lenet5.network, training }))
    }
    const pages: Page[] = []
    for (const run of runs) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
      await page.goto(`${serve.url}#/runs/${run.id}`)
      await page.waitForSelector('[data-testid="run-chart-loss"]')
      pages.push(page)
    }
    // Let every run reach training before measuring.
    await Promise.all(pages.map((p) => p.waitForFunction(() => Number(document.querySelector('[data-testid="run-chart-loss"]')?.getAttribute('data-points')) > 0, null, { timeout: 120_000 })))
    if (idle) for (const p of pages) await p.evaluate('location.hash = "#/compare"')
    if (process.argv[4] === 'nocharts') for (const p of pages) await p.evaluate('document.querySelector(".run-charts").style.display = "none"')
    await Promise.all(pages.map(metrics))
    await new Promise((r) => setTimeout(r, 1000))
    const before = await Promise.all(pages.map(metrics))
    const points = (p: Page) => (idle ? Promise.resolve('0') : p.getByTestId('run-chart-loss').getAttribute('data-points'))
    const points0 = await Promise.all(pages.map(points))
    const frames = await Promise.all(
      pages.map((p) =>
        p.evaluate<{ count: number; p95: number; max: number }>(FRAME_PROBE.replace('MS', String(seconds * 1000)))
      )
    )
    const after = await Promise.all(pages.map(metrics))
    const points1 = await Promise.all(pages.map(points))
    console.log(`four ${tiny ? 'tiny shapes' : 'LeNet-5'} runs training (concurrency 4), one page each${idle ? ' showing an empty view (baseline)' : ' showing its run view'}, ${seconds} s window`)
    console.log('page  fps    p95 gap  max gap  task busy  script busy  layout+style  loss points (+new)')
    pages.forEach((_, i) => {
      const task = (after[i]!.TaskDuration! - before[i]!.TaskDuration!) / seconds
      const script = (after[i]!.ScriptDuration! - before[i]!.ScriptDuration!) / seconds
      const layout = (after[i]!.LayoutDuration! - before[i]!.LayoutDuration! + after[i]!.RecalcStyleDuration! - before[i]!.RecalcStyleDuration!) / seconds
      const f = frames[i]!
      console.log(
        `${String(i + 1).padEnd(6)}${(f.count / seconds).toFixed(1).padEnd(7)}${f.p95.toFixed(1).padStart(5)} ms ${f.max.toFixed(1).padStart(6)} ms ${(task * 100).toFixed(1).padStart(7)} % ${(script * 100).toFixed(1).padStart(9)} % ${(layout * 100).toFixed(1).padStart(10)} %   ${points1[i]} (+${Number(points1[i]) - Number(points0[i])})`
      )
    })
    for (const run of runs) await api.invoke('runs:stop', { runId: run.id }).catch(() => undefined)
  } finally {
    await browser.close()
    await serve.stop()
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
