/**
 * What is being dragged inside the editor: a new layer from the palette, or an existing layer being
 * reordered. The payload travels in the DataTransfer under our own MIME type; browsers hide
 * DataTransfer data until the drop, so dragover reads the copy kept here to pick an indicator.
 */
import type { LayerType } from '../../../src-engine/layers/registry'
import { isLayerType } from '../../../src-engine/layers/registry'

export const LAYER_MIME = 'application/x-tatami-layer'

export type DragPayload = { kind: 'new'; type: LayerType } | { kind: 'move'; from: number }

/** The subset of DataTransfer we use, so tests can pass a plain object. */
export interface DataTransferLike {
  setData(format: string, data: string): void
  getData(format: string): string
  readonly types: readonly string[]
  effectAllowed?: string
  dropEffect?: string
}

let active: DragPayload | null = null

export function startDrag(payload: DragPayload, dt: DataTransferLike | null): void {
  active = payload
  if (!dt) return
  dt.setData(LAYER_MIME, JSON.stringify(payload))
  // Plain text too, so dropping a palette item into a text editor writes something useful.
  dt.setData('text/plain', payload.kind === 'new' ? payload.type : `layer ${payload.from}`)
  dt.effectAllowed = payload.kind === 'new' ? 'copy' : 'move'
}

export function endDrag(): void {
  active = null
}

/** During dragover: is this a layer drag at all (data may be unreadable until drop)? */
export function isLayerDrag(dt: DataTransferLike | null): boolean {
  return active !== null || (dt !== null && Array.from(dt.types).includes(LAYER_MIME))
}

export function activeDrag(): DragPayload | null {
  return active
}

/** At drop: the payload from the DataTransfer, else the one kept at dragstart. */
export function readDrop(dt: DataTransferLike | null): DragPayload | null {
  const text = dt?.getData(LAYER_MIME)
  if (text) {
    const parsed = parsePayload(text)
    if (parsed) return parsed
  }
  return active
}

function parsePayload(text: string): DragPayload | null {
  try {
    const v = JSON.parse(text) as { kind?: unknown; type?: unknown; from?: unknown }
    if (v.kind === 'new' && isLayerType(v.type)) return { kind: 'new', type: v.type }
    if (v.kind === 'move' && typeof v.from === 'number' && Number.isInteger(v.from)) return { kind: 'move', from: v.from }
  } catch {
    // not ours
  }
  return null
}
