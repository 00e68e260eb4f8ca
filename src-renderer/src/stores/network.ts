import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { analyzeNetwork } from '../../../src-engine/spec/network-spec'
import type { NetworkSpec } from '../../../src-engine/spec/network-spec'
import lenet5 from '../../../examples/lenet5.json'

/** The network being looked at, and its live shape analysis (pure engine code, run in the renderer). */
export const useNetworkStore = defineStore('network', () => {
  const spec = ref<NetworkSpec>(lenet5.network as NetworkSpec)
  const analysis = computed(() => analyzeNetwork(spec.value))
  return { spec, analysis }
})
