import { readFile } from 'node:fs/promises'
import { analyzeNetwork, validateTrainConfig, type NetworkSpec, type TrainConfig } from '../../src-engine/index'

/** An experiment file: a network and how to train it, e.g. examples/lenet5.json. */
export interface ExperimentFile {
  network: NetworkSpec
  training: TrainConfig
}

/** Reads and validates an experiment file; every problem is reported with the file name. */
export async function readExperimentFile(path: string): Promise<ExperimentFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new Error(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`)
  }
  if (typeof raw !== 'object' || raw === null || !('network' in raw) || !('training' in raw)) {
    throw new Error(`${path}: expected an object with "network" and "training"`)
  }
  const file = raw as { network: unknown; training: unknown }
  const problems = [
    ...analyzeNetwork(file.network).issues.map((i) => `network: ${i.message}`),
    ...validateTrainConfig(file.training)
  ]
  if (problems.length) throw new Error(`${path}:\n  ${problems.join('\n  ')}`)
  return file as ExperimentFile
}
