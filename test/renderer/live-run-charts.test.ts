// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { reactive } from 'vue'
import RunCharts from '../../src-renderer/src/components/run/RunCharts.vue'
import LineChart from '../../src-renderer/src/components/charts/LineChart.vue'
import { emptyRun, type LiveRun } from '../../src-renderer/src/stores/live-runs'
import { smooth } from '../../src-renderer/src/components/run/progress'
import type { LineSeries } from '../../src-renderer/src/components/charts/line-series'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function liveRun(): LiveRun {
  return reactive({ ...emptyRun(1), status: 'running', loading: false, generation: 1 }) as LiveRun
}

function addSteps(live: LiveRun, from: number, to: number): void {
  for (let step = from; step <= to; step++) {
    live.series.loss.push({ x: step, y: 2 / step })
    live.series.accuracy.push({ x: step, y: 1 - 1 / step })
  }
  live.lastStep = to
  live.revision++
}

describe('RunCharts', () => {
  it('draws the store arrays themselves, smooths them, and batches many store revisions into few redraws', async () => {
    const live = liveRun()
    addSteps(live, 1, 10)
    const w = mount(RunCharts, { props: { live }, global: { stubs: { LineChart: true } } })
    const charts = w.findAllComponents(LineChart)
    expect(charts.map((c) => c.props('title'))).toEqual(['Loss', 'Accuracy', 'Learning rate', 'Throughput (images/s)'])
    const loss = charts[0]!.props('series') as LineSeries[]
    expect(loss.map((s) => s.label)).toEqual(['training (per step)', 'training (smoothed)', 'training (epoch)', 'validation', 'best epoch'])
    // No copies: the chart reads the store's arrays.
    expect(loss[0]!.points).toBe(live.series.loss)
    expect(loss[3]!.points).toBe(live.series.valLoss)
    expect(loss[1]!.points).toEqual(smooth(live.series.loss, 0.6))
    const firstRevision = charts[0]!.props('revision') as number

    for (let i = 0; i < 20; i++) addSteps(live, 11 + i * 5, 15 + i * 5)
    await sleep(500)
    await flushPromises()
    const redraws = (charts[0]!.props('revision') as number) - firstRevision
    expect(redraws).toBeGreaterThanOrEqual(1)
    expect(redraws).toBeLessThanOrEqual(2)
    expect(loss[1]!.points).toEqual(smooth(live.series.loss, 0.6))
    expect(w.find('[data-testid="run-chart-loss"]').attributes('data-points')).toBe('110')
    // The series objects stay the same: LineChart redraws in place rather than rebuilding its datasets.
    expect(charts[0]!.props('series')).toBe(loss)
    w.unmount()
  })

  it('re-smooths on a new smoothing weight and after a history reload; marks the best epoch', async () => {
    const live = liveRun()
    addSteps(live, 1, 30)
    live.series.valLoss.push({ x: 10, y: 0.9 }, { x: 20, y: 0.5 }, { x: 30, y: 0.7 })
    live.epochs.push(
      { epoch: 0, step: 10, trainLoss: 1, trainAccuracy: 0.5, valLoss: 0.9, valAccuracy: 0.6, lr: 0.1, elapsedMs: 1 },
      { epoch: 1, step: 20, trainLoss: 1, trainAccuracy: 0.5, valLoss: 0.5, valAccuracy: 0.7, lr: 0.1, elapsedMs: 2 },
      { epoch: 2, step: 30, trainLoss: 1, trainAccuracy: 0.5, valLoss: 0.7, valAccuracy: 0.8, lr: 0.1, elapsedMs: 3 }
    )
    live.bestEpoch = 1
    const w = mount(RunCharts, { props: { live }, global: { stubs: { LineChart: true } } })
    const loss = w.findAllComponents(LineChart)[0]!.props('series') as LineSeries[]
    expect(loss[4]!.points).toEqual([{ x: 20, y: 0.5 }])
    await w.find('[data-testid="run-smoothing"]').setValue('0.9')
    expect(loss[1]!.points).toEqual(smooth(live.series.loss, 0.9))
    // A reload refills the arrays in place with other values.
    live.series.loss.length = 0
    for (let step = 1; step <= 5; step++) live.series.loss.push({ x: step, y: step })
    live.generation++
    live.revision++
    await sleep(300)
    await flushPromises()
    expect(loss[1]!.points).toEqual(smooth(live.series.loss, 0.9))
    expect(loss[1]!.points).toHaveLength(5)
    w.unmount()
  })
})
