/**
 * The main process's side of the inspector process: started on first use, one request id per call,
 * restarted after it dies (a request in flight then fails with a clear error; the next one starts a
 * fresh process). A request that takes longer than `timeoutMs` kills the process, since a model that
 * hangs would otherwise block every view after it.
 */
import { fileURLToPath } from 'node:url'
import type { ForwardResult, FromInspector, InspectorInput, InspectorModel, SamplesResult, ToInspector } from '../../src-engine/inspect/inspector-protocol'
import type { TrainConfig } from '../../src-engine/train/train-config'
import { forkLauncher, type ChildHandle, type ChildLauncher } from '../runs/launcher'
import { UnavailableError } from '../services/service-errors'

export type InspectorLauncher = ChildLauncher<ToInspector, FromInspector>

/** The TypeScript inspector child, run through tsx (dev, CLI, tests). The built app uses out/main/inspector-child.cjs. */
export const DEFAULT_INSPECTOR_PATH = fileURLToPath(new URL('../../src-engine/inspector-child.ts', import.meta.url))

export function inspectorForkLauncher(childPath = DEFAULT_INSPECTOR_PATH): InspectorLauncher {
  return forkLauncher<ToInspector, FromInspector>({ childPath, lowerPriority: false })
}

export interface InspectorClientOptions {
  launcher?: InspectorLauncher
  resourcesDir?: string
  datasetsDir?: string
  timeoutMs?: number
}

type Answer = Exclude<FromInspector, { type: 'ready' }>
type Request = ToInspector extends infer T ? (T extends { id: number } ? Omit<T, 'id'> : never) : never

interface Pending {
  resolve(answer: Answer): void
  reject(err: Error): void
  timer: NodeJS.Timeout
}

export class InspectorClient {
  private child: ChildHandle<ToInspector, FromInspector> | null = null
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private readonly launcher: InspectorLauncher
  private readonly timeoutMs: number
  /** Processes started so far (tests kill one and watch the next). */
  launches = 0

  constructor(private readonly options: InspectorClientOptions = {}) {
    this.launcher = options.launcher ?? inspectorForkLauncher()
    this.timeoutMs = options.timeoutMs ?? 120_000
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  /**
   * A forward pass keeping every layer's output. `loadModel` is called only when the inspector does
   * not hold the model of that key yet (reading and decoding weights costs more than the pass).
   */
  async forward(modelKey: string, loadModel: () => InspectorModel, input: InspectorInput): Promise<ForwardResult> {
    let answer = await this.request({ type: 'forward', modelKey, input })
    if (answer.type === 'missing-model') answer = await this.request({ type: 'forward', modelKey, model: loadModel(), input })
    if (answer.type !== 'forward') throw new Error(`inspector: unexpected answer ${answer.type} to a forward pass`)
    return answer.result
  }

  async samples(training: TrainConfig, indices: number[]): Promise<SamplesResult> {
    const answer = await this.request({ type: 'samples', training, indices })
    if (answer.type !== 'samples') throw new Error(`inspector: unexpected answer ${answer.type} to a samples request`)
    return answer.result
  }

  close(): void {
    const child = this.child
    this.child = null
    this.failAll(new UnavailableError('the inspector was closed'))
    child?.kill()
  }

  private request(message: Request): Promise<Answer> {
    const child = this.ensureChild()
    const id = this.nextId++
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new UnavailableError(`the inspector did not answer within ${Math.round(this.timeoutMs / 1000)} s; it was restarted, try again`))
        if (this.child === child) {
          this.child = null
          child.kill('SIGKILL')
        }
      }, this.timeoutMs)
      this.pending.set(id, {
        resolve: (answer) => (answer.type === 'error' ? reject(inspectorError(answer.error)) : resolve(answer)),
        reject,
        timer
      })
      child.send({ ...message, id } as ToInspector)
    })
  }

  private ensureChild(): ChildHandle<ToInspector, FromInspector> {
    if (this.child) return this.child
    const child = this.launcher()
    this.launches++
    this.child = child
    child.onMessage((m) => {
      if (m.type === 'ready') return
      const p = this.pending.get(m.id)
      if (!p) return
      this.pending.delete(m.id)
      clearTimeout(p.timer)
      p.resolve(m)
    })
    child.onExit((code, signal) => {
      if (this.child === child) this.child = null
      this.failAll(new UnavailableError(`the inspector process exited (${signal ?? `code ${code}`}) before answering; try again`))
    })
    child.send({ type: 'configure', resourcesDir: this.options.resourcesDir, datasetsDir: this.options.datasetsDir })
    return child
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer)
      this.pending.delete(id)
      p.reject(err)
    }
  }
}

/** The inspector's error as an Error of the same name, so the transports map it as usual. */
function inspectorError(e: { name: string; message: string }): Error {
  const err = new Error(e.message.replace(/^inspector: /, ''))
  err.name = e.name
  return err
}
