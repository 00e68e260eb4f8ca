/**
 * Flattens a run's TrainConfig and NetworkSpec into dotted key/value rows ('optimizer.lr',
 * 'dataset.trainSize', 'network.layer.3.rate') so runs can be filtered, sorted and diffed in SQL.
 */
import { analyzeNetwork, type NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'

export interface HyperparameterRow {
  key: string
  /** Text form: numbers as written, booleans 'true'/'false', arrays as JSON. */
  value: string | null
  /** Set for numbers (and booleans as 1/0) so numeric sorting works. */
  numeric: number | null
}

export function flattenHyperparameters(training: TrainConfig, network: NetworkSpec): HyperparameterRow[] {
  const rows: HyperparameterRow[] = []
  flattenInto(rows, '', training)
  rows.push(leaf('network.layers', network.layers.length))
  rows.push(leaf('network.input', network.input.shape))
  const analysis = analyzeNetwork(network)
  if (analysis.ok) rows.push(leaf('network.params', analysis.totalParams))
  network.layers.forEach((layer, i) => flattenInto(rows, `network.layer.${i}.`, layer))
  return rows
}

function flattenInto(rows: HyperparameterRow[], prefix: string, value: unknown): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) flattenInto(rows, `${prefix}${k}.`, v)
    }
    return
  }
  rows.push(leaf(prefix.slice(0, -1), value))
}

function leaf(key: string, value: unknown): HyperparameterRow {
  if (typeof value === 'number') return { key, value: String(value), numeric: Number.isFinite(value) ? value : null }
  if (typeof value === 'boolean') return { key, value: String(value), numeric: value ? 1 : 0 }
  if (typeof value === 'string') return { key, value, numeric: null }
  if (value === null) return { key, value: null, numeric: null }
  return { key, value: JSON.stringify(value), numeric: null }
}
