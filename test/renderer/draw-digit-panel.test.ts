// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import DrawDigitPanel from '../../src-renderer/src/components/inside/DrawDigitPanel.vue'
import { setWorkbench } from '../../src-renderer/src/api/workbench'
import { InkRaster, PAD_SIZE, PEN_RADIUS } from '../../src-renderer/src/inside/ink-raster'
import { boundingBox, centerOfMass, preprocessDigit } from '../../src-engine/data/digit-preprocess'
import type { ForwardRequest, ForwardResponse, WorkbenchChannel, WorkbenchClient, WorkbenchRequest } from '../../src-main/contract/workbench-api'

const CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']

interface Pending {
  request: ForwardRequest
  resolve: (r: ForwardResponse) => void
  reject: (e: unknown) => void
}

/** A backend whose inspect:forward answers only when the test says so. */
function fakeClient() {
  const pending: Pending[] = []
  const client: WorkbenchClient = {
    invoke<C extends WorkbenchChannel>(channel: C, request: WorkbenchRequest<C>) {
      if (channel !== 'inspect:forward') return Promise.reject(new Error(`unexpected channel ${channel}`))
      return new Promise((resolve, reject) => {
        pending.push({ request: structuredClone(request as ForwardRequest), resolve: resolve as (r: ForwardResponse) => void, reject })
      })
    },
    subscribe: () => () => {}
  }
  return { client, pending }
}

function response(predicted: number, n = 10): ForwardResponse {
  const scores = Array.from({ length: n }, (_, i) => (i === predicted ? 0.82 : 0.02))
  return { input: [], inputShape: [1, 28, 28], layers: [], scores, predicted, classes: CLASSES.slice(0, n), scoreKind: 'probability' }
}

type Stroke = [number, number][]
/** A "1" and a "7" in pad pixels (the pad is 280×280; happy-dom has no layout, so client = bitmap coordinates). */
const ONE: Stroke = [[140, 40], [140, 90], [141, 140], [141, 190], [142, 240]]
const SEVEN_TOP: Stroke = [[60, 50], [130, 50], [210, 50]]

async function draw(w: VueWrapper, stroke: Stroke, pointerId = 1): Promise<void> {
  const canvas = w.get('[data-testid="draw-canvas"]')
  const [first, ...rest] = stroke
  await canvas.trigger('pointerdown', { pointerId, clientX: first[0], clientY: first[1], button: 0, pointerType: 'pen' })
  for (const [x, y] of rest) await canvas.trigger('pointermove', { pointerId, clientX: x, clientY: y, pointerType: 'pen' })
  const last = stroke[stroke.length - 1]
  await canvas.trigger('pointerup', { pointerId, clientX: last[0], clientY: last[1], pointerType: 'pen' })
}

/** The same strokes inked independently, then preprocessed: what the panel must send. */
function expectedPixels(strokes: Stroke[], shape: number[] = [1, 28, 28]): number[] {
  const r = new InkRaster(PAD_SIZE, PAD_SIZE, PEN_RADIUS)
  for (const s of strokes) {
    r.dot(s[0][0], s[0][1])
    for (let i = 1; i < s.length; i++) r.segment(s[i - 1][0], s[i - 1][1], s[i][0], s[i][1])
  }
  return preprocessDigit(r.image(), { shape, inkMax: 1 }).pixels
}

