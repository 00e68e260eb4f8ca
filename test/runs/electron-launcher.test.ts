import { describe, expect, it, vi } from 'vitest'
import { EventEmitter } from 'node:events'
import type { FromEngine, ToEngine } from '../../src-engine/protocol'

/** A stand-in for Electron's UtilityProcess: raw data on 'message', exit code only on 'exit'. */
class FakeUtilityProcess extends EventEmitter {
  pid: number | undefined = 4242
  posted: unknown[] = []
  killed = 0
  postMessage(message: unknown): void {
    this.posted.push(message)
  }
  kill(): boolean {
    this.killed++
    return true
  }
}

const forked: { path: string; args: string[]; options: Record<string, unknown>; child: FakeUtilityProcess }[] = []

vi.mock('electron', () => ({
  utilityProcess: {
    fork: (path: string, args: string[], options: Record<string, unknown>) => {
      const child = new FakeUtilityProcess()
      forked.push({ path, args, options, child })
      return child
    }
  }
}))

describe('utilityProcessLauncher', () => {
  it('forks a named utility process and maps postMessage, message, exit and kill', async () => {
    const { utilityProcessLauncher } = await import('../../src-main/runs/electron-launcher')
    const proc = utilityProcessLauncher('/app/out/main/engine-child.cjs')()
    expect(forked).toHaveLength(1)
    const { path, args, options, child } = forked[0]
    expect(path).toBe('/app/out/main/engine-child.cjs')
    expect(args).toEqual([])
    expect(options).toMatchObject({ serviceName: 'tatami-engine', stdio: 'inherit' })
    expect(proc.pid).toBe(4242)

    const received: FromEngine[] = []
    proc.onMessage((m) => received.push(m))
    const exits: [number | null, string | null][] = []
    proc.onExit((code, signal) => exits.push([code, signal]))

    const stop: ToEngine = { type: 'stop' }
    proc.send(stop)
    expect(child.posted).toEqual([stop])
    child.emit('message', { type: 'ready' })
    expect(received).toEqual([{ type: 'ready' }])

    proc.kill('SIGKILL')
    expect(child.killed).toBe(1)
    child.pid = undefined
    child.emit('exit', 0)
    expect(exits).toEqual([[0, null]])
    expect(proc.pid).toBeUndefined()
    // After exit, sends and kills are no-ops rather than errors.
    proc.send(stop)
    proc.kill()
    expect(child.posted).toHaveLength(1)
    expect(child.killed).toBe(1)
  })
})
