import { describe, expect, it } from 'vitest'
import { parseRoute, routeHash, type Route } from '../../src-renderer/src/stores/navigation'

describe('renderer routes in the URL hash', () => {
  it('round-trips every view and falls back to the editor', () => {
    const routes: Route[] = [{ view: 'editor' }, { view: 'runs' }, { view: 'run', runId: 12 }, { view: 'compare', runIds: [3, 4] }, { view: 'studies' }, { view: 'study', experimentId: 5 }, { view: 'datasets' }]
    for (const r of routes) expect(parseRoute(routeHash(r))).toEqual(r)
    expect(parseRoute('#/nowhere')).toEqual({ view: 'editor' })
    expect(parseRoute('#/compare?runs=1,x,2')).toEqual({ view: 'compare', runIds: [1, 2] })
  })
})
