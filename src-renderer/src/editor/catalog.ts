/**
 * The palette, derived from the engine's layer registry: every layer type, grouped by its `group`,
 * with its title and summary. New layers get only their required fields (a starter value each);
 * everything with a default stays implicit so the form shows the default as a placeholder.
 */
import { LAYER_TYPES, layerDefinition, type LayerSpec, type LayerType } from '../../../src-engine/layers/registry'
import type { LayerGroup } from '../../../src-engine/layers/layer'
import type { FieldSchema, FieldSchemas } from '../../../src-engine/spec/fields'

export interface PaletteItem {
  type: LayerType
  title: string
  summary: string
}
export interface PaletteGroup {
  group: LayerGroup
  label: string
  items: PaletteItem[]
}

/** Display order and labels of the registry's groups; a group the engine adds later still shows, at the end. */
const GROUP_LABELS: Record<LayerGroup, string> = {
  convolution: 'Convolution',
  pooling: 'Pooling',
  dense: 'Dense',
  activation: 'Activation',
  normalization: 'Normalization',
  regularization: 'Regularization',
  reshape: 'Reshape',
  output: 'Output'
}

export function paletteGroups(): PaletteGroup[] {
  const byGroup = new Map<LayerGroup, PaletteItem[]>()
  for (const type of LAYER_TYPES) {
    const def = layerDefinition(type)
    const list = byGroup.get(def.group) ?? []
    list.push({ type, title: def.title, summary: def.summary })
    byGroup.set(def.group, list)
  }
  const order = Object.keys(GROUP_LABELS) as LayerGroup[]
  return [...byGroup.entries()]
    .sort(([a], [b]) => rank(order, a) - rank(order, b))
    .map(([group, items]) => ({ group, label: GROUP_LABELS[group] ?? group, items }))
}

function rank(order: LayerGroup[], g: LayerGroup): number {
  const i = order.indexOf(g)
  return i < 0 ? order.length : i
}

/** Starting values for fields a layer requires (no default); reasonable for a small image network. */
const STARTER_VALUES: Record<string, number> = { filters: 8, kernel: 3, units: 10 }

export function isRequired(schema: FieldSchema): boolean {
  if (schema.kind === 'int' && schema.defaultFrom !== undefined) return false
  return !('default' in schema) || schema.default === undefined
}

function starterValue(name: string, schema: FieldSchema): unknown {
  switch (schema.kind) {
    case 'int':
    case 'number':
      return STARTER_VALUES[name] ?? Math.max(schema.min ?? 0, 1)
    case 'bool':
      return false
    case 'enum':
      return schema.values[0]
    case 'padding':
      return 'valid'
    case 'init':
      return 'auto'
  }
}

/** A fresh layer of a type: `type` plus its required fields. */
export function newLayer(type: LayerType): LayerSpec {
  const layer: Record<string, unknown> = { type }
  for (const [name, schema] of Object.entries(layerFields(type))) {
    if (isRequired(schema)) layer[name] = starterValue(name, schema)
  }
  return layer as unknown as LayerSpec
}

export function layerFields(type: LayerType): FieldSchemas {
  return layerDefinition(type).fields
}

export function layerTitle(type: string): string {
  return (LAYER_TYPES as string[]).includes(type) ? layerDefinition(type as LayerType).title : type
}
