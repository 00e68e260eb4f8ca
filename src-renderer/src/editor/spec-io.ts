/**
 * Import and export of the spec JSON. Import accepts a bare NetworkSpec or an experiment file
 * ({ network, training }) and reports every problem (JSON syntax, spec issues with their layer and
 * field, a training config that does not validate) rather than the first.
 */
import { analyzeNetwork, type NetworkSpec, type SpecIssue } from '../../../src-engine/spec/network-spec'
import { validateTrainConfig, type TrainConfig } from '../../../src-engine/train/train-config'

export type ImportResult =
  | { ok: true; network: NetworkSpec; training: TrainConfig | null }
  | { ok: false; problems: string[] }

export function parseImport(text: string): ImportResult {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    return { ok: false, problems: [`not valid JSON: ${err instanceof Error ? err.message : String(err)}`] }
  }
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
  let network: unknown = raw
  let training: unknown = undefined
  if (isObj(raw) && 'network' in raw && !('layers' in raw)) {
    network = raw.network
    training = raw.training
  }
  const problems: string[] = analyzeNetwork(network).issues.map((i: SpecIssue) => i.message)
  if (training !== undefined) {
    problems.push(...validateTrainConfig(training))
  }
  if (problems.length > 0) return { ok: false, problems }
  return { ok: true, network: network as NetworkSpec, training: (training as TrainConfig | undefined) ?? null }
}

export function exportSpec(spec: NetworkSpec): string {
  return JSON.stringify(spec, null, 2) + '\n'
}

/** A file name from a network name: "LeNet-5 (v2)" → "lenet-5-v2.json". */
export function exportFileName(name: string): string {
  const base = name.trim().toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '')
  return `${base || 'network'}.json`
}
