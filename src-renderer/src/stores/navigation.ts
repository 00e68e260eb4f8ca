/**
 * Where the user is, kept in the URL hash so reloads, back/forward and links work without a router:
 * #/editor, #/runs, #/runs/12, #/runs/12/inside, #/compare?runs=3,4, #/studies, #/studies/5, #/datasets, #/activations.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'

export type Route =
  | { view: 'editor' }
  | { view: 'runs' }
  | { view: 'run'; runId: number }
  | { view: 'inside'; runId: number }
  | { view: 'compare'; runIds: number[] }
  | { view: 'studies' }
  | { view: 'study'; experimentId: number }
  | { view: 'datasets' }
  | { view: 'activations' }

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?')
  const parts = path.split('/').filter(Boolean)
  if (parts[0] === 'runs' && parts[1] !== undefined && /^\d+$/.test(parts[1]) && parts[2] === 'inside') return { view: 'inside', runId: Number(parts[1]) }
  if (parts[0] === 'runs' && parts[1] !== undefined && /^\d+$/.test(parts[1])) return { view: 'run', runId: Number(parts[1]) }
  if (parts[0] === 'runs') return { view: 'runs' }
  if (parts[0] === 'studies' && parts[1] !== undefined && /^\d+$/.test(parts[1])) return { view: 'study', experimentId: Number(parts[1]) }
  if (parts[0] === 'studies') return { view: 'studies' }
  if (parts[0] === 'datasets') return { view: 'datasets' }
  if (parts[0] === 'activations') return { view: 'activations' }
  if (parts[0] === 'compare') {
    const ids = (new URLSearchParams(query).get('runs') ?? '')
      .split(',')
      .filter((s) => /^\d+$/.test(s))
      .map(Number)
    return { view: 'compare', runIds: ids }
  }
  return { view: 'editor' }
}

export function routeHash(route: Route): string {
  switch (route.view) {
    case 'editor':
      return '#/editor'
    case 'runs':
      return '#/runs'
    case 'run':
      return `#/runs/${route.runId}`
    case 'inside':
      return `#/runs/${route.runId}/inside`
    case 'compare':
      return `#/compare?runs=${route.runIds.join(',')}`
    case 'studies':
      return '#/studies'
    case 'study':
      return `#/studies/${route.experimentId}`
    case 'datasets':
      return '#/datasets'
    case 'activations':
      return '#/activations'
  }
}

export const useNavigationStore = defineStore('navigation', () => {
  const route = ref<Route>(parseRoute(typeof window === 'undefined' ? '' : window.location.hash))

  function go(next: Route): void {
    route.value = next
    if (typeof window !== 'undefined' && window.location.hash !== routeHash(next)) window.location.hash = routeHash(next)
  }

  /** Follow the address bar (back/forward, typed links). */
  function listen(): () => void {
    const onHash = () => {
      route.value = parseRoute(window.location.hash)
    }
    window.addEventListener('hashchange', onHash)
    return () => window.removeEventListener('hashchange', onHash)
  }

  return { route, go, listen }
})
