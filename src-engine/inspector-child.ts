/**
 * The inspector process entry: forward passes and validation samples for the "look inside" views,
 * so the main process never runs a model. Long-lived; requests are answered in order of arrival.
 */
import { Inspector } from './inspect/inspector'
import type { FromInspector, ToInspector } from './inspect/inspector-protocol'
import { loadDataset } from './node/builtin-datasets'
import { connectToParent } from './node/parent-channel'
import { serializeError } from './protocol'

function main(): void {
  const parent = connectToParent<ToInspector, FromInspector>('inspector child')
  let where: { resourcesDir?: string; datasetsDir?: string } = {}
  const inspector = new Inspector(async (id, hash) => {
    const loaded = await loadDataset(id, where)
    if (hash !== undefined && loaded.hash !== hash) {
      throw new Error(`dataset "${id}" has content hash ${loaded.hash}, but the run was trained on ${hash}; the data changed`)
    }
    return loaded.dataset
  })
  // One request at a time: forward passes are synchronous anyway, and order keeps answers predictable.
  let queue: Promise<void> = Promise.resolve()
  parent.onMessage((message) => {
    if (message.type === 'configure') {
      where = { resourcesDir: message.resourcesDir, datasetsDir: message.datasetsDir }
      return
    }
    queue = queue.then(() => answer(message).then(
      (reply) => parent.send(reply),
      (err: unknown) => parent.send({ type: 'error', id: message.id, error: serializeError(err) })
    ))
  })

  async function answer(message: Exclude<ToInspector, { type: 'configure' }>): Promise<FromInspector> {
    switch (message.type) {
      case 'forward':
        if (message.model) inspector.addModel(message.model)
        if (!inspector.hasModel(message.modelKey)) return { type: 'missing-model', id: message.id }
        return { type: 'forward', id: message.id, result: await inspector.forward(message.modelKey, message.input) }
      case 'samples':
        return { type: 'samples', id: message.id, result: await inspector.samples(message.training, message.indices) }
    }
  }
  parent.send({ type: 'ready' })
}

main()
