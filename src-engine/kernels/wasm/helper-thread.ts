/*
 * A second thread for the wasm kernels: a worker that instantiates the same kernel module on the
 * same shared WebAssembly.Memory (with its own scratch area) and runs one export call at a time
 * for the engine's thread, which computes the other part of the same job meanwhile and then waits.
 *
 * The two threads talk through a small SharedArrayBuffer, with no messages and no event loop:
 * the engine writes the export's index and arguments, bumps SEQ and notifies; the helper takes the
 * call (compare-and-swap on CLAIM), runs it, stores SEQ into DONE and notifies. Both spin briefly
 * before sleeping in Atomics.wait (the calls come in quick succession during a training step; a
 * futex wake-up costs tens of µs). When the engine has done its own part and the helper has not
 * taken the call yet (it is asleep, or its core is busy with other work), the engine takes the call
 * back and runs it itself instead of waiting: a starved helper slows a run down to one thread's
 * speed, not below it.
 *
 * This file has no Node imports: the host supplies `startHelper` (src-engine/node/kernel-helper.ts
 * starts a worker_threads Worker running HELPER_SOURCE).
 */

/** Exports the helper may be asked to run (indices are the protocol). */
export const HELPER_EXPORTS = [
  'gemm', 'convForward', 'convBackwardData', 'convBackwardWeights',
  'relu', 'reluBackward', 'addChannelBias', 'maxPoolForward', 'maxPoolBackward'
] as const
export type HelperExport = (typeof HELPER_EXPORTS)[number]

/** Int32 slots of the control array. */
const SEQ = 0
const DONE = 1
const FN = 2
const ARGC = 3
const STATUS = 4
const READY = 5
/** The posted call's SEQ while nobody has taken it; the helper (−1) or the engine (0) takes it by CAS. */
const CLAIM = 6
const CONTROL_INTS = 8
const MAX_ARGS = 32
/** Spin iterations before sleeping (a few tens of µs). */
const SPIN = 20000

export interface HelperInit {
  module: WebAssembly.Module
  memory: WebAssembly.Memory
  control: SharedArrayBuffer
  args: SharedArrayBuffer
  /** Byte address of the helper's scratch area. */
  scratch: number
  exports: readonly string[]
  spin: number
}

export interface HelperHandle {
  /** Ends the thread (after setting the stop request). */
  terminate(): void
}

/** Starts a thread running HELPER_SOURCE with `init` as its data. */
export type StartHelper = (init: HelperInit) => HelperHandle

/**
 * The worker's program (plain JavaScript, run with `eval`, so it needs no file next to the bundle).
 * It receives HelperInit as workerData.
 */
export const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads')
const { module, memory, control, args, scratch, exports: names, spin } = workerData
const ctl = new Int32Array(control)
const argv = new Float64Array(args)
const instance = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm kernels: abort in the helper thread') } } })
const ex = instance.exports
ex.setScratch(scratch)
const fns = names.map((n) => ex[n])
// Read before announcing READY: the engine may post its first call right after.
let last = Atomics.load(ctl, ${SEQ})
Atomics.store(ctl, ${READY}, 1)
Atomics.notify(ctl, ${READY})
for (;;) {
  let seq
  let spins = 0
  while ((seq = Atomics.load(ctl, ${SEQ})) === last) {
    if (spins++ < spin) continue
    Atomics.wait(ctl, ${SEQ}, last)
  }
  last = seq
  // Take the call unless the engine has taken it back (then it is not ours to read or answer).
  if (Atomics.compareExchange(ctl, ${CLAIM}, seq, -1) !== seq) continue
  const fn = ctl[${FN}]
  if (fn >= 0) {
    try {
      const a = []
      for (let i = 0, n = ctl[${ARGC}]; i < n; i++) a.push(argv[i])
      fns[fn].apply(null, a)
      ctl[${STATUS}] = 0
    } catch (err) {
      ctl[${STATUS}] = 1
    }
  }
  Atomics.store(ctl, ${DONE}, seq)
  Atomics.notify(ctl, ${DONE})
  if (fn < 0) break
}
`

/** The engine thread's side of one helper. */
export class HelperClient {
  private readonly ctl: Int32Array
  private readonly argv: Float64Array
  private readonly handle: HelperHandle
  private seq = 0
  private pending = false
  private stopped = false
  private pendingFn: HelperExport = 'gemm'
  private pendingArgs: readonly number[] = []
  /** Calls the engine took back from the helper and ran itself. */
  takenBack = 0

  constructor(start: StartHelper, module: WebAssembly.Module, memory: WebAssembly.Memory, scratch: number) {
    const control = new SharedArrayBuffer(CONTROL_INTS * 4)
    const args = new SharedArrayBuffer(MAX_ARGS * 8)
    this.ctl = new Int32Array(control)
    this.argv = new Float64Array(args)
    this.handle = start({ module, memory, control, args, scratch, exports: HELPER_EXPORTS, spin: SPIN })
  }

  /** True once the thread has instantiated the module (until then the engine does all the work). */
  get ready(): boolean {
    return !this.stopped && Atomics.load(this.ctl, READY) === 1
  }

  /** Blocks until the thread is up or `ms` have passed; returns ready. */
  waitReady(ms: number): boolean {
    if (!this.stopped) Atomics.wait(this.ctl, READY, 0, ms)
    return this.ready
  }

  /** Starts fn(...args) on the helper; the caller must join() before the next post. */
  post(fn: HelperExport, args: readonly number[]): void {
    if (this.pending) throw new Error('wasm helper thread: a call is already running')
    if (args.length > MAX_ARGS) throw new Error(`wasm helper thread: ${args.length} arguments, at most ${MAX_ARGS}`)
    for (let i = 0; i < args.length; i++) this.argv[i] = args[i]
    this.ctl[FN] = HELPER_EXPORTS.indexOf(fn)
    this.ctl[ARGC] = args.length
    this.seq = (this.seq + 1) & 0x3fffffff || 1 // positive, never 0 (CLAIM's "taken by the engine")
    this.pending = true
    this.pendingFn = fn
    this.pendingArgs = args
    Atomics.store(this.ctl, CLAIM, this.seq)
    Atomics.store(this.ctl, SEQ, this.seq)
    Atomics.notify(this.ctl, SEQ)
  }

  /**
   * Finishes the posted call: runs it here with `run` if the helper has not taken it yet, else waits
   * for the helper; throws if the helper's run failed.
   */
  join(run: (fn: HelperExport, args: readonly number[]) => void): void {
    if (!this.pending) return
    if (Atomics.compareExchange(this.ctl, CLAIM, this.seq, 0) === this.seq) {
      this.pending = false
      this.takenBack++
      run(this.pendingFn, this.pendingArgs)
      return
    }
    let done: number
    let spins = 0
    while ((done = Atomics.load(this.ctl, DONE)) !== this.seq) {
      if (spins++ < SPIN) continue
      Atomics.wait(this.ctl, DONE, done, 50)
    }
    this.pending = false
    if (this.ctl[STATUS] !== 0) throw new Error('wasm kernels: the helper thread failed a call')
  }

  stop(): void {
    if (this.stopped) return
    if (this.pending) throw new Error('wasm helper thread: stop() with a call still running')
    this.stopped = true
    if (Atomics.load(this.ctl, READY) === 1) {
      this.ctl[FN] = -1
      this.seq = (this.seq + 1) & 0x3fffffff || 1
      Atomics.store(this.ctl, CLAIM, this.seq)
      Atomics.store(this.ctl, SEQ, this.seq)
      Atomics.notify(this.ctl, SEQ)
    }
    this.handle.terminate()
  }
}
