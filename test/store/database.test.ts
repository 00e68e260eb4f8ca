import { describe, it, expect } from 'vitest'
import Database from 'better-sqlite3'
import { writeFileSync } from 'node:fs'
import { openDatabase, schemaVersion } from '../../src-main/store/database'
import { StoreError, classifyError, toStoreError } from '../../src-main/store/errors'
import { MIGRATIONS } from '../../src-main/store/migrations'
import { RunStore } from '../../src-main/store/run-store'
import { newRun, tempDbPath } from './fixtures'

function tables(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name)
}

function catchStoreError(fn: () => unknown): StoreError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError)
    return err as StoreError
  }
  throw new Error('expected a StoreError, nothing was thrown')
}

describe('openDatabase', () => {
  it('creates every table on an empty file, sets the schema version, WAL and foreign keys', () => {
    const path = tempDbPath()
    const db = openDatabase(path)
    expect(tables(db)).toEqual(['artifacts', 'checkpoints', 'epoch_insights', 'epoch_weights', 'experiments', 'hyperparameters', 'metric_blocks', 'metrics', 'networks', 'runs'])
    expect(schemaVersion(db)).toBe(MIGRATIONS.length)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    db.close()
  })

  it('creates missing parent folders', () => {
    const path = tempDbPath('nested/deeper/tatami.db')
    openDatabase(path).close()
    const db = openDatabase(path, { mustExist: true })
    expect(schemaVersion(db)).toBe(MIGRATIONS.length)
    db.close()
  })

  it('reopens idempotently, keeping the data and the version', () => {
    const path = tempDbPath()
    const store = RunStore.open(path)
    const id = store.createRun(newRun('first'))
    store.close()
    const again = RunStore.open(path)
    expect(schemaVersion(again.db)).toBe(MIGRATIONS.length)
    expect(again.getRun(id)?.name).toBe('first')
    again.close()
  })

  it('upgrades an older schema step by step', () => {
    const path = tempDbPath()
    openDatabase(path, { migrations: ['CREATE TABLE a (x)'] }).close()
    const db = openDatabase(path, { migrations: ['CREATE TABLE a (x)', 'CREATE TABLE b (y); INSERT INTO a VALUES (1)'] })
    expect(schemaVersion(db)).toBe(2)
    expect(tables(db)).toEqual(['a', 'b'])
    db.close()
  })

  it('rolls a failing migration back completely', () => {
    const path = tempDbPath()
    const err = catchStoreError(() => openDatabase(path, { migrations: ['CREATE TABLE a (x)', 'CREATE TABLE b (y); THIS IS NOT SQL'] }))
    expect(err.message).toContain(path)
    const raw = new Database(path)
    expect(raw.pragma('user_version', { simple: true })).toBe(0)
    expect(tables(raw)).toEqual([])
    raw.close()
  })

  it('refuses a database made by a newer Tatami, with a clear error', () => {
    const path = tempDbPath()
    openDatabase(path).close()
    const raw = new Database(path)
    raw.pragma(`user_version = ${MIGRATIONS.length + 7}`)
    raw.close()
    const err = catchStoreError(() => openDatabase(path))
    expect(err.code).toBe('invalid')
    expect(err.message).toContain(path)
    expect(err.message).toMatch(/schema version is \d+, but this version of Tatami knows only up to \d+/)
  })

  it('reports a file of random bytes as corrupt, naming the file', () => {
    const path = tempDbPath('garbage.db')
    const bytes = Buffer.alloc(64 * 1024)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24
    writeFileSync(path, bytes)
    const err = catchStoreError(() => openDatabase(path))
    expect(err.code).toBe('corrupt')
    expect(err.path).toBe(path)
    expect(err.message).toContain(path)
  })

  it('reports a missing file as not_found when it must exist or is opened read-only', () => {
    const path = tempDbPath('missing.db')
    expect(catchStoreError(() => openDatabase(path, { mustExist: true })).code).toBe('not_found')
    expect(catchStoreError(() => openDatabase(path, { readonly: true })).code).toBe('not_found')
  })
})

describe('StoreError', () => {
  it('classifies SQLite and Node error codes', () => {
    const cases: [string | undefined, string][] = [
      ['SQLITE_BUSY', 'locked'],
      ['SQLITE_BUSY_SNAPSHOT', 'locked'],
      ['SQLITE_LOCKED_SHAREDCACHE', 'locked'],
      ['SQLITE_READONLY', 'readonly'],
      ['SQLITE_READONLY_DBMOVED', 'readonly'],
      ['EACCES', 'readonly'],
      ['SQLITE_FULL', 'full'],
      ['ENOSPC', 'full'],
      ['SQLITE_CORRUPT', 'corrupt'],
      ['SQLITE_NOTADB', 'corrupt'],
      ['SQLITE_CONSTRAINT_FOREIGNKEY', 'invalid'],
      ['ENOENT', 'not_found'],
      ['SQLITE_IOERR_WRITE', 'io'],
      [undefined, 'io']
    ]
    for (const [code, expected] of cases) expect([code, classifyError(code)]).toEqual([code, expected])
  })

  it('keeps the cause and passes StoreErrors through', () => {
    const cause = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })
    const err = toStoreError(cause, 'save run 3', '/x/tatami.db')
    expect(err).toMatchObject({ code: 'locked', path: '/x/tatami.db', name: 'StoreError' })
    expect(err.message).toBe('cannot save run 3: the database /x/tatami.db is locked by another process (still busy after waiting); nothing was written, try again')
    expect(err.cause).toBe(cause)
    expect(toStoreError(err, 'other', '/y')).toBe(err)
  })
})
