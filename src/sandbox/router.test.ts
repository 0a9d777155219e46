// Routing: literal segments beat parameters, parameter names do not matter, matches backtrack.
import { describe, expect, it } from 'vitest';
import { normalizeTemplate, Router } from './router.js';

describe('Router', () => {
  const router = new Router<string>();
  router.add('/v2/droplets/{droplet_id}', 'GET', 'get-droplet');
  router.add('/v2/droplets/actions', 'POST', 'tag-actions');
  router.add('/v2/projects/default', 'GET', 'default-project');
  router.add('/v2/projects/{project_id}', 'GET', 'project');
  router.add('/v2/apps/{id}', 'GET', 'app');
  router.add('/v2/apps/{app_id}/logs', 'GET', 'app-logs');

  const first = (path: string, method = 'GET'): string | undefined => router.match(path).map((m) => m.routes.get(method)).find(Boolean);

  it.each([
    ['/v2/projects/default', 'default-project'],
    ['/v2/projects/abc', 'project'],
    ['/v2/droplets/actions', 'get-droplet'], // GET falls back to the parameter route
    ['/v2/apps/x/logs', 'app-logs'],
    ['/v2/droplets/a%20b', 'get-droplet'],
  ])('%s → %s', (path, expected) => {
    expect(first(path)).toBe(expected);
  });

  it('decodes parameter values and tolerates stray percent signs', () => {
    expect(router.match('/v2/droplets/a%20b')[0].values).toEqual(['a b']);
    expect(router.match('/v2/droplets/%zz')[0].values).toEqual(['%zz']);
  });

  it('matches nothing for unknown paths and empty segments', () => {
    expect(router.match('/v2/nothing')).toEqual([]);
    expect(router.match('/v2/droplets/')).toEqual([]);
  });

  it('normalises templates by shape', () => {
    expect(normalizeTemplate('/v2/apps/{app_id}/deployments/{deployment_id}')).toBe('/v2/apps/{}/deployments/{}');
  });
});
