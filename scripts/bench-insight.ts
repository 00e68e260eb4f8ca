/**
 * npm run bench:insight: what recording insights (src-engine/train/insight.ts) costs per epoch — time
 * and stored bytes — for LeNet-5 and the small VGG on the bundled digits (2,000 validation samples),
 * on the fastest kernels. Each configuration trains one short epoch with and without recording, three
 * times alternating; the minimum of each is kept.
 */
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { createKernels } from '../src-engine/kernels/backend'
import { loadWasmModules } from '../src-engine/node/wasm-modules'
import { loadDataset } from '../src-engine/node/builtin-datasets'
import { prepareTrainData } from '../src-engine/train/prepare-data'
import { Trainer } from '../src-engine/train/trainer'
import type { EpochInsight } from '../src-engine/train/insight'
import { encodeStateDict } from '../src-main/runs/run-sink'

const wasm = loadWasmModules({ enableRelaxedSimd: true })
const { dataset } = await loadDataset('mnist-10k')
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)

for (const model of ['lenet5', 'small-vgg']) {
  const experiment = JSON.parse(readFileSync(new URL(`../examples/${model}.json`, import.meta.url), 'utf8'))
  const training = { ...experiment.training, epochs: 1, dataset: { id: 'mnist-10k', validationSize: 2000, trainSize: model === 'lenet5' ? 2000 : 320 } }
  const data = prepareTrainData(dataset, training.dataset)
  const best = { off: Infinity, on: Infinity }
  let insight: EpochInsight | null = null
  for (let round = 0; round < 3; round++) {
    for (const record of [false, true]) {
      const trainer = new Trainer(experiment.network, training, data, { kernels: createKernels('auto', wasm), recordInsights: record })
      const began = performance.now()
      trainer.runToEnd((e) => {
        if (e.type === 'insight') insight = e.insight
      })
      const ms = performance.now() - began
      best[record ? 'on' : 'off'] = Math.min(best[record ? 'on' : 'off'], ms)
    }
  }
  const i = insight as EpochInsight | null
  if (!i) throw new Error('no insight was recorded')
  const bytes = encodeStateDict(i.weights).byteLength + i.confusion.byteLength + i.labels.byteLength + i.topLabels.byteLength + i.topScores.byteLength + JSON.stringify(i.histograms).length
  console.log(
    `${model.padEnd(9)} epoch (train ${training.dataset.trainSize}, validate 2000): ${best.off.toFixed(0)} ms without, ${best.on.toFixed(0)} ms with recording ` +
      `(+${(best.on - best.off).toFixed(0)} ms, ${(((best.on - best.off) / best.off) * 100).toFixed(1)} %); stored per epoch ${(bytes / 1024).toFixed(0)} KiB ` +
      `(weights ${(encodeStateDict(i.weights).byteLength / 1024).toFixed(0)} KiB)`
  )
}
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