describe('DrawDigitPanel', () => {
  let fake: ReturnType<typeof fakeClient>

  beforeEach(() => {
    vi.useFakeTimers()
    fake = fakeClient()
    setWorkbench(fake.client)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  function mountPanel(props: Partial<{ runId: number; weights: ForwardRequest['weights']; inputShape: number[]; classes: string[] }> = {}) {
    return mount(DrawDigitPanel, { props: { runId: 7, weights: 'final' as const, inputShape: [1, 28, 28], classes: CLASSES, ...props } })
  }

  it('has a canvas that takes touch and pen input without scrolling the page', () => {
    const w = mountPanel()
    const canvas = w.get('[data-testid="draw-canvas"]')
    expect(canvas.attributes('width')).toBe('280')
    expect(canvas.attributes('aria-label')).toMatch(/mouse, a pen or a finger/)
    expect(w.get('[data-testid="draw-clear"]').attributes('disabled')).toBeDefined()
    expect(w.get('[data-testid="draw-preview"]').attributes('data-empty')).toBe('true')
  })

  it('sends the drawing, preprocessed as MNIST was, to inspect:forward when the stroke ends, and shows the prediction', async () => {
    const w = mountPanel()
    await draw(w, ONE)
    expect(w.get('[data-testid="draw-preview"]').attributes('data-empty')).toBe('false')
    expect(fake.pending).toHaveLength(0) // debounced
    vi.advanceTimersByTime(200)
    expect(fake.pending).toHaveLength(1)
    const { request } = fake.pending[0]
    expect(request.runId).toBe(7)
    expect(request.weights).toBe('final')
    if (request.input.kind !== 'pixels') throw new Error('expected pixels')
    const pixels = request.input.pixels
    expect(pixels).toEqual(expectedPixels([ONE]))
    const com = centerOfMass(pixels, 28, 28)!
    expect(Math.abs(com.x - 14)).toBeLessThanOrEqual(0.5)
    expect(Math.abs(com.y - 14)).toBeLessThanOrEqual(0.5)
    expect(boundingBox({ width: 28, height: 28, data: pixels })!.height).toBeGreaterThanOrEqual(19)

    fake.pending[0].resolve(response(1))
    await flushPromises()
    expect(w.get('[data-testid="draw-predicted"]').text()).toBe('1')
    expect(w.get('[data-testid="draw-predicted-score"]').text()).toBe('82.0%')
    expect(w.findAll('[data-testid="draw-scores"] li')).toHaveLength(10)
    expect(w.get('[data-testid="draw-score-1"]').classes()).toContain('best')
    expect(w.emitted('forward')).toEqual([[response(1)]])
  })

  it('keeps at most one request in flight and then sends the latest drawing', async () => {
    const w = mountPanel()
    await draw(w, SEVEN_TOP)
    vi.advanceTimersByTime(200)
    expect(fake.pending).toHaveLength(1)
    // A second stroke while the first prediction is out: no second request yet.
    await draw(w, [[210, 50], [170, 140], [130, 240]])
    vi.advanceTimersByTime(200)
    expect(fake.pending).toHaveLength(1)
    // The stale answer (for the top bar only) is dropped; the full 7 goes out.
    fake.pending[0].resolve(response(4))
    await flushPromises()
    expect(w.find('[data-testid="draw-predicted"]').exists()).toBe(false)
    expect(fake.pending).toHaveLength(2)
    const second = fake.pending[1].request.input
    expect(second.kind === 'pixels' && second.pixels).toEqual(expectedPixels([SEVEN_TOP, [[210, 50], [170, 140], [130, 240]]]))
    fake.pending[1].resolve(response(7))
    await flushPromises()
    expect(w.get('[data-testid="draw-predicted"]').text()).toBe('7')
    expect(w.emitted('forward')).toHaveLength(1)
  })

  it('waits for quick successive strokes (debounce): one request for both', async () => {
    const w = mountPanel()
    await draw(w, SEVEN_TOP)
    vi.advanceTimersByTime(50)
    await draw(w, [[210, 50], [130, 240]])
    vi.advanceTimersByTime(200)
    expect(fake.pending).toHaveLength(1)
    const input = fake.pending[0].request.input
    expect(input.kind === 'pixels' && input.pixels).toEqual(expectedPixels([SEVEN_TOP, [[210, 50], [130, 240]]]))
  })

  it('Clear empties the pad, the preview and the prediction, and says so', async () => {
    const w = mountPanel()
    await draw(w, ONE)
    vi.advanceTimersByTime(200)
    fake.pending[0].resolve(response(1))
    await flushPromises()
    await w.get('[data-testid="draw-clear"]').trigger('click')
    expect(w.emitted('cleared')).toHaveLength(1)
    expect(w.find('[data-testid="draw-predicted"]').exists()).toBe(false)
    expect(w.get('[data-testid="draw-preview"]').attributes('data-empty')).toBe('true')
    expect(w.get('[data-testid="draw-clear"]').attributes('disabled')).toBeDefined()
    vi.advanceTimersByTime(500)
    expect(fake.pending).toHaveLength(1)
  })

  it('a clear while a request is out drops its answer', async () => {
    const w = mountPanel()
    await draw(w, ONE)
    vi.advanceTimersByTime(200)
    await w.get('[data-testid="draw-clear"]').trigger('click')
    fake.pending[0].resolve(response(1))
    await flushPromises()
    expect(w.find('[data-testid="draw-predicted"]').exists()).toBe(false)
    expect(w.emitted('forward')).toBeUndefined()
    expect(fake.pending).toHaveLength(1)
  })

  it('shows the backend’s error', async () => {
    const w = mountPanel()
    await draw(w, ONE)
    vi.advanceTimersByTime(200)
    fake.pending[0].reject({ name: 'NotFoundError', message: 'run 7 has no final weights' })
    await flushPromises()
    expect(w.get('[data-testid="draw-error"]').text()).toBe('run 7 has no final weights')
  })

  it('asks again with the new weights when the epoch changes', async () => {
    const w = mountPanel()
    await draw(w, ONE)
    vi.advanceTimersByTime(200)
    fake.pending[0].resolve(response(1))
    await flushPromises()
    await w.setProps({ weights: { epoch: 0 } })
    await flushPromises()
    expect(fake.pending).toHaveLength(2)
    expect(fake.pending[1].request.weights).toEqual({ epoch: 0 })
  })

  it('makes samples of the model’s input shape: 3 channels of 32×32, replicated', async () => {
    const w = mountPanel({ inputShape: [3, 32, 32] })
    await draw(w, ONE)
    vi.advanceTimersByTime(200)
    const input = fake.pending[0].request.input
    if (input.kind !== 'pixels') throw new Error('expected pixels')
    expect(input.pixels).toHaveLength(3 * 32 * 32)
    expect(input.pixels).toEqual(expectedPixels([ONE], [3, 32, 32]))
    expect(input.pixels.slice(0, 1024)).toEqual(input.pixels.slice(2048))
    expect(w.get('[data-testid="draw-preview"]').attributes('width')).toBe('32')
  })

  it('draws with the keyboard too: arrows move the pen, Space puts it down and lifts it, Delete clears', async () => {
    const w = mountPanel()
    const canvas = w.get('[data-testid="draw-canvas"]')
    expect(canvas.attributes('tabindex')).toBe('0')
    // From the centre (140, 140): up 6 steps of 14, pen down, down 12 steps, pen up: a vertical "1".
    for (let i = 0; i < 6; i++) await canvas.trigger('keydown', { key: 'ArrowUp' })
    expect(w.get('[data-testid="draw-key-pen"]').attributes('style')).toContain('top: 20%')
    await canvas.trigger('keydown', { key: ' ' })
    expect(w.get('[data-testid="draw-key-pen"]').classes()).toContain('down')
    for (let i = 0; i < 12; i++) await canvas.trigger('keydown', { key: 'ArrowDown' })
    await canvas.trigger('keydown', { key: ' ' })
    vi.advanceTimersByTime(200)
    expect(fake.pending).toHaveLength(1)
    const input = fake.pending[0].request.input
    const path: Stroke = Array.from({ length: 13 }, (_, i) => [140, 56 + 14 * i])
    expect(input.kind === 'pixels' && input.pixels).toEqual(expectedPixels([path]))
    await canvas.trigger('keydown', { key: 'Delete' })
    expect(w.emitted('cleared')).toHaveLength(1)
    expect(w.get('[data-testid="draw-preview"]').attributes('data-empty')).toBe('true')
  })

  it('remakes the sample when the model’s input shape changes', async () => {
    const w = mountPanel()
    await draw(w, ONE)
    vi.advanceTimersByTime(200)
    fake.pending[0].resolve(response(1))
    await flushPromises()
    await w.setProps({ inputShape: [1, 16, 16] })
    await flushPromises()
    vi.advanceTimersByTime(200)
    expect(fake.pending).toHaveLength(2)
    const input = fake.pending[1].request.input
    expect(input.kind === 'pixels' && input.pixels).toEqual(expectedPixels([ONE], [1, 16, 16]))
    expect(w.get('[data-testid="draw-preview"]').attributes('width')).toBe('16')
  })

  it('ignores a second finger and the right mouse button', async () => {
    const w = mountPanel()
    const canvas = w.get('[data-testid="draw-canvas"]')
    await canvas.trigger('pointerdown', { pointerId: 3, clientX: 50, clientY: 50, button: 2, pointerType: 'mouse' })
    await canvas.trigger('pointerup', { pointerId: 3, clientX: 50, clientY: 50, pointerType: 'mouse' })
    vi.advanceTimersByTime(200)
    expect(fake.pending).toHaveLength(0)
    await canvas.trigger('pointerdown', { pointerId: 1, clientX: 140, clientY: 40, button: 0, pointerType: 'touch' })
    await canvas.trigger('pointermove', { pointerId: 2, clientX: 10, clientY: 270, pointerType: 'touch' })
    await canvas.trigger('pointermove', { pointerId: 1, clientX: 140, clientY: 240, pointerType: 'touch' })
    await canvas.trigger('pointerup', { pointerId: 1, clientX: 140, clientY: 240, pointerType: 'touch' })
    vi.advanceTimersByTime(200)
    const input = fake.pending[0].request.input
    expect(input.kind === 'pixels' && input.pixels).toEqual(expectedPixels([[[140, 40], [140, 240]]]))
  })
})

describe('InkRaster', () => {
  const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0)

  it('inks a dot as an anti-aliased disc of the pen radius', () => {
    const r = new InkRaster(64, 64, 9)
    expect(r.empty).toBe(true)
    r.dot(32, 32)
    expect(r.empty).toBe(false)
    expect(sum(r.data) / (Math.PI * 81)).toBeCloseTo(1, 1)
    expect(r.data[31 * 64 + 31]).toBe(1)
    expect(r.data[32 * 64 + 32 + 12]).toBe(0)
    expect(r.data.some((v) => v > 0 && v < 1)).toBe(true)
  })

  it('inks a segment as a capsule (2rL + πr²), overlapping strokes not adding up', () => {
    const r = new InkRaster(200, 64, 6)
    r.segment(40, 32, 140, 32)
    const once = sum(r.data)
    expect(once / (2 * 6 * 100 + Math.PI * 36)).toBeCloseTo(1, 1)
    r.segment(40, 32, 140, 32)
    expect(sum(r.data)).toBe(once)
    r.clear()
    expect(r.empty).toBe(true)
    expect(sum(r.data)).toBe(0)
  })

  it('clips strokes at the edges', () => {
    const r = new InkRaster(20, 20, 5)
    r.segment(-10, -10, 30, 30)
    expect(r.data[0]).toBe(1)
    expect(r.data[399]).toBe(1)
    expect(r.data[19]).toBe(0)
  })
})
