import { Worker } from 'node:worker_threads'
import { HELPER_SOURCE, type HelperHandle, type HelperInit } from '../kernels/wasm/helper-thread'

/**
 * Starts the wasm kernels' helper thread as a worker_threads Worker (src-engine/kernels/wasm/
 * helper-thread.ts). The worker is unref'd: it never keeps the process alive on its own.
 */
export function startKernelHelper(init: HelperInit): HelperHandle {
  const worker = new Worker(HELPER_SOURCE, { eval: true, workerData: init })
  worker.unref()
  worker.on('error', (err) => {
    // A failed start leaves READY unset, so the engine keeps computing alone; report it once.
    console.error(`wasm kernels: the helper thread stopped: ${err instanceof Error ? err.message : String(err)}`)
  })
  return { terminate: () => void worker.terminate() }
}
