/**
 * The CLI's engine launcher: forkLauncher's child, but in its own process group, so a Ctrl-C in the
 * terminal (SIGINT to the whole foreground group) reaches only the CLI, which then asks the engine to
 * stop cleanly (checkpoint, status 'stopped') instead of the engine dying mid-epoch ('interrupted').
 */
import { fork } from 'node:child_process'
import { DEFAULT_CHILD_PATH, type EngineLauncher } from '../runs/launcher'
import type { FromEngine } from '../../src-engine/protocol'

export function cliEngineLauncher(childPath = DEFAULT_CHILD_PATH): EngineLauncher {
  const execArgv = childPath.endsWith('.ts') ? ['--import', 'tsx'] : []
  return () => {
    const child = fork(childPath, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true })
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = []
    let exited = false
    const fireExit = (code: number | null, signal: string | null) => {
      if (exited) return
      exited = true
      for (const cb of exitListeners) cb(code, signal)
    }
    child.on('exit', (code, signal) => fireExit(code, signal))
    child.on('error', () => {
      if (child.exitCode === null && child.signalCode === null && child.pid === undefined) fireExit(null, null)
    })
    // If the CLI itself exits (even through an uncaught error), its engine goes with it.
    const onParentExit = () => {
      if (!exited) child.kill('SIGKILL')
    }
    process.once('exit', onParentExit)
    child.once('exit', () => process.off('exit', onParentExit))
    return {
      send: (m) => {
        if (child.connected) child.send(m)
      },
      onMessage: (cb) => {
        child.on('message', (raw) => cb(raw as FromEngine))
      },
      onExit: (cb) => {
        exitListeners.push(cb)
      },
      kill: (signal) => {
        if (!exited) child.kill(signal)
      },
      get pid() {
        return child.pid
      }
    }
  }
}
