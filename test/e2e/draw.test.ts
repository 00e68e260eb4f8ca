/**
 * The draw helper's pages in Chromium through a real `tatami serve`: the activations page (every
 * activation and its derivative, from the engine's layers, with adjustable parameters), and drawing a
 * digit on a trained run's Inside page (mouse and touch), predicted by the backend's inspector process.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { CURVE_ACTIVATIONS } from '../../src-renderer/src/inside/activation-curves'
import { centerOfMass } from '../../src-engine/data/digit-preprocess'
import type { ForwardRequest, ForwardResponse, NetworkSpec, RunRecord, TrainConfig } from '../../src-main/contract/workbench-api'
import { chromiumPath, docsDir, launchChromium, startServe, watchPageErrors, type ServeInstance } from './harness'

const chromium = chromiumPath()

describe.skipIf(!chromium)('the activations page in Chromium through tatami serve', () => {
  let serve: ServeInstance
  let browser: Browser
  beforeAll(async () => {
    serve = await startServe()
    browser = await launchChromium(chromium!)
  })
  afterAll(async () => {
    await browser?.close()
    await serve?.stop()
  })

  it('plots every activation beside its derivative and follows the parameters', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors = watchPageErrors(page)
    await page.goto(serve.url)
    await page.getByTestId('nav-activations').click()
    expect(new URL(page.url()).hash).toBe('#/activations')
    await page.getByTestId('activations-view').waitFor()
    for (const type of CURVE_ACTIVATIONS) {
      const card = page.getByTestId(`activation-${type}`)
      await expect(card.getByTestId('curve-path').count()).resolves.toBe(2)
      // Drawn: the paths have a real extent on screen.
      const box = await card.getByTestId('curve-path').first().boundingBox()
      expect(box!.width, type).toBeGreaterThan(150)
    }
    await expect(page.getByTestId('max-df-sigmoid').textContent()).resolves.toContain('0.25')
    const leaky = page.getByTestId('plot-f-leaky_relu').getByTestId('curve-path')
    const before = await leaky.getAttribute('d')
    await page.getByTestId('param-slope').fill('0.5')
    await expect.poll(() => leaky.getAttribute('d')).not.toBe(before)
    await page.getByTestId('param-slope').fill('1.5')
    await expect(page.getByTestId('param-error-leaky_relu').textContent()).resolves.toMatch(/slope/)
    await page.getByTestId('param-slope').fill('0.1')
    await page.getByTestId('param-error-leaky_relu').waitFor({ state: 'detached' })
    // Pointing at a plot reads both curves there: at the plot's horizontal middle, x is about 0.
    const plot = page.getByTestId('plot-df-swish')
    const at = (await plot.boundingBox())!
    await page.mouse.move(at.x + at.width / 2, at.y + at.height / 2)
    await expect(page.getByTestId('readout-swish').textContent()).resolves.toMatch(/^x = -?0(\.0\d+)?:  f\(x\) = -?0(\.0\d+)?,  f′\(x\) = 0\.\d+$/)
    await expect(page.getByTestId('activation-swish').getByTestId('curve-marker').count()).resolves.toBe(2)
    mkdirSync(docsDir, { recursive: true })
    await page.screenshot({ path: join(docsDir, 'activations.png'), fullPage: true })
    expect(errors).toEqual([])
    await page.close()
  })
})

const digitsNet: NetworkSpec = {
  version: 1,
  name: 'small LeNet',
  input: { shape: [1, 28, 28] },
  layers: [
    { type: 'conv2d', filters: 6, kernel: 5, padding: 2 },
    { type: 'relu' },
    { type: 'maxpool2d', size: 2 },
    { type: 'conv2d', filters: 12, kernel: 5 },
    { type: 'relu' },
    { type: 'maxpool2d', size: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 10 },
    { type: 'softmax' }
  ]
}
const digitsTraining: TrainConfig = {
  version: 1,
  dataset: { id: 'mnist-10k', validationSize: 200, trainSize: 2000 },
  epochs: 2,
  batchSize: 32,
  optimizer: { type: 'adam', lr: 0.003 },
  loss: 'cross_entropy',
  normalization: { kind: 'minmax', range: [0, 1] },
  seed: 1
}

async function api<T>(serve: ServeInstance, channel: string, body: unknown): Promise<T> {
  const url = new URL(serve.url)
  const res = await fetch(`${url.origin}/api/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${url.searchParams.get('token')}` },
    body: JSON.stringify(body)
  })
  const json = (await res.json()) as { ok: boolean; result?: T; error?: { message: string } }
  if (!json.ok) throw new Error(`${channel}: ${json.error?.message}`)
  return json.result as T
}

async function waitCompleted(serve: ServeInstance, runId: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const run = await api<RunRecord>(serve, 'runs:get', { runId })
    if (run.status === 'completed') return
    if (!['queued', 'running'].includes(run.status)) throw new Error(`run ${runId} ended ${run.status}: ${run.error?.message ?? ''}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`run ${runId} did not complete`)
}

/** The next inspect:forward request the page sends. */
function nextForward(page: Page): Promise<ForwardRequest> {
  return page
    .waitForRequest((r) => r.method() === 'POST' && decodeURIComponent(new URL(r.url()).pathname) === '/api/inspect:forward', { timeout: 20_000 })
    .then((r) => JSON.parse(r.postData()!) as ForwardRequest)
}

