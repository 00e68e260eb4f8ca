/** Reads a model file Tatami can import: a .tatami file, or an ONNX file Tatami exported. */
import { readFileSync } from 'node:fs'
import type { ExportedModel } from '../../src-engine/export/exported-model'
import { decodeTatamiModel, TATAMI_MAGIC } from '../../src-engine/export/tatami-format'
import { importOnnx } from '../../src-engine/export/onnx-import'

export function readModelFile(path: string): { format: 'tatami' | 'onnx'; model: ExportedModel } {
  const bytes = new Uint8Array(readFileSync(path))
  const magic = new TextDecoder().decode(bytes.subarray(0, TATAMI_MAGIC.length))
  if (magic === TATAMI_MAGIC) return { format: 'tatami', model: decodeTatamiModel(bytes, path) }
  return { format: 'onnx', model: importOnnx(bytes, path) }
}
