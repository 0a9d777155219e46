// The collection model derived from the spec: id fields by rule, parents, operation kinds.
import { describe, expect, it } from 'vitest';
import { buildModel, pickIdField } from './model.js';
import { builtInCatalog } from '../../test/sandbox/test-catalog.js';

describe('pickIdField', () => {
  it.each([
    ['droplet_id', ['id', 'name'], 'id'],
    ['database_cluster_uuid', ['id', 'name'], 'id'],
    ['database_name', ['name'], 'name'],
    ['username', ['name', 'role'], 'name'],
    ['reserved_ip', ['ip', 'region'], 'ip'],
    ['ssh_key_identifier', ['id', 'fingerprint'], 'id'],
    ['invoice_uuid', ['invoice_uuid', 'amount'], 'invoice_uuid'],
    ['manifest_digest', ['digest'], 'digest'],
    ['tag_id', ['name', 'resources'], 'name'],
    ['alert_uuid', ['uuid', 'type'], 'uuid'],
  ])('%s names %s → %s', (param, props, expected) => {
    expect(pickIdField(param, new Set(props))).toBe(expected);
  });
});

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
