/**
 * Runs → Compare in Chromium through `tatami serve`: two tiny runs started through the HTTP API, picked in
 * the runs table, compared (legends, hyperparameter differences), exported as CSV and PNG.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import type { NetworkSpec, RunRecord, TrainConfig } from '../../src-main/contract/workbench-api'
import { chromiumPath, launchChromium, startServe, watchPageErrors, type ServeInstance } from './harness'

const chromium = chromiumPath()

const network: NetworkSpec = {
  version: 1,
  input: { shape: [1, 16, 16] },
  layers: [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 4 }, { type: 'softmax' }]
}
const withDropout: NetworkSpec = { ...network, layers: [...network.layers.slice(0, 3), { type: 'dropout', rate: 0.3 }, ...network.layers.slice(3)] }
const training: TrainConfig = {
  version: 1,
  dataset: { id: 'shapes', validationSize: 200, trainSize: 400 },
  epochs: 2,
  batchSize: 32,
  optimizer: { type: 'adam', lr: 0.01 },
  loss: 'cross_entropy',
  seed: 5
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

async function waitCompleted(serve: ServeInstance, ids: number[]): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const runs = await Promise.all(ids.map((runId) => api<RunRecord>(serve, 'runs:get', { runId })))
    if (runs.every((r) => r.status === 'completed')) return
    const bad = runs.find((r) => !['queued', 'running', 'completed'].includes(r.status))
    if (bad) throw new Error(`run ${bad.id} ended ${bad.status}: ${bad.error?.message ?? ''}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('runs did not complete')
}

async function download(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()])
  const path = await d.path()
  return { name: d.suggestedFilename(), bytes: readFileSync(path) }
}

describe.skipIf(!chromium)('runs table → compare in Chromium', () => {
  let serve: ServeInstance
  let browser: Browser
  let base: RunRecord
  let dropout: RunRecord
  beforeAll(async () => {
    serve = await startServe()
    browser = await launchChromium(chromium!)
    base = await api<RunRecord>(serve, 'runs:start', { name: 'base', network, training })
    dropout = await api<RunRecord>(serve, 'runs:start', { name: 'with dropout', network: withDropout, training: { ...training, optimizer: { type: 'adam', lr: 0.003 } } })
    await waitCompleted(serve, [base.id, dropout.id])
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await serve?.stop()
  })

  it('selects two runs, compares them, shows what differs and exports CSV and PNG', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    const errors = watchPageErrors(page)
    await page.goto(serve.url)
    await page.getByTestId('nav-runs').click()
    await page.getByTestId(`run-row-${base.id}`).waitFor()
    await expect(page.getByTestId('runs-total').textContent()).resolves.toBe('2')
    await expect(page.getByTestId(`run-status-${base.id}`).getAttribute('data-status')).resolves.toBe('completed')
    await expect(page.getByTestId(`run-network-${dropout.id}`).textContent()).resolves.toMatch(/conv dropout dense/)
    await expect(page.getByTestId(`run-best-${base.id}`).textContent()).resolves.toMatch(/^\d+\.\d%$/)

    // Sort by name: ascending puts "base" first.
    await page.getByTestId('runs-sort-name').click()
    await page.waitForFunction(() => document.querySelector('[data-testid^="run-row-"]')?.getAttribute('data-run-name') === 'base')

    // A tag typed into the row is saved.
    await page.getByTestId(`run-tag-input-${base.id}`).fill('baseline')
    await page.getByTestId(`run-tag-input-${base.id}`).press('Enter')
    await page.getByTestId(`run-tags-${base.id}`).getByText('baseline').waitFor()
    expect((await api<RunRecord>(serve, 'runs:get', { runId: base.id })).tags).toEqual(['baseline'])

    await expect(page.getByTestId('runs-compare').isDisabled()).resolves.toBe(true)
    await page.getByTestId(`run-select-${base.id}`).check()
    await page.getByTestId(`run-select-${dropout.id}`).check()
    await page.getByTestId('runs-compare').click()
    await page.getByTestId(`compare-legend-${dropout.id}`).getByText('with dropout').waitFor()
    expect(new URL(page.url()).hash).toBe(`#/compare?runs=${base.id},${dropout.id}`)
    await expect(page.getByTestId(`compare-legend-${base.id}`).textContent()).resolves.toContain('base')

    // Differences only (default on): the layer count and the learning rate differ, the batch size does not show.
    const diffOnly = page.getByTestId('compare-hp-diff-only')
    await expect(diffOnly.isChecked()).resolves.toBe(true)
    const layers = page.locator('[data-testid="compare-hp-row"][data-key="network.layers"] td')
    await expect(layers.allTextContents()).resolves.toEqual(['5', '6'])
    await expect(page.locator('[data-testid="compare-hp-row"][data-key="optimizer.lr"] td').allTextContents()).resolves.toEqual(['0.01', '0.003'])
    await expect(page.locator('[data-testid="compare-hp-row"][data-key="batchSize"]').count()).resolves.toBe(0)
    const shownDiff = await page.getByTestId('compare-hp-row').count()
    await diffOnly.uncheck()
    await expect(page.locator('[data-testid="compare-hp-row"][data-key="batchSize"] td').allTextContents()).resolves.toEqual(['32', '32'])
    expect(await page.getByTestId('compare-hp-row').count()).toBeGreaterThan(shownDiff)

    // The summary has a row per run with a best validation accuracy.
    await expect(page.getByTestId(`compare-summary-${dropout.id}`).getByTestId('compare-summary-best').textContent()).resolves.toMatch(/\d+\.\d% \([12]\)/)

    const csv = await download(page, 'compare-export-csv')
    expect(csv.name).toMatch(/\.csv$/)
    const lines = csv.bytes.toString('utf8').trimEnd().split('\r\n')
    expect(lines[0]).toBe('run_id,run_name,epoch,step,metric,split,value')
    const stepsPerEpoch = Math.ceil(400 / 32)
    expect(lines).toHaveLength(1 + 2 * (3 * 2 * stepsPerEpoch + 5 * 2))
    expect(lines.some((l) => l.startsWith(`${dropout.id},with dropout,2,${2 * stepsPerEpoch},accuracy,val,0.`))).toBe(true)

    const png = await download(page, 'compare-chart-png')
    expect(png.name).toMatch(/^tatami-val_accuracy-.*\.png$/)
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    expect(png.bytes.length).toBeGreaterThan(2000)

    // Another metric on the step axis, then remove a run from the comparison.
    await page.getByTestId('compare-metric').selectOption('train_loss')
    await page.getByTestId('compare-x-step').check()
    await page.getByTestId(`compare-remove-${base.id}`).click()
    await page.waitForFunction(() => window.location.hash.endsWith('#/compare?runs=' + document.querySelector('[data-testid^="compare-legend-"]')?.getAttribute('data-testid')?.slice('compare-legend-'.length)))
    await expect(page.getByTestId(`compare-legend-${base.id}`).count()).resolves.toBe(0)
    expect(errors).toEqual([])
    await page.close()
  })
})
