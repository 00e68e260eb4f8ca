import { afterEach, describe, expect, it } from 'vitest'
import type { RunManager } from '../../src-main/runs/run-manager'
import type { StepEvent } from '../../src-engine/protocol'
import { epochValues, network, setup, stepValues, STEPS_PER_EPOCH, training } from './helpers'

let managers: RunManager[] = []
afterEach(() => {
  for (const m of managers) m.shutdown()
  managers = []
})

describe('an engine process killed mid-run', () => {
  it('leaves the run interrupted with its metrics, the queue goes on, and resume reproduces an uninterrupted run exactly', async () => {
    const { manager, sink } = setup(1)
    // The uninterrupted reference, in a manager of its own so it trains alongside.
    const { manager: refManager, sink: refSink } = setup(1)
    managers.push(manager, refManager)

    let killedPid: number | undefined
    let receivedBeforeKill: StepEvent[] = []
    const off = manager.on('steps', (e) => {
      // Kill inside the second epoch, after the first epoch's checkpoint.
      if (e.runId === 'k' && e.steps.at(-1)!.epoch >= 1) {
        off()
        killedPid = manager.pid('k')
        receivedBeforeKill = [...sink.run('k').steps]
        process.kill(killedPid!, 'SIGKILL')
      }
    })
    manager.enqueue({ runId: 'k', network, training: training(3, 11) })
    manager.enqueue({ runId: 'next', network, training: training(1) })
    refManager.enqueue({ runId: 'ref', network, training: training(3, 11) })

    expect(await manager.settled('k')).toBe('interrupted')
    const killed = sink.run('k')
    expect(killedPid).toBeGreaterThan(0)
    expect(killed.info?.signal).toBe('SIGKILL')
    expect(killed.info?.message).toMatch(/SIGKILL/)
    // Every metric received before the kill is kept.
    expect(killed.steps.slice(0, receivedBeforeKill.length)).toEqual(receivedBeforeKill)
    expect(killed.steps.length).toBeGreaterThan(STEPS_PER_EPOCH)
    expect(killed.epochs.length).toBeGreaterThanOrEqual(1)
    const checkpoint = killed.checkpoints.latest!
    expect(checkpoint.globalStep).toBeGreaterThanOrEqual(STEPS_PER_EPOCH)

    // The manager carries on with the queued run.
    expect(await manager.settled('next')).toBe('completed')
    expect(sink.run('next').steps).toHaveLength(STEPS_PER_EPOCH)

    // Resume from the latest checkpoint in a fresh process.
    const stepsBeforeResume = killed.steps.length
    const epochsBeforeResume = killed.epochs.length
    manager.resume('k')
    expect(await manager.settled('k')).toBe('completed')
    expect(await refManager.settled('ref')).toBe('completed')
    expect(killed.history).toEqual(['queued', 'running', 'interrupted', 'queued', 'running', 'completed'])

    // The resumed attempt picks up right after the checkpoint; steps after it from the killed attempt are replayed.
    const resumedSteps = killed.steps.slice(stepsBeforeResume)
    expect(resumedSteps[0].step).toBe(checkpoint.globalStep + 1)
    const combined = [...killed.steps.slice(0, stepsBeforeResume).filter((s) => s.step <= checkpoint.globalStep), ...resumedSteps]
    const ref = refSink.run('ref')
    expect(stepValues(combined)).toEqual(stepValues(ref.steps))
    const combinedEpochs = [...killed.epochs.slice(0, epochsBeforeResume).filter((e) => e.epoch < checkpoint.epoch), ...killed.epochs.slice(epochsBeforeResume)]
    expect(epochValues(combinedEpochs)).toEqual(epochValues(ref.epochs))
    expect(killed.info?.done).toEqual(ref.info?.done)

    // Final weights, optimizer state and RNG (the engine's 'end' checkpoint) are bit-identical.
    const a = killed.checkpoints.latest!
    const b = ref.checkpoints.latest!
    expect(a.globalStep).toBe(ref.info!.done!.step)
    expect(b.globalStep).toBe(ref.info!.done!.step)
    expect(a.rng).toEqual(b.rng)
    expect(a.weights).toEqual(b.weights)
    expect(a.bestWeights).toEqual(b.bestWeights)
    expect(a.optimizer).toEqual(b.optimizer)
    expect(killed.artifacts.final).toEqual(ref.artifacts.final)
  }, 90000)
})
