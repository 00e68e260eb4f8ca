/**
 * `tatami serve [--db PATH] [--port N] [--concurrency N] [--static DIR]`
 * The same backend as the desktop app (store, run manager, engine processes) in plain Node, with the
 * built renderer and the WorkbenchApi over HTTP + Server-Sent Events on 127.0.0.1 only, guarded by a
 * random per-launch token that is printed with the URL.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { WORKBENCH_CHANNELS, WORKBENCH_EVENTS } from '../contract/workbench-api'
import { startWorkbenchBackend } from '../services/workbench-service'
import { startServeServer, type ServeHandler, type ServeListener } from '../serve/http-server'
import { DB_HELP, dbPath, UsageError } from './db'
import { exportsDir } from '../export/export-run'

const DEFAULT_STATIC = fileURLToPath(new URL('../../out/renderer/', import.meta.url))

const HELP = `Usage: tatami serve [options]

Serves the workbench on http://127.0.0.1 (never on other interfaces) for machines without a display:
the built renderer (npm run build) and the WorkbenchApi, with a random token per launch that every
API request must carry. Open the printed URL in a browser. Ctrl-C stops it; runs still training are
marked interrupted and can be resumed later.

Options:
${DB_HELP}
  --port N         port on 127.0.0.1 (default: a free one)
  --concurrency N  runs training at once (default: the number of CPU cores)
  --static DIR     the built renderer (default: out/renderer)
  -h, --help       show this help`

export async function serveCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      port: { type: 'string' },
      concurrency: { type: 'string' },
      static: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`tatami serve: unexpected argument "${positionals[0]}"\n\n${HELP}`)
  const port = values.port === undefined ? 0 : wholeNumber('--port', values.port, 0, 65535)
  const concurrency = values.concurrency === undefined ? undefined : wholeNumber('--concurrency', values.concurrency, 1, 64)
  const staticDir = values.static ?? DEFAULT_STATIC
  if (!existsSync(staticDir)) {
    throw new UsageError(`tatami serve: the renderer is not built (${staticDir} is missing); run npm run build first, or pass --static DIR`)
  }
  const path = dbPath(values.db)
  mkdirSync(dirname(path), { recursive: true })
  const backend = startWorkbenchBackend({ dbPath: path, ...(concurrency !== undefined ? { concurrency } : {}) })
  const handlers: Record<string, ServeHandler> = {}
  for (const channel of WORKBENCH_CHANNELS) handlers[channel] = (request: unknown) => backend.service.invoke(channel, request)
  const subscribe = (listener: ServeListener) => {
    const offs = WORKBENCH_EVENTS.map((event) => backend.service.events.on(event, (payload) => listener(event, payload)))
    return () => offs.forEach((off) => off())
  }
  let server: Awaited<ReturnType<typeof startServeServer>>
  try {
    server = await startServeServer({ handlers, subscribe, staticDir, port, downloadsDir: exportsDir(path) })
  } catch (err) {
    backend.close()
    throw err
  }
  process.stdout.write(`Tatami is serving ${path}\n`)
  if (backend.recovered.length) process.stdout.write(`runs left running by a previous process, now interrupted: ${backend.recovered.join(', ')}\n`)
  process.stdout.write(`open ${server.url}\n`)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await server.close()
  backend.close()
  process.stdout.write('stopped\n')
  return 0
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`tatami serve: ${flag} must be a whole number from ${min} to ${max}, got "${text}"`)
  return n
}
