/** Short text for a run's table cells: its network in a few words, its key hyperparameters, its duration. */
import type { NetworkSpec, RunRecord, TrainConfig } from '../../../../src-main/contract/workbench-api'

const SHORT: Record<string, string> = {
  conv2d: 'conv',
  dense: 'dense',
  maxpool2d: 'maxpool',
  avgpool2d: 'avgpool',
  global_avgpool: 'gap',
  batchnorm: 'bn',
  groupnorm: 'gn',
  layernorm: 'ln',
  instancenorm: 'in',
  dropout: 'dropout'
}

/**
 * "conv×2 maxpool dense×3" in layer order of first appearance, counting the layers that shape a network
 * (convolutions, pools, norms, dropout, dense); activations, flatten and softmax are left out.
 */
export function describeNetwork(spec: Pick<NetworkSpec, 'layers'>): string {
  const counts = new Map<string, number>()
  for (const layer of spec.layers) {
    const short = SHORT[layer.type]
    if (short) counts.set(short, (counts.get(short) ?? 0) + 1)
  }
  if (counts.size === 0) return spec.layers.length === 0 ? 'empty' : spec.layers.map((l) => l.type).join(' ')
  return [...counts].map(([name, n]) => (n > 1 ? `${name}×${n}` : name)).join(' ')
}

export interface KeyHyperparameters {
  optimizer: string
  lr: number
  batch: number
  epochs: number
  weightDecay: number | null
  seed: number
}

export function keyHyperparameters(t: TrainConfig): KeyHyperparameters {
  const o = t.optimizer
  return { optimizer: o.type, lr: o.lr, batch: t.batchSize, epochs: t.epochs, weightDecay: o.weightDecay ?? null, seed: t.seed }
}

/** Wall time from start to finish (to `now` while it runs); null before it started. */
export function runDurationMs(run: Pick<RunRecord, 'startedAt' | 'finishedAt' | 'status'>, now = Date.now()): number | null {
  if (run.startedAt === null) return null
  const end = run.finishedAt ?? (run.status === 'running' ? now : null)
  return end === null ? null : Math.max(0, end - run.startedAt)
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—'
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`
}

export function formatPercent(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(digits)}%`
}

/** Learning rates and decays as written by people: 0.001, 1e-4. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  if (v !== 0 && Math.abs(v) < 1e-3) return Number(v.toPrecision(3)).toExponential()
  return String(Number(v.toPrecision(4)))
}
