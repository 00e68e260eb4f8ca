/**
 * The workbench end to end, as a person uses it (issue 4's scenario): from an empty network, drag LeNet-5 in
 * layer by layer and see the shapes; launch a short run on the bundled digits; watch the chart move; stop it;
 * relaunch with dropout; compare the two; export the model. Real `tatami serve`, real engine processes, real
 * SQLite, Debian's Chromium. Fails on any page error. Saves the README's screenshots to docs/screenshots/.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { LENET5_STEPS } from './lenet5-steps'
import { chromiumPath, docsDir, launchChromium, startServe, watchPageErrors, type ServeInstance } from './harness'

const chromium = chromiumPath()

async function chartPoints(page: Page): Promise<number> {
  return Number((await page.getByTestId('run-chart-loss').getAttribute('data-points')) ?? '0')
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

async function status(page: Page): Promise<string | null> {
  return page.getByTestId('run-status').getAttribute('data-status')
}

async function launch(page: Page, fields: Record<string, string>): Promise<void> {
  await page.getByTestId('train-button').click()
  for (const [id, value] of Object.entries(fields)) {
    const input = page.getByTestId(id)
    if ((await input.evaluate((el) => el.tagName)) === 'SELECT') await input.selectOption(value)
    else await input.fill(value)
  }
  await page.getByTestId('launch-submit').click()
  await page.waitForURL(/#\/runs\/\d+$/)
}

describe.skipIf(!chromium)('the workbench end to end in Chromium through tatami serve', () => {
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

  it('build LeNet-5 → train → watch → stop → relaunch with dropout → compare → export', { timeout: 600_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 960 } })
    const errors = watchPageErrors(page)
    await page.goto(serve.url)
    await page.getByTestId('nav-editor').click()
    await page.getByTestId('new-network').click()

    // 1. Drag LeNet-5 in, layer by layer, setting each layer's fields in its form; shapes follow live.
    for (const [type, fields] of LENET5_STEPS) {
      await page.dragAndDrop(`[data-testid="palette-${type}"]`, '[data-testid="network-drop-end"]')
      for (const [field, value] of Object.entries(fields)) await page.getByTestId(`field-${field}`).fill(value)
    }
    await page.getByTestId('network-name').fill('LeNet-5')
    await expect(page.getByTestId('layer-shape-0').textContent()).resolves.toContain('6×28×28')
    await expect(page.getByTestId('layer-shape-2').textContent()).resolves.toContain('6×14×14')
    await expect(page.getByTestId('layer-shape-5').textContent()).resolves.toContain('16×5×5')
    await expect(page.getByTestId('layer-shape-6').textContent()).resolves.toContain('400')
    await expect(page.getByTestId('total-params').getAttribute('title')).resolves.toBe('61,706')
    await page.getByTestId('layer-3').click()
    await page.screenshot({ path: join(docsDir, 'editor.png') })

    // 2. Launch a short run on the bundled digits.
    await launch(page, {
      'launch-name': 'LeNet-5 baseline',
      'launch-dataset': 'mnist-10k',
      'launch-validation-size': '500',
      'launch-train-size': '1000',
      'launch-epochs': '200',
      'launch-seed': '1'
    })
    const firstUrl = page.url()
    const firstId = Number(firstUrl.match(/#\/runs\/(\d+)$/)![1])

    // 3. The chart moves while it trains: loss points grow between two looks.
    await waitFor('the first loss points', async () => (await chartPoints(page)) > 0)
    const before = await chartPoints(page)
    await waitFor('more loss points', async () => (await chartPoints(page)) > before)
    await waitFor('two finished epochs', async () => Number(await page.getByTestId('run-progress').getAttribute('data-epochs-completed')) >= 2)
    expect(await status(page)).toBe('running')
    await page.screenshot({ path: join(docsDir, 'run.png') })

    // 4. Stop it.
    await page.getByTestId('run-stop').click()
    await waitFor('the run to stop', async () => (await status(page)) === 'stopped')

    // 5. Relaunch with dropout: back to the editor with the run's network, drop a dropout layer before the classifier.
    await page.getByTestId('run-edit-relaunch').click()
    await page.waitForURL(/#\/editor$/)
    await page.dragAndDrop('[data-testid="palette-dropout"]', '[data-testid="drop-slot-11"]')
    await page.getByTestId('field-rate').fill('0.5')
    await expect(page.getByTestId('layer-11').getAttribute('aria-label')).resolves.toBe('Layer 11: Dropout')
    await launch(page, { 'launch-name': 'LeNet-5 + dropout', 'launch-epochs': '2' })
    const secondId = Number(page.url().match(/#\/runs\/(\d+)$/)![1])
    expect(secondId).not.toBe(firstId)
    await expect(page.getByTestId('run-parent').textContent()).resolves.toContain(String(firstId))
    await waitFor('the dropout run to complete', async () => (await status(page)) === 'completed', 300_000)

    // 6. Export the trained model as ONNX: the backend writes it next to the database.
    await page.getByTestId('export-format').selectOption('onnx')
    await page.getByTestId('export-submit').click()
    const written = ((await page.getByTestId('export-result').locator('code').textContent()) ?? '').trim()
    expect(written.startsWith(join(serve.dir, 'exports'))).toBe(true)
    expect(existsSync(written) && statSync(written).size).toBeGreaterThan(200_000)
    // In the browser, Download… saves that file wherever the user chooses.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()])
    expect(download.suggestedFilename()).toBe(basename(written))
    expect(readFileSync((await download.path())!)).toEqual(readFileSync(written))

    // 7. Compare the two from the runs table.
    await page.getByTestId('nav-runs').click()
    await page.getByTestId(`run-select-${firstId}`).check()
    await page.getByTestId(`run-select-${secondId}`).check()
    await page.getByTestId('runs-compare').click()
    await page.waitForURL(/#\/compare\?runs=/)
    await expect(page.getByTestId(`compare-legend-${firstId}`).getAttribute('data-run-name')).resolves.toBe('LeNet-5 baseline')
    await expect(page.getByTestId(`compare-legend-${secondId}`).getAttribute('data-run-name')).resolves.toBe('LeNet-5 + dropout')
    const layersRow = page.locator('[data-testid="compare-hp-row"][data-key="network.layers"] td')
    await expect(layersRow.allTextContents()).resolves.toEqual(expect.arrayContaining(['13', '14']))
    await expect(page.locator('[data-testid="compare-hp-row"][data-key="epochs"] td').allTextContents()).resolves.toEqual(expect.arrayContaining(['200', '2']))
    await page.waitForTimeout(500) // let the charts draw their last update before the picture
    await page.screenshot({ path: join(docsDir, 'compare.png'), fullPage: true })

    // 8. A study is one click from the network in the editor.
    await page.getByTestId('nav-editor').click()
    await page.getByTestId('study-button').click()
    await page.waitForURL(/#\/studies$/)
    await expect(page.getByTestId('study-base').inputValue()).resolves.toBe('editor')

    expect(errors).toEqual([])
    await page.close()
  })
})
