/**
 * The draw helper's pages in Chromium through a real `tatami serve`: the activations page (every
 * activation and its derivative, from the engine's layers, with adjustable parameters).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { CURVE_ACTIVATIONS } from '../../src-renderer/src/inside/activation-curves'
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
    mkdirSync(docsDir, { recursive: true })
    await page.screenshot({ path: join(docsDir, 'activations.png'), fullPage: true })
    expect(errors).toEqual([])
    await page.close()
  })
})
