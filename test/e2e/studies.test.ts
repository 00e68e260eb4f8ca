import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { chromiumPath, docsDir, launchChromium, startServe, watchPageErrors, type ServeInstance } from './harness'

const chromium = chromiumPath()

describe.skipIf(!chromium)('a study in Chromium through tatami serve', () => {
  let serve: ServeInstance
  let browser: Browser
  beforeAll(async () => {
    serve = await startServe({ concurrency: 2 })
    browser = await launchChromium(chromium!)
  })
  afterAll(async () => {
    await browser?.close()
    await serve?.stop()
  })

  it('previews, launches and follows a two-seed learning-rate sweep on shapes to its summary', { timeout: 120_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors = watchPageErrors(page)
    await page.goto(serve.url)
    await page.getByTestId('nav-studies').click()
    await expect(page.getByTestId('study-list-empty').textContent()).resolves.toBe('No studies yet.')

    await page.getByTestId('study-base').selectOption('shapes-quick')
    await page.getByTestId('study-kind').selectOption('grid')
    await page.getByTestId('study-grid-path-0').fill('optimizer.lr')
    // A bad value first: the form says what is wrong before asking the backend.
    await page.getByTestId('study-grid-values-0').fill('0.01, 0.0.3')
    await page.getByTestId('study-preview-button').click()
    await expect(page.getByTestId('study-preview-error').textContent()).resolves.toContain('"0.0.3" is not a number')

    await page.getByTestId('study-grid-values-0').fill('0.01, 0.003')
    await page.getByTestId('study-epochs').fill('2')
    await page.getByTestId('study-train-size').fill('400')
    await page.getByTestId('study-repeats').fill('2')
    await page.getByTestId('study-preview-button').click()
    await page.getByTestId('study-preview').waitFor()
    expect(await page.getByTestId('study-preview-runs').textContent()).toBe('2 variants × 2 seeds = 4 runs')
    expect(await page.getByTestId('study-preview-time').textContent()).toMatch(/^(under 10 s|about \d+ (s|min))$/)
    expect(await page.getByTestId('study-preview-variant').allTextContents()).toEqual(['optimizer.lr=0.01optimizer.lr=0.01', 'optimizer.lr=0.003optimizer.lr=0.003'])

    await page.getByTestId('study-launch').click()
    await page.waitForURL(/#\/studies\/\d+$/)
    const experimentId = Number(new URL(page.url()).hash.split('/')[2])
    await page.getByTestId('study-title').waitFor()
    expect(await page.getByTestId('study-ranking').locator('tbody tr').count()).toBe(2)

    // The view follows the runs as they train, without a reload.
    await page.getByTestId('study-progress').filter({ hasText: '4/4 runs finished' }).waitFor({ timeout: 100_000 })
    await page.getByTestId('study-summary').filter({ hasText: 'Best validation accuracy' }).waitFor()
    const summary = await page.getByTestId('study-summary-line').allTextContents()
    expect(summary[0]).toMatch(/^optimizer\.lr=0\.01: training accuracy ended at \d+\.\d% and validation at \d+\.\d%, a gap of -?\d+\.\d points \(means over 2 seeds\)\.$/)
    for (const rank of [1, 2]) {
      const row = page.getByTestId(`study-ranking-row-${rank}`)
      expect(await row.getByTestId('study-ranking-best').textContent()).toMatch(/^\d+\.\d% ± \d+\.\d$/)
      expect(await row.getByTestId('study-ranking-gap').textContent()).toMatch(/^-?\d+\.\d ± \d+\.\d$/)
      expect(await row.getByTestId('study-ranking-progress').textContent()).toContain('2/2')
    }
    expect(await page.getByTestId('study-small-multiple').locator('canvas').count()).toBe(2)
    expect(await page.getByTestId('study-gap-chart').locator('canvas').count()).toBe(1)
    const compare = await page.getByTestId('study-compare').getAttribute('href')
    expect(compare).toMatch(/^#\/compare\?runs=\d+,\d+,\d+,\d+$/)

    await page.getByTestId('study-back').click()
    await expect(page.getByTestId(`study-row-${experimentId}`).textContent()).resolves.toContain('4/4')
    expect(errors).toEqual([])
    await page.close()
  })

  it('the regularization study from a preset: seven variants train, the ranking and the summary read out', { timeout: 240_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors = watchPageErrors(page)
    await page.goto(serve.url)
    await page.getByTestId('nav-studies').click()
    await page.getByTestId('study-base').selectOption('shapes-quick')
    await page.getByTestId('study-kind').selectOption('regularization')
    await page.getByTestId('study-epochs').fill('4')
    await page.getByTestId('study-train-size').fill('300')
    await page.getByTestId('study-preview-button').click()
    await page.getByTestId('study-preview').waitFor()
    expect(await page.getByTestId('study-preview-runs').textContent()).toMatch(/^7 variants × 1 seed = 7 runs$|^7 runs$/)
    await page.getByTestId('study-launch').click()
    await page.waitForURL(/#\/studies\/\d+$/)
    await page.getByTestId('study-title').waitFor()
    // The variants train (two at a time) and the view follows them to the end.
    await page.getByTestId('study-progress').filter({ hasText: '7/7 runs finished' }).waitFor({ timeout: 220_000 })
    await page.getByTestId('study-summary').filter({ hasText: 'Best validation accuracy' }).waitFor()
    const labels = await page.getByTestId('study-ranking').locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-variant')))
    expect([...labels].sort()).toEqual(['all together', 'augmentation', 'batch norm', 'dropout 0.5', 'early stopping', 'none', 'weight decay 0.001'])
    const summary = await page.getByTestId('study-summary-line').allTextContents()
    expect(summary[0]).toMatch(/^None: training accuracy ended at \d+\.\d% and validation at \d+\.\d%, a gap of -?\d+\.\d points\.$/)
    expect(summary.some((l) => /^Dropout 0\.5 (cut|widened|left) the final gap/.test(l))).toBe(true)
    expect(await page.getByTestId('study-small-multiple').locator('canvas').count()).toBe(7)
    mkdirSync(docsDir, { recursive: true })
    await page.waitForTimeout(500) // the charts' last redraw before the picture
    await page.screenshot({ path: join(docsDir, 'study.png'), fullPage: true })
    expect(errors).toEqual([])
    await page.close()
  })
})
