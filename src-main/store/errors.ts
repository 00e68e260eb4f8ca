/**
 * Every failure of the store becomes a StoreError with a small set of codes the UI and CLI can act on,
 * and a message that says what was being done and which file was involved.
 */
export type StoreErrorCode = 'locked' | 'readonly' | 'full' | 'corrupt' | 'not_found' | 'invalid' | 'io'

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** The database file, or ':memory:'. */
    readonly path: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'StoreError'
  }
}

/** Maps an SQLite result code (better-sqlite3's `code`, e.g. 'SQLITE_BUSY_SNAPSHOT') or a Node errno to a StoreErrorCode. */
export function classifyError(code: string | undefined): StoreErrorCode {
  if (!code) return 'io'
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'locked'
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH' || code === 'EACCES' || code === 'EROFS' || code === 'EPERM') return 'readonly'
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return 'full'
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt'
  if (code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_RANGE' || code === 'SQLITE_TOOBIG') return 'invalid'
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'not_found'
  return 'io'
}

/** Wraps any thrown value into a StoreError (StoreErrors pass through unchanged). `what` is e.g. 'append metrics to run 4'. */
export function toStoreError(err: unknown, what: string, path: string): StoreError {
  if (err instanceof StoreError) return err
  const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined
  const detail = err instanceof Error ? err.message : String(err)
  const kind = classifyError(code)
  const where = `the database ${path}`
  const message = {
    locked: `cannot ${what}: ${where} is locked by another process (still busy after waiting); nothing was written, try again`,
    readonly: `cannot ${what}: ${where} is read-only (check the file's and folder's permissions) (${detail})`,
    full: `cannot ${what}: the disk holding ${where} is full (or the database reached its size limit); nothing of this change was written`,
    corrupt: `cannot ${what}: ${path} is not a Tatami database or is damaged (${detail})`,
    not_found: `cannot ${what}: ${path} does not exist (${detail})`,
    invalid: `cannot ${what} in ${where}: ${detail}`,
    io: `cannot ${what}: input/output error on ${where} (${detail})`
  }[kind]
  return new StoreError(kind, message, path, { cause: err })
}
