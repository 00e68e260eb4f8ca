/**
 * The network being edited. (Skeleton: the editor issue fills in history, selection and layer operations.)
 * Other views use only `spec`, `name`, `launchDefaults` and `openForRelaunch`.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { analyzeNetwork, type NetworkSpec } from '../../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../../src-engine/train/train-config'
import type { RunRecord } from '../../../src-main/contract/workbench-api'

export interface LaunchDefaults {
  /** Pre-fills the launch form (e.g. the training config of the run being relaunched). */
  training: TrainConfig | null
  /** The run this network was taken from, recorded as the new run's parent. */
  parentRunId: number | null
}

export const useEditorStore = defineStore('editor', () => {
  const name = ref('untitled')
  const spec = ref<NetworkSpec>({ version: 1, input: { shape: [1, 28, 28] }, layers: [] })
  const analysis = computed(() => analyzeNetwork(spec.value))
  const launchDefaults = ref<LaunchDefaults>({ training: null, parentRunId: null })

  /** Edit a run's network and training config as the start of a new run. */
  function openForRelaunch(run: Pick<RunRecord, 'id' | 'name' | 'network' | 'training'>): void {
    name.value = run.name
    spec.value = structuredClone(run.network)
    launchDefaults.value = { training: structuredClone(run.training), parentRunId: run.id }
  }

  return { name, spec, analysis, launchDefaults, openForRelaunch }
})
