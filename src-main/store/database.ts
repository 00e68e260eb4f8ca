/**
 * Opens (creating if needed) a Tatami database: WAL journal, foreign keys, a busy timeout, and the
 * numbered migrations applied in one transaction. Every failure is a StoreError naming the file.
 */
import Database from 'better-sqlite3'
import { existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { StoreError, toStoreError } from './errors'
import { MIGRATIONS } from './migrations'

export type SqliteDatabase = Database.Database

export interface OpenOptions {
  /** Open without write access; the schema must already be current. */
  readonly?: boolean
  /** Fail with 'not_found' instead of creating a new database. */
  mustExist?: boolean
  /** How long a write waits for another process's lock before failing with 'locked'. Default 5000 ms. */
  busyTimeoutMs?: number
  /** Run PRAGMA quick_check (reads every page: slow on big files). Damage found later is reported as 'corrupt' anyway. */
  quickCheck?: boolean
  /** For tests: the migrations to apply (default MIGRATIONS). */
  migrations?: readonly string[]
}

export function openDatabase(path: string, options: OpenOptions = {}): SqliteDatabase {
  const migrations = options.migrations ?? MIGRATIONS
  const memory = path === ':memory:' || path === ''
  if (!memory && (options.readonly || options.mustExist) && !existsSync(path)) {
    throw new StoreError('not_found', `cannot open the database: ${path} does not exist`, path)
  }
  let db: SqliteDatabase | undefined
  try {
    if (!memory && !options.readonly) mkdirSync(dirname(path), { recursive: true })
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.mustExist ?? false })
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`)
    db.pragma('foreign_keys = ON')
    // Reading the version also makes SQLite read the header: random bytes fail here as SQLITE_NOTADB.
    const version = db.pragma('user_version', { simple: true }) as number
    if (version > migrations.length) {
      throw new StoreError(
        'invalid',
        `cannot open the database ${path}: its schema version is ${version}, but this version of Tatami knows only up to ${migrations.length}; update Tatami or use another database file`,
        path
      )
    }
    if (!options.readonly) {
      if (!memory) db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      migrate(db, migrations)
    } else if (version < migrations.length) {
      throw new StoreError('readonly', `cannot open the database ${path}: its schema (version ${version}) needs upgrading to ${migrations.length}, which a read-only database cannot do`, path)
    }
    if (options.quickCheck) {
      const check = db.pragma('quick_check(1)', { simple: true })
      if (check !== 'ok') throw new StoreError('corrupt', `cannot open the database: ${path} is damaged (${String(check)})`, path)
    }
    return db
  } catch (err) {
    db?.close()
    throw toStoreError(err, 'open the database', path)
  }
}

/** Applies every pending migration in one IMMEDIATE transaction: the file is either upgraded fully or not at all. */
function migrate(db: SqliteDatabase, migrations: readonly string[]): void {
  const current = (): number => db.pragma('user_version', { simple: true }) as number
  if (current() >= migrations.length) return
  db.transaction(() => {
    // Another process may have migrated between our check and the lock.
    for (let v = current(); v < migrations.length; v++) {
      db.exec(migrations[v])
      db.pragma(`user_version = ${v + 1}`)
    }
  }).immediate()
}

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number
}
