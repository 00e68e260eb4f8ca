/**
 * Watching a run in Chromium: a real `tatami serve`, real engine processes on the tiny 'shapes' set.
 * The run view's chart gains points while it trains; pause, resume and stop work from its buttons;
 * the launch panel (opened from the run view) starts a child run; a failing run shows its error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { createHttpClient, type HttpClient } from '../../src-main/serve/client'
import type { RunRecord } from '../../src-main/contract/workbench-api'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'
import { chromiumPath, launchChromium, startServe, watchPageErrors, type ServeInstance } from './harness'

const chromium = chromiumPath()

const network: NetworkSpec = {
  version: 1,
  name: 'tiny-shapes',
  input: { shape: [1, 16, 16] },
  layers: [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 4 }, { type: 'softmax' }]
}
const training = (epochs: number): TrainConfig => ({
  version: 1,
  dataset: { id: 'shapes', validationSize: 200, trainSize: 600 },
  epochs,
  batchSize: 16,
  optimizer: { type: 'adam', lr: 0.01 },
  loss: 'cross_entropy',
  seed: 3
})

async function status(page: Page): Promise<string | null> {
  return page.getByTestId('run-status').getAttribute('data-status')
}
/**
 * Engines run 10 niceness levels below everything else; in the full suite the other test workers can
 * starve them for many seconds, so waits for the engine are generous (they are not speed assertions).
 */
const ENGINE_WAIT_MS = 90_000

async function waitStatus(page: Page, wanted: string): Promise<void> {
  await page.waitForSelector(`[data-testid="run-status"][data-status="${wanted}"]`, { timeout: ENGINE_WAIT_MS })
}
async function lossPoints(page: Page): Promise<number> {
  return Number(await page.getByTestId('run-chart-loss').getAttribute('data-points'))
}
async function waitPoints(page: Page, n: number): Promise<void> {
  await page.waitForFunction((want) => Number(document.querySelector('[data-testid="run-chart-loss"]')?.getAttribute('data-points')) === want, n, { timeout: 5000 })
}
async function waitMorePoints(page: Page, than: number): Promise<number> {
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="run-chart-loss"]')?.getAttribute('data-points')) > n, than, { timeout: ENGINE_WAIT_MS })
  return lossPoints(page)
}