describe.skipIf(!chromium)('drawing a digit for a trained run in Chromium through tatami serve', () => {
  let serve: ServeInstance
  let browser: Browser
  beforeAll(async () => {
    serve = await startServe()
    browser = await launchChromium(chromium!)
  })
  afterAll(async () => {
    await browser?.close()
    await serve?.stop()
  })

  it('draws a 1 with the mouse and a 7 by touch; the backend predicts them; Clear empties the pad', async () => {
    const run = await api<RunRecord>(serve, 'runs:start', { name: 'digits to draw on', network: digitsNet, training: digitsTraining })
    await waitCompleted(serve, run.id)
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, hasTouch: true })
    const errors = watchPageErrors(page)
    await page.goto(`${serve.url}#/runs/${run.id}/inside`)
    await page.getByTestId('inside-tab-draw').click()
    const pad = page.getByTestId('draw-canvas')
    await pad.waitFor()
    const box = (await pad.boundingBox())!

    // A "1" with the mouse: one stroke down the middle, slightly slanted.
    const sent = nextForward(page)
    await page.mouse.move(box.x + 150, box.y + 35)
    await page.mouse.down()
    for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + 150 - i * 0.8, box.y + 35 + i * 10.5)
    await page.mouse.up()
    const request = await sent
    expect(request.runId).toBe(run.id)
    if (request.input.kind !== 'pixels') throw new Error('expected pixels')
    const pixels = request.input.pixels
    expect(pixels).toHaveLength(784)
    expect(Math.max(...pixels)).toBe(255)
    const com = centerOfMass(pixels, 28, 28)!
    expect(Math.abs(com.x - 14)).toBeLessThanOrEqual(0.5)
    expect(Math.abs(com.y - 14)).toBeLessThanOrEqual(0.5)
    await expect(page.getByTestId('draw-preview').getAttribute('data-empty')).resolves.toBe('false')

    // What the page shows is what the backend answers for those pixels.
    const predicted = page.getByTestId('draw-predicted')
    await predicted.waitFor({ timeout: 20_000 })
    const answer = await api<ForwardResponse>(serve, 'inspect:forward', request)
    await expect(predicted.textContent()).resolves.toBe(answer.classes[answer.predicted])
    expect(answer.predicted).toBe(1)
    expect(answer.scoreKind).toBe('probability')
    await expect(page.getByTestId('draw-scores').locator('li').count()).resolves.toBe(10)
    await expect(page.getByTestId('draw-predicted-score').textContent()).resolves.toBe(`${(answer.scores[answer.predicted] * 100).toFixed(1)}%`)

    await page.getByTestId('draw-clear').click()
    await expect(page.getByTestId('draw-predicted').count()).resolves.toBe(0)
    await expect(page.getByTestId('draw-preview').getAttribute('data-empty')).resolves.toBe('true')

    // A "7" by touch (two strokes), the page not scrolling under the finger.
    const cdp = await page.context().newCDPSession(page)
    const touch = async (points: [number, number][]) => {
      const at = ([x, y]: [number, number]) => ({ x: box.x + x, y: box.y + y })
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(points[0])] })
      for (const p of points.slice(1)) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at(p)] })
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
    }
    const scrollBefore = await page.evaluate(() => window.scrollY)
    const seven = nextForward(page)
    await touch(Array.from({ length: 11 }, (_, i): [number, number] => [70 + i * 15, 50]))
    await touch(Array.from({ length: 13 }, (_, i): [number, number] => [220 - i * 7, 50 + i * 16]))
    const sevenRequest = await seven
    expect(await page.evaluate(() => window.scrollY)).toBe(scrollBefore)
    await page.getByTestId('draw-predicted').waitFor({ timeout: 20_000 })
    const sevenAnswer = await api<ForwardResponse>(serve, 'inspect:forward', sevenRequest)
    await expect(page.getByTestId('draw-predicted').textContent()).resolves.toBe(sevenAnswer.classes[sevenAnswer.predicted])
    // Drawn digits are made into MNIST-like samples, so a small LeNet trained for 2 epochs reads them.
    expect(sevenAnswer.predicted).toBe(7)
    mkdirSync(docsDir, { recursive: true })
    await page.screenshot({ path: join(docsDir, 'draw.png') })
    expect(errors).toEqual([])
    await page.close()
  })
})
