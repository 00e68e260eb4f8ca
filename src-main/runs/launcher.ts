/**
 * How the RunManager starts an engine process. The manager only sees EngineProcess; the app injects
 * the Electron utilityProcess launcher (electron-launcher.ts), Node (CLI, serve, tests) uses forkLauncher.
 */
import { fork, type Serializable } from 'node:child_process'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import type { FromEngine, ToEngine } from '../../src-engine/protocol'

/** A child process speaking one message union each way (the engine, or the inspector). */
export interface ChildHandle<To, From> {
  send(m: To): void
  onMessage(cb: (m: From) => void): void
  onExit(cb: (code: number | null, signal: string | null) => void): void
  kill(signal?: NodeJS.Signals): void
  readonly pid: number | undefined
}

export type ChildLauncher<To, From> = () => ChildHandle<To, From>
export type EngineProcess = ChildHandle<ToEngine, FromEngine>
export type EngineLauncher = ChildLauncher<ToEngine, FromEngine>

/** The TypeScript engine child, run through tsx (dev, CLI, tests). The built app uses out/main/engine-child.cjs. */
export const DEFAULT_CHILD_PATH = fileURLToPath(new URL('../../src-engine/child.ts', import.meta.url))

export interface ForkLauncherOptions {
  childPath?: string
  /** Default: ['--import', 'tsx'] for a .ts child, [] otherwise. */
  execArgv?: string[]
  /**
   * Start the engine in its own process group (the CLI): a Ctrl-C in the terminal, sent to the whole
   * foreground group, then reaches only the CLI, which stops the run cleanly (checkpoint, 'stopped')
   * instead of the engine dying mid-epoch ('interrupted'). The engine is killed if the parent exits.
   */
  ownProcessGroup?: boolean
  /** Run below the parent's CPU priority (default true: engines; the interactive inspector passes false). */
  lowerPriority?: boolean
}

/** Starts a child (by default the engine) with child_process.fork (structured-clone IPC, so typed arrays travel as such). */
export function forkLauncher<To = ToEngine, From = FromEngine>(options: ForkLauncherOptions = {}): ChildLauncher<To, From> {
  const childPath = options.childPath ?? DEFAULT_CHILD_PATH
  const execArgv = options.execArgv ?? (childPath.endsWith('.ts') ? ['--import', 'tsx'] : [])
  return () => {
    const detached = options.ownProcessGroup === true
    const child = fork(childPath, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached })
    if (options.lowerPriority !== false) lowerPriority(child.pid)
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = []
    let exited = false
    const fireExit = (code: number | null, signal: string | null) => {
      if (exited) return
      exited = true
      for (const cb of exitListeners) cb(code, signal)
    }
    child.on('exit', (code, signal) => fireExit(code, signal))
    // A spawn failure emits 'error' and possibly no 'exit'.
    child.on('error', () => {
      if (child.exitCode === null && child.signalCode === null && child.pid === undefined) fireExit(null, null)
    })
    if (detached) {
      // Outside our process group nothing else takes the engine down with us.
      const onParentExit = () => {
        if (!exited) child.kill('SIGKILL')
      }
      process.once('exit', onParentExit)
      child.once('exit', () => process.off('exit', onParentExit))
    }
    return {
      send: (m) => {
        if (child.connected) child.send(m as Serializable)
      },
      onMessage: (cb) => {
        child.on('message', (raw) => cb(raw as From))
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

/**
 * Engines run at a lower CPU priority than the process serving the UI, so that with more runs than
 * cores the main thread (queries, charts, IPC) stays responsive. Best effort: refused on some systems.
 */
export function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return
  try {
    os.setPriority(pid, Math.min(19, os.getPriority() + ENGINE_NICENESS))
  } catch {
    // Not permitted here; the engine keeps the default priority.
  }
}

/** How much nicer than the main process an engine runs (Unix niceness; 19 is the lowest priority). */
const ENGINE_NICENESS = 10