describe.skipIf(!chromium)('the run view in Chromium through tatami serve', () => {
  let serve: ServeInstance
  let browser: Browser
  let api: HttpClient
  beforeAll(async () => {
    serve = await startServe()
    api = createHttpClient(serve.url, new URL(serve.url).searchParams.get('token')!)
    browser = await launchChromium(chromium!)
  })
  afterAll(async () => {
    await browser?.close()
    await serve?.stop()
  })

  it('charts a training run live; pause, resume and stop; relaunch from the launch panel', async () => {
    // Far more epochs than the test lets it run: it is paused and stopped long before the end on any kernels.
    const run = await api.invoke<RunRecord>('runs:start', { name: 'watch me', network, training: training(400) })
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } })
    const errors = watchPageErrors(page)
    await page.goto(`${serve.url}#/runs/${run.id}`)
    await expect(page.getByTestId('run-name').textContent()).resolves.toBe('watch me')
    await waitStatus(page, 'running')
    const first = await waitMorePoints(page, 0)
    const later = await waitMorePoints(page, first)
    expect(later).toBeGreaterThan(first)
    await expect(page.getByTestId('run-progress-text').textContent()).resolves.toMatch(/Epoch \d+\/400/)
    await expect(page.getByTestId('run-dataset').textContent()).resolves.toContain('600 train / 200 val')
    expect(await page.getByTestId('run-resume').isDisabled()).toBe(true)

    await page.getByTestId('run-pause').click()
    await waitStatus(page, 'paused')
    // Charts redraw at most every 200 ms: wait for them to show every stored step, then nothing more comes.
    const storedAtPause = await api.invoke<{ step: number }[]>('metrics:series', { runId: run.id, name: 'loss', split: 'train', maxPoints: 10_000 })
    await waitPoints(page, storedAtPause.length)
    const paused = await lossPoints(page)
    await page.waitForTimeout(500)
    expect(await lossPoints(page)).toBe(paused)
    // The buttons follow the status on the next render; poll rather than read once.
    await expect.poll(() => page.getByTestId('run-pause').isDisabled(), { timeout: 10_000 }).toBe(true)

    await page.getByTestId('run-resume').click()
    await waitStatus(page, 'running')
    await waitMorePoints(page, paused)
    await page.getByTestId('run-stop').click()
    await waitStatus(page, 'stopped')
    await expect.poll(() => page.getByTestId('run-stop').isDisabled(), { timeout: 10_000 }).toBe(true)
    await expect.poll(() => page.getByTestId('run-pause').isDisabled(), { timeout: 10_000 }).toBe(true)
    // Every stored step is on the chart, once.
    const stored = await api.invoke<{ step: number }[]>('metrics:series', { runId: run.id, name: 'loss', split: 'train', maxPoints: 10_000 })
    await waitPoints(page, stored.length)

    // Change the training settings and relaunch as a child run.
    await page.getByTestId('run-tweak').click()
    await page.getByTestId('launch-epochs').fill('0')
    await expect(page.getByTestId('launch-error-epochs').textContent()).resolves.toContain('epochs must be a whole number from 1')
    expect(await page.getByTestId('launch-submit').isDisabled()).toBe(true)
    await page.getByTestId('launch-epochs').fill('1')
    await page.getByTestId('launch-name').fill('short child')
    await page.getByTestId('launch-submit').click()
    await page.waitForFunction((id) => /^#\/runs\/\d+$/.test(location.hash) && location.hash !== `#/runs/${id}`, run.id)
    await expect(page.getByTestId('run-name').textContent()).resolves.toBe('short child')
    await expect(page.getByTestId('run-parent').textContent()).resolves.toContain(`#${run.id}`)
    await waitStatus(page, 'completed')
    await page.waitForSelector('[data-testid="run-epochs"] tbody tr', { timeout: 10_000 })
    await expect(page.locator('[data-testid="run-epochs"] tbody tr').count()).resolves.toBe(1)
    await expect(page.getByTestId('run-best').textContent()).resolves.toBe('best epoch 1')
    // The epochs table follows the store at once; the charts redraw at most every 200 ms: poll their count.
    await expect.poll(async () => Number(await page.getByTestId('run-chart-loss').getAttribute('data-val-points')), { timeout: 10_000 }).toBe(1)

    // To the editor with this run's network.
    await page.getByTestId('run-edit-relaunch').click()
    expect(new URL(page.url()).hash).toBe('#/editor')
    expect(errors).toEqual([])
    await page.close()
  }, 300_000)

  it('shows why a run failed or diverged', async () => {
    // A 28×28 network on 16×16 shapes: the engine refuses the data.
    const wrong: NetworkSpec = { ...network, input: { shape: [1, 28, 28] } }
    const failed = await api.invoke<RunRecord>('runs:start', { name: 'mismatch', network: wrong, training: training(1) })
    const diverging = await api.invoke<RunRecord>('runs:start', { name: 'too fast', network, training: { ...training(2), optimizer: { type: 'sgd', lr: 1e30 } } })
    const page = await browser.newPage()
    const errors = watchPageErrors(page)
    await page.goto(`${serve.url}#/runs/${failed.id}`)
    await waitStatus(page, 'failed')
    await expect(page.getByTestId('run-error').textContent()).resolves.toMatch(/Failed:.+\S/)
    expect(await status(page)).toBe('failed')
    expect(await page.getByTestId('run-stop').isDisabled()).toBe(true)
    await page.goto(`${serve.url}#/runs/${diverging.id}`)
    await waitStatus(page, 'diverged')
    await expect(page.getByTestId('run-error').textContent()).resolves.toMatch(/^Diverged:.*(NaN|infinite)/i)
    expect(errors).toEqual([])
    await page.close()
  })
})
