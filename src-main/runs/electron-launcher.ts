/** The only file in src-main/runs that imports Electron: the engine in a utilityProcess (main process, after app 'ready'). */
import { utilityProcess } from 'electron'
import type { FromEngine } from '../../src-engine/protocol'
import { lowerPriority, type EngineLauncher } from './launcher'

export function utilityProcessLauncher(childPath: string): EngineLauncher {
  return () => {
    const child = utilityProcess.fork(childPath, [], { serviceName: 'tatami-engine', stdio: 'inherit' })
    // The pid exists once the process has spawned; engines run below the main process's priority.
    child.on('spawn', () => lowerPriority(child.pid))
    let exited = false
    child.on('exit', () => {
      exited = true
    })
    return {
      send: (m) => {
        if (!exited) child.postMessage(m)
      },
      onMessage: (cb) => {
        child.on('message', (raw: unknown) => cb(raw as FromEngine))
      },
      // utilityProcess reports only an exit code, never the signal.
      onExit: (cb) => {
        child.on('exit', (code: number) => cb(code, null))
      },
      // utilityProcess.kill() takes no signal (it sends SIGTERM).
      kill: () => {
        if (!exited) child.kill()
      },
      get pid() {
        return child.pid
      }
    }
  }
}
