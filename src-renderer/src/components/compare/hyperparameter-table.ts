/**
 * The hyperparameter table of compared runs: every flattened key (the same rows the store keeps and
 * compare:hyperparameters diffs), one column per run, and which rows differ.
 */
import type { NetworkSpec, TrainConfig } from '../../../../src-main/contract/workbench-api'
import { flattenHyperparameters } from '../../../../src-main/store/hyperparameters'
import { describeNetwork } from '../runs/run-format'

export interface HyperparameterRow {
  key: string
  /** One per run, in the runs' order; null when the run lacks the key. */
  values: (string | null)[]
  /** Not the same in every run (a missing key counts as different). */
  differs: boolean
}

/** A first row naming each network in a few words ("conv×2 dense"). */
export const SUMMARY_KEY = 'network.summary'

/** Layer rows sort by layer index (network.layer.10 after network.layer.9), other keys alphabetically before them. */
function keyOrder(a: string, b: string): number {
  if (a === SUMMARY_KEY || b === SUMMARY_KEY) return a === b ? 0 : a === SUMMARY_KEY ? -1 : 1
  const la = /^network\.layer\.(\d+)\.(.*)$/.exec(a)
  const lb = /^network\.layer\.(\d+)\.(.*)$/.exec(b)
  if (la && lb) return Number(la[1]) - Number(lb[1]) || (la[2]! < lb[2]! ? -1 : la[2]! > lb[2]! ? 1 : 0)
  if (la) return 1
  if (lb) return -1
  return a < b ? -1 : a > b ? 1 : 0
}

export function hyperparameterTable(runs: readonly { training: TrainConfig; network: NetworkSpec }[]): HyperparameterRow[] {
  const perRun = runs.map((r) => {
    const m = new Map<string, string | null>()
    m.set(SUMMARY_KEY, describeNetwork(r.network))
    for (const h of flattenHyperparameters(r.training, r.network)) m.set(h.key, h.value)
    return m
  })
  const keys = [...new Set(perRun.flatMap((m) => [...m.keys()]))].sort(keyOrder)
  return keys.map((key) => {
    const values = perRun.map((m) => (m.has(key) ? m.get(key)! : null))
    const differs = perRun.some((m) => !m.has(key)) || new Set(values).size > 1
    return { key, values, differs }
  })
}

/** The rows to show: only differing ones when `differencesOnly`. */
export function visibleRows(rows: readonly HyperparameterRow[], differencesOnly: boolean): HyperparameterRow[] {
  return differencesOnly ? rows.filter((r) => r.differs) : [...rows]
}
