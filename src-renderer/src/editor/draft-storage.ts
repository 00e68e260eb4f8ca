/**
 * The document being edited survives a reload or an app restart: it is kept in localStorage on every
 * change and offered back when the editor starts untouched. Undo history is not kept.
 */
import type { NetworkSpec } from '../../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../../src-engine/train/train-config'

export const DRAFT_KEY = 'tatami.editor.draft.v1'

export interface Draft {
  name: string
  spec: NetworkSpec
  launchDefaults: { training: TrainConfig | null; parentRunId: number | null }
  savedVersion: number | null
  savedSpecJson: string | null
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null // storage disabled (privacy settings): the editor still works, without drafts
  }
}

export function writeDraft(draft: Draft): void {
  try {
    storage()?.setItem(DRAFT_KEY, JSON.stringify(draft))
  } catch {
    // Quota or disabled storage: losing the draft is better than breaking editing.
  }
}

/** The stored draft, or null when there is none or it is not a draft (an older format, hand-edited). */
export function readDraft(): Draft | null {
  const text = storage()?.getItem(DRAFT_KEY)
  if (!text) return null
  try {
    const d = JSON.parse(text) as Partial<Draft>
    const ok =
      typeof d.name === 'string' &&
      typeof d.spec === 'object' && d.spec !== null && Array.isArray(d.spec.layers) &&
      typeof d.launchDefaults === 'object' && d.launchDefaults !== null
    return ok ? (d as Draft) : null
  } catch {
    return null
  }
}

export function clearDraft(): void {
  storage()?.removeItem(DRAFT_KEY)
}
