/**
 * Undo/redo over immutable snapshots. `record(before, key)` stores the state before an edit; edits that
 * carry the same coalescing key back to back (typing in one field) share one undo step until
 * `breakCoalescing()` (the field loses focus) or any other edit.
 */
export class History<S> {
  private past: S[] = []
  private future: S[] = []
  private lastKey: string | null = null
  private readonly limit: number

  constructor(limit = 200) {
    this.limit = limit
  }

  record(before: S, coalesceKey: string | null = null): void {
    this.future = []
    if (coalesceKey !== null && coalesceKey === this.lastKey && this.past.length > 0) return
    this.past.push(before)
    if (this.past.length > this.limit) this.past.shift()
    this.lastKey = coalesceKey
  }

  breakCoalescing(): void {
    this.lastKey = null
  }

  /** Returns the state to go back to, given the current one (which becomes redoable). */
  undo(current: S): S | null {
    const prev = this.past.pop()
    if (prev === undefined) return null
    this.future.push(current)
    this.lastKey = null
    return prev
  }

  redo(current: S): S | null {
    const next = this.future.pop()
    if (next === undefined) return null
    this.past.push(current)
    this.lastKey = null
    return next
  }

  get undoDepth(): number {
    return this.past.length
  }
  get redoDepth(): number {
    return this.future.length
  }

  clear(): void {
    this.past = []
    this.future = []
    this.lastKey = null
  }
}
