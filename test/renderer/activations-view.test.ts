// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ActivationsView from '../../src-renderer/src/views/ActivationsView.vue'
import { CURVE_ACTIVATIONS } from '../../src-renderer/src/inside/activation-curves'
import { curvePath, niceTicks, yRangeOf, type PlotScale } from '../../src-renderer/src/inside/curve-plot'
import { parseRoute, routeHash } from '../../src-renderer/src/stores/navigation'

const moves = (d: string) => (d.match(/M/g) ?? []).length

describe('curve plot geometry', () => {
  const scale: PlotScale = { xMin: -5, xMax: 5, yMin: 0, yMax: 1, box: { width: 120, height: 70, pad: 10 } }

  it('maps the range onto the inner box and breaks the path at jumps only', () => {
    expect(curvePath(scale, [-5, 5], [0, 1], 2)).toBe('M10.0 60.0 L110.0 10.0')
    // A step (ReLU′): two flat pieces, not joined.
    expect(moves(curvePath(scale, [-1, -0.5, 0, 0.5, 1], [0, 0, 0, 1, 1]))).toBe(2)
    // A smooth ramp of small steps stays one piece.
    expect(moves(curvePath(scale, [0, 1, 2, 3], [0, 0.1, 0.2, 0.3]))).toBe(1)
  })

  it('picks round ticks and a y range that holds the curve and 0', () => {
    expect(niceTicks(-5, 5, 5)).toEqual([-4, -2, 0, 2, 4])
    expect(niceTicks(0, 0.27, 4)).toEqual([0, 0.1, 0.2])
    expect(niceTicks(0, 0.27, 6)).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25])
    const [lo, hi] = yRangeOf([0.1, 0.25])
    expect(lo).toBe(0)
    expect(hi).toBeGreaterThan(0.25)
    const [lo2, hi2] = yRangeOf([-1, 5])
    expect(lo2).toBeLessThan(-1)
    expect(hi2).toBeGreaterThan(5)
  })
})

describe('ActivationsView', () => {
  it('is reached at #/activations', () => {
    expect(parseRoute('#/activations')).toEqual({ view: 'activations' })
    expect(routeHash({ view: 'activations' })).toBe('#/activations')
  })

  it('plots every activation and its derivative side by side, with formulas', () => {
    const w = mount(ActivationsView)
    for (const type of CURVE_ACTIVATIONS) {
      const card = w.get(`[data-testid="activation-${type}"]`)
      const paths = card.findAll('[data-testid="curve-path"]')
      expect(paths, type).toHaveLength(2)
      for (const p of paths) expect(p.attributes('d')!.split(/[ML]/).length, type).toBeGreaterThan(150)
      expect(card.findAll('figcaption code')).toHaveLength(2)
    }
    // The steps of ReLU′ and FReLU′ are drawn as two pieces; σ′ and tanh′ as one.
    const dPath = (type: string) => w.get(`[data-testid="activation-${type}"] [data-testid="plot-df-${type}"] [data-testid="curve-path"]`).attributes('d')!
    expect(moves(dPath('relu'))).toBe(2)
    expect(moves(dPath('frelu'))).toBe(2)
    expect(moves(dPath('sigmoid'))).toBe(1)
    expect(moves(dPath('tanh'))).toBe(1)
    // The engine's sigmoid has its steepest slope, 1/4, at 0; tanh's is 1.
    expect(w.get('[data-testid="max-df-sigmoid"]').text()).toContain('0.25')
    expect(w.get('[data-testid="max-df-tanh"]').text()).toContain(': 1')
  })

  it('redraws leaky ReLU for a new slope and shows the engine’s message for an invalid one, keeping the last curve', async () => {
    const w = mount(ActivationsView)
    const fPath = () => w.get('[data-testid="plot-f-leaky_relu"] [data-testid="curve-path"]').attributes('d')
    const before = fPath()
    const input = w.get('[data-testid="param-slope"]')
    await input.setValue('0.5')
    const steeper = fPath()
    expect(steeper).not.toBe(before)
    expect(w.get('[data-testid="max-df-leaky_relu"]').text()).toContain(': 1')
    await input.setValue('1.5')
    expect(w.get('[data-testid="param-error-leaky_relu"]').text()).toMatch(/slope/)
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(fPath()).toBe(steeper)
    await input.setValue('0.2')
    expect(w.find('[data-testid="param-error-leaky_relu"]').exists()).toBe(false)
  })

  it('reads f and f′ at a point: arrow keys on a focused plot move a marker on both plots', async () => {
    const w = mount(ActivationsView)
    const plot = w.get('[data-testid="plot-f-sigmoid"]')
    expect(w.get('[data-testid="readout-sigmoid"]').text()).toBe('')
    // From the middle sample (x = 0), one step of 5 samples (0.05 apart) to the right: x = 0.25.
    await plot.trigger('keydown', { key: 'ArrowRight' })
    const s = 1 / (1 + Math.exp(-0.25))
    expect(w.get('[data-testid="readout-sigmoid"]').text()).toBe(`x = 0.25:  f(x) = ${s.toFixed(4)},  f′(x) = ${(s * (1 - s)).toFixed(4)}`)
    expect(w.findAll('[data-testid="activation-sigmoid"] [data-testid="curve-marker"]')).toHaveLength(2)
    expect(w.findAll('[data-testid="activation-tanh"] [data-testid="curve-marker"]')).toHaveLength(0)
    await w.get('[data-testid="plot-df-sigmoid"]').trigger('keydown', { key: 'ArrowLeft', shiftKey: true })
    expect(w.get('[data-testid="readout-sigmoid"]').text()).toMatch(/^x = 0.2:/)
    await plot.trigger('keydown', { key: 'Escape' })
    expect(w.findAll('[data-testid="activation-sigmoid"] [data-testid="curve-marker"]')).toHaveLength(0)
  })

  it('moves the FReLU funnel and the ELU floor', async () => {
    const w = mount(ActivationsView)
    const path = (id: string) => w.get(`[data-testid="${id}"] [data-testid="curve-path"]`).attributes('d')
    const frelu = path('plot-f-frelu')
    await w.get('[data-testid="param-funnel"]').setValue('-2')
    expect(path('plot-f-frelu')).not.toBe(frelu)
    const elu = path('plot-f-elu')
    await w.get('[data-testid="param-alpha"]').setValue('2')
    expect(path('plot-f-elu')).not.toBe(elu)
    // ELU′(0) = α (the engine's convention at 0), the largest slope when α > 1.
    expect(w.get('[data-testid="max-df-elu"]').text()).toContain(': 2')
  })
})
