/**
 * The datasets view in Chromium through a real `tatami serve`: an image folder generated here (3 classes ×
 * 12 PNGs, 16×16, distinct patterns) is previewed, imported, listed with its sample grid and class counts,
 * then trained on through the editor's launch form; a download that cannot connect shows the backend's error.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import { chromiumPath, docsDir, launchChromium, startServe, watchPageErrors, type ServeInstance } from './harness'

const chromium = chromiumPath()
const SIZE = 16
const CLASSES = ['checks', 'horizontal', 'vertical']

/** Class-specific pattern with a per-image phase, so samples within a class differ. */
function pattern(cls: number, i: number): Buffer {
  const px = Buffer.alloc(SIZE * SIZE)
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const on = cls === 0 ? ((x >> 2) + (y >> 2) + i) % 2 === 0 : cls === 1 ? ((y + i) >> 1) % 2 === 0 : ((x + i) >> 1) % 2 === 0
      px[y * SIZE + x] = on ? 230 - i * 5 : 20 + i * 3
    }
  }
  return px
}

async function makeImageFolder(dir: string): Promise<void> {
  for (const [c, name] of CLASSES.entries()) {
    mkdirSync(join(dir, name), { recursive: true })
    for (let i = 0; i < 12; i++) {
      const png = await sharp(pattern(c, i), { raw: { width: SIZE, height: SIZE, channels: 1 } }).png().toBuffer()
      writeFileSync(join(dir, name, `${String(i).padStart(2, '0')}.png`), png)
    }
  }
}

const network: NetworkSpec = {
  version: 1,
  name: 'patterns',
  input: { shape: [1, SIZE, SIZE] },
  layers: [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 3 }, { type: 'softmax' }]
}

describe.skipIf(!chromium)('the datasets view in Chromium through tatami serve', () => {
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

  it('previews and imports an image folder, shows its samples and counts, and trains on it', async () => {
    const folder = join(serve.dir, 'patterns')
    await makeImageFolder(folder)
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } })
    const errors = watchPageErrors(page)
    await page.goto(serve.url)
    await page.getByTestId('nav-datasets').click()
    await page.getByTestId('dataset-shapes').waitFor()
    await expect(page.getByTestId('dataset-shapes').getByTestId('dataset-remove').count()).resolves.toBe(0)

    // A missing folder: the backend's message, verbatim.
    await page.getByTestId('import-path').fill(join(serve.dir, 'nowhere'))
    await page.getByTestId('import-preview').click()
    await expect(page.getByTestId('import-preview-error').textContent()).resolves.toContain(join(serve.dir, 'nowhere'))

    await page.getByTestId('import-path').fill(folder)
    await page.getByTestId('import-size').fill(String(SIZE))
    await page.getByTestId('import-preview').click()
    const preview = page.getByTestId('import-preview-result')
    await expect(preview.locator('h4').textContent()).resolves.toContain(`3 classes, 36 images, 1×${SIZE}×${SIZE}`)
    await expect(preview.getByTestId('dataset-sample').count()).resolves.toBe(24)
    await expect(preview.getByTestId('dataset-class-train').allTextContents()).resolves.toEqual(['12', '12', '12'])
    // The canvases hold the decoded pixels: a horizontal-stripes sample has dark and bright rows.
    const rows = await preview.locator('.grid-row').nth(1).locator('canvas').first().evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
      return [c.width, c.height, d[0], d[4 * 16 * 2]]
    })
    expect(rows[0]).toBe(SIZE)
    expect(rows[1]).toBe(SIZE)
    expect(Math.abs(rows[2]! - rows[3]!)).toBeGreaterThan(100)

    await page.getByTestId('import-title').fill('Patterns')
    await page.getByTestId('import-submit').click()
    const done = page.getByTestId('import-done')
    await done.waitFor({ timeout: 20_000 })
    const id = (await done.locator('code').textContent())!
    expect(id).toMatch(/^[0-9a-f]{12}$/)
    const card = page.getByTestId(`dataset-${id}`)
    await expect(card.getByTestId('dataset-title').textContent()).resolves.toBe('Patterns')
    await expect(card.getByTestId('dataset-shape').textContent()).resolves.toBe(`1×${SIZE}×${SIZE}`)
    await expect(card.getByTestId('dataset-counts').textContent()).resolves.toBe('36 train / 0 test')
    await expect(card.getByTestId('dataset-class-train').allTextContents()).resolves.toEqual(['12', '12', '12'])
    await expect(card.getByTestId('dataset-hash').getAttribute('title')).resolves.toMatch(new RegExp(`^${id}[0-9a-f]{52}$`))
    await card.getByTestId('dataset-sample-grid').waitFor()
    await expect(card.getByTestId('dataset-sample').count()).resolves.toBe(24)
    await expect(card.locator('canvas[data-drawn="true"]').count()).resolves.toBe(24)
    await card.scrollIntoViewIfNeeded()
    mkdirSync(docsDir, { recursive: true })
    await page.screenshot({ path: join(docsDir, 'datasets.png'), fullPage: true })

    // A download that cannot connect ends with the backend's message.
    await page.getByTestId('download-mirror').fill('http://127.0.0.1:1/')
    await page.getByTestId('download-mnist').click()
    await expect(page.getByTestId('download-error').textContent()).resolves.toMatch(/Download failed: .*127\.0\.0\.1:1/)
    expect(await page.getByTestId('download-mnist').isDisabled()).toBe(false)

    // Train on it: the editor with a matching network, the launch form lists the imported dataset.
    await card.getByTestId('dataset-train').click()
    expect(new URL(page.url()).hash).toBe('#/editor')
    await page.getByTestId('import-file').setInputFiles({ name: 'patterns.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(network)) })
    // The editor reads the file asynchronously: wait for the imported network's output shape.
    await page.getByTestId('total-output').filter({ hasText: /^3$/ }).waitFor()
    await page.getByTestId('train-button').click()
    await page.locator(`[data-testid="launch-dataset"] option[value="${id}"]`).waitFor({ state: 'attached' })
    await page.getByTestId('launch-dataset').selectOption(id)
    await page.getByTestId('launch-validation-size').fill('6')
    await page.getByTestId('launch-epochs').fill('2')
    await page.getByTestId('launch-batch-size').fill('8')
    await page.getByTestId('launch-submit').click()
    await page.waitForFunction(() => /^#\/runs\/\d+$/.test(location.hash))
    await page.waitForSelector('[data-testid="run-status"][data-status="completed"]', { timeout: 30_000 })
    await expect(page.getByTestId('run-dataset').textContent()).resolves.toContain('30 train / 6 val')

    // Back on the list, remove it (after the confirm).
    await page.getByTestId('nav-datasets').click()
    page.once('dialog', (d) => void d.accept())
    await page.getByTestId(`dataset-${id}`).getByTestId('dataset-remove').click()
    await page.getByTestId(`dataset-${id}`).waitFor({ state: 'detached' })
    // The two refused requests above answer with what went wrong, which Chromium logs as failed resources:
    // the missing folder is bad data (422), the unreachable mirror is unavailable (503). Nothing else may appear.
    const failed = (status: string) => `console.error: Failed to load resource: the server responded with a status of ${status}`
    expect(errors).toEqual([failed('422 (Unprocessable Entity)'), failed('503 (Service Unavailable)')])
    await page.close()
  })
})
