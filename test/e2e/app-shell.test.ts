import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { chromiumPath, launchChromium, startServe, watchPageErrors, type ServeInstance } from './harness'

const chromium = chromiumPath()

describe.skipIf(!chromium)('the app shell in Chromium through tatami serve', () => {
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

  it('connects with the printed token, hides it from the address bar and moves between views', async () => {
    const page = await browser.newPage()
    const errors = watchPageErrors(page)
    await page.goto(serve.url)
    await page.getByTestId('nav-runs').click()
    expect(new URL(page.url()).hash).toBe('#/runs')
    expect(new URL(page.url()).searchParams.has('token')).toBe(false)
    await page.getByTestId('nav-editor').click()
    expect(new URL(page.url()).hash).toBe('#/editor')
    await expect(page.locator('.not-connected').count()).resolves.toBe(0)
    expect(errors).toEqual([])
    await page.close()
  })

  it('says what is missing when opened without its token', async () => {
    const page = await browser.newPage()
    await page.goto(new URL(serve.url).origin + '/')
    await expect(page.locator('.not-connected h2').textContent()).resolves.toBe('Not connected')
    await page.close()
  })
})
