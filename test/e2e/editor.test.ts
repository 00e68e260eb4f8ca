import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { LENET5_STEPS } from './lenet5-steps'
import { chromiumPath, launchChromium, root, startServe, watchPageErrors, type ServeInstance } from './harness'

const chromium = chromiumPath()

async function dragIn(page: Page, type: string): Promise<void> {
  await page.dragAndDrop(`[data-testid="palette-${type}"]`, '[data-testid="network-drop-end"]')
}

async function layerTypes(page: Page): Promise<string[]> {
  return page.locator('[data-testid="layer-list"] [role="option"]').evaluateAll((cards) => cards.map((c) => c.getAttribute('aria-label') ?? ''))
}

describe.skipIf(!chromium)('the network editor in Chromium through tatami serve', () => {
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

  it('builds a network by dragging, edits a field, shows shapes, undoes, saves and reopens a version', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    const errors = watchPageErrors(page)
    await page.goto(serve.url)
    await page.getByTestId('nav-editor').click()
    await expect(page.getByTestId('network-drop-end').textContent()).resolves.toMatch(/Drag layers here/)
    await expect(page.getByTestId('train-button').isDisabled()).resolves.toBe(true)

    for (const type of ['conv2d', 'relu', 'maxpool2d', 'flatten', 'dense', 'softmax']) await dragIn(page, type)
    expect(await layerTypes(page)).toEqual([
      'Layer 0: Convolution 2D',
      'Layer 1: ReLU',
      'Layer 2: Max pooling 2D',
      'Layer 3: Flatten',
      'Layer 4: Dense (affine)',
      'Layer 5: Softmax'
    ])
    // conv2d(8, k3) on 1×28×28 → 8×26×26 → pool 8×13×13 → 1352 → dense 10
    await expect(page.getByTestId('layer-shape-0').textContent()).resolves.toContain('8×26×26')
    await expect(page.getByTestId('layer-shape-2').textContent()).resolves.toContain('8×13×13')
    await expect(page.getByTestId('layer-shape-3').textContent()).resolves.toContain('1352')
    await expect(page.getByTestId('total-output').textContent()).resolves.toBe('10')
    await expect(page.getByTestId('layer-shape-0').getAttribute('title')).resolves.toContain('⌊(28 − 3) / 1⌋ + 1 = 26')

    // Dropped on the upper half of a card, a layer goes before it.
    await page.dragAndDrop('[data-testid="palette-dropout"]', '[data-testid="layer-1"]', { targetPosition: { x: 30, y: 4 } })
    expect((await layerTypes(page))[1]).toBe('Layer 1: Dropout')
    await page.getByTestId('undo').click()
    expect(await layerTypes(page)).toHaveLength(6)

    // Drag a card to reorder it: the softmax goes before the flatten, then back with undo.
    await page.dragAndDrop('[data-testid="layer-5"]', '[data-testid="drop-slot-3"]')
    expect((await layerTypes(page))[3]).toBe('Layer 3: Softmax')
    await page.getByTestId('undo').click()
    expect((await layerTypes(page))[5]).toBe('Layer 5: Softmax')

    // Edit a field through the form: filters and padding of the convolution.
    await page.getByTestId('layer-0').click()
    await page.getByTestId('field-filters').fill('6')
    await page.getByTestId('field-kernel').fill('5')
    await page.getByTestId('field-padding').fill('2')
    await page.getByTestId('field-padding').blur()
    await expect(page.getByTestId('layer-shape-0').textContent()).resolves.toContain('6×28×28')
    await expect(page.getByTestId('total-params').getAttribute('title')).resolves.toBe((6 * 25 + 6 + 6 * 14 * 14 * 10 + 10).toLocaleString('en-US'))

    // An invalid value is pinned to the field and blocks training.
    await page.getByTestId('field-filters').fill('0')
    await expect(page.getByTestId('field-filters').getAttribute('aria-invalid')).resolves.toBe('true')
    await expect(page.getByTestId('field-filters-error').textContent()).resolves.toMatch(/filters must be at least 1/)
    await expect(page.getByTestId('train-button').isDisabled()).resolves.toBe(true)
    await expect(page.getByTestId('train-blocked').textContent()).resolves.toMatch(/layer 0 \(conv2d\): filters/)
    // Undo: the typing in "filters" (6 then 0, one coalesced step since the blur) goes back to 8 in one step.
    await page.keyboard.press('Control+z')
    await expect(page.getByTestId('field-filters').inputValue()).resolves.toBe('6')
    await page.getByTestId('field-filters').blur()
    await page.keyboard.press('Control+z') // padding
    await expect(page.getByTestId('layer-shape-0').textContent()).resolves.toContain('6×24×24')
    await page.keyboard.press('Control+Shift+z')
    await expect(page.getByTestId('layer-shape-0').textContent()).resolves.toContain('6×28×28')
    await expect(page.getByTestId('train-button').isDisabled()).resolves.toBe(false)

    // Keyboard: select the ReLU card, move it down, then delete it and undo.
    await page.getByTestId('layer-1').click()
    await page.keyboard.press('Alt+ArrowDown')
    expect((await layerTypes(page))[2]).toBe('Layer 2: ReLU')
    await page.keyboard.press('Delete')
    expect(await layerTypes(page)).toHaveLength(5)
    await page.keyboard.press('Control+z')
    await page.keyboard.press('Control+z')
    expect((await layerTypes(page))[1]).toBe('Layer 1: ReLU')

    // Save twice under one name (two versions), then reopen version 1.
    await page.getByTestId('network-name').fill('e2e-net')
    await page.getByTestId('save-network').click()
    await expect(page.getByTestId('editor-status').textContent()).resolves.toMatch(/version 1/)
    await page.getByTestId('palette-dropout').focus()
    await page.keyboard.press('Enter')
    expect(await layerTypes(page)).toHaveLength(7)
    await expect(page.getByTestId('unsaved').count()).resolves.toBe(1)
    await page.keyboard.press('Control+s')
    await page.getByTestId('editor-status').filter({ hasText: 'version 2' }).waitFor()

    // A reload keeps the document being edited (a draft in this browser), then "New" empties it.
    await page.reload()
    await page.getByTestId('layer-6').waitFor()
    expect(await layerTypes(page)).toHaveLength(7)
    await expect(page.getByTestId('saved-version').textContent()).resolves.toBe('v2')
    await page.getByTestId('new-network').click()
    expect(await layerTypes(page)).toHaveLength(0)
    await page.getByTestId('open-saved').click()
    await page.getByTestId('saved-version-e2e-net').selectOption('1')
    await page.getByTestId('saved-open-e2e-net').click()
    await expect(page.getByTestId('saved-version').textContent()).resolves.toBe('v1')
    expect(await layerTypes(page)).toHaveLength(6)
    await expect(page.getByTestId('layer-shape-0').textContent()).resolves.toContain('6×28×28')
    await expect(page.getByTestId('network-name').inputValue()).resolves.toBe('e2e-net')

    expect(errors).toEqual([])
    await page.close()
  })

  it('builds LeNet-5 layer by layer through the form (the cross-view scenario) and matches the preset', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    const errors = watchPageErrors(page)
    await page.goto(serve.url)
    await page.getByTestId('new-network').click()
    for (const [type, fields] of LENET5_STEPS) {
      await dragIn(page, type)
      // The dropped layer is selected, so its form is open.
      for (const [field, value] of Object.entries(fields)) await page.getByTestId(`field-${field}`).fill(value)
    }
    await expect(page.getByTestId('total-params').getAttribute('title')).resolves.toBe('61,706')
    await expect(page.getByTestId('total-output').textContent()).resolves.toBe('10')
    await expect(page.getByTestId('layer-shape-5').textContent()).resolves.toContain('16×5×5')
    await expect(page.getByTestId('train-button').isDisabled()).resolves.toBe(false)

    // Export downloads the spec; it equals the LeNet-5 example's network apart from the name.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-spec').click()])
    const exported = JSON.parse(await readFile((await download.path())!, 'utf8'))
    const example = JSON.parse(await readFile(join(root, 'examples/lenet5.json'), 'utf8'))
    expect(exported).toEqual({ ...example.network, name: 'untitled' }) // named after the document

    // Importing a broken file lists every problem and changes nothing.
    await page.getByTestId('import-file').setInputFiles({
      name: 'bad.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ version: 1, input: { shape: [1, 28, 28] }, layers: [{ type: 'conv2d', filters: 0, kernel: 5 }, { type: 'relux' }] }))
    })
    await page.getByTestId('import-problems').locator('li').nth(1).waitFor()
    await expect(page.getByTestId('import-problems').locator('li').count()).resolves.toBe(2)
    await expect(page.getByTestId('import-problems').textContent()).resolves.toMatch(/did you mean "relu"/)
    await expect(page.getByTestId('total-params').getAttribute('title')).resolves.toBe('61,706')
    // A good experiment file loads, with its training recipe.
    await page.getByTestId('import-file').setInputFiles(join(root, 'examples/mlp.json'))
    // The file is read asynchronously: wait for the import to land.
    await page.waitForFunction(() => (document.querySelector('[data-testid="network-name"]') as HTMLInputElement | null)?.value === 'MLP')
    await expect(page.getByTestId('network-name').inputValue()).resolves.toBe('MLP')
    await expect(page.getByTestId('import-problems').count()).resolves.toBe(0)

    expect(errors).toEqual([])
    await page.close()
  })
})
