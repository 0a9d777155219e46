// The collection model derived from the spec: id fields by rule, parents, operation kinds.
import { describe, expect, it } from 'vitest';
import { buildModel } from './model.js';
import { builtInCatalog } from '../../test/sandbox/test-catalog.js';

describe('buildModel', () => {
  const model = buildModel(builtInCatalog());

  it('keys collections by list path, with item paths, id fields and parents', () => {
    const droplets = model.collections.get('/v2/droplets');
    expect(droplets).toMatchObject({ path: '/v2/droplets', itemShape: '/v2/droplets/{}', idField: 'id', singular: 'droplet' });
    const dbs = model.collections.get('/v2/databases/{}/dbs');
    expect(dbs).toMatchObject({ idField: 'name', paramCount: 1 });
    expect(dbs?.parent?.path).toBe('/v2/databases');
    expect(model.collections.get('/v2/databases/{}/backups')?.parent?.path).toBe('/v2/databases');
    expect(model.actions?.path).toBe('/v2/actions');
  });

  it('gives every operation a kind', () => {
    const kind = (method: string, template: string): string | undefined => model.operations.find((o) => o.httpMethod === method && o.template === template)?.kind;
    expect(kind('GET', '/v2/droplets')).toBe('list');
    expect(kind('POST', '/v2/droplets')).toBe('create');
    expect(kind('GET', '/v2/droplets/{droplet_id}')).toBe('get');
    expect(kind('PATCH', '/v2/vpcs/{vpc_id}')).toBe('update');
    expect(kind('DELETE', '/v2/droplets')).toBe('delete-where');
    expect(kind('POST', '/v2/droplets/{droplet_id}/actions')).toBe('action');
    expect(kind('POST', '/v2/droplets/actions')).toBe('action');
    expect(kind('PUT', '/v2/databases/{database_cluster_uuid}/firewall')).toBe('replace-list');
    expect(kind('GET', '/v2/account')).toBe('generic');
  });
});
