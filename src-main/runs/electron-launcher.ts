/** The only file in src-main/runs that imports Electron: the engine in a utilityProcess (main process, after app 'ready'). */
import { utilityProcess } from 'electron'
import type { FromEngine, ToEngine } from '../../src-engine/protocol'
import { lowerPriority, type ChildLauncher } from './launcher'

/** An engine (default) or the inspector in a utility process; `nice` lowers its priority below the main process's. */
export function utilityProcessLauncher<To = ToEngine, From = FromEngine>(childPath: string, serviceName = 'tatami-engine', nice = true): ChildLauncher<To, From> {
  return () => {
    const child = utilityProcess.fork(childPath, [], { serviceName, stdio: 'inherit' })
    // The pid exists once the process has spawned; engines run below the main process's priority.
    if (nice) child.on('spawn', () => lowerPriority(child.pid))
    let exited = false
    child.on('exit', () => {
      exited = true
    })
    return {
      send: (m) => {
        if (!exited) child.postMessage(m)
      },
      onMessage: (cb) => {
        child.on('message', (raw: unknown) => cb(raw as From))
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
