// Which column fills each path parameter: decided when the catalog is compiled, by one rule.
import { describe, expect, it } from 'vitest';
import { itemFieldForParam } from './param-columns.js';
import { builtInCatalog } from '../../test/sandbox/test-catalog.js';
import { findResource } from './lookup.js';

describe('itemFieldForParam', () => {
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
    expect(itemFieldForParam(param, new Set(props))).toBe(expected);
  });
});


describe('the compiled catalog records each path parameter\'s column', () => {
  const { catalog } = builtInCatalog();
  const column = (resource: string, method: string, param: string): string | undefined =>
    findResource(catalog, resource).methods.find((m) => m.name === method)?.params.find((p) => p.name === param)?.column;

  it.each([
    ['digitalocean.compute.droplets', 'droplets_destroy', 'droplet_id', 'id'],
    ['digitalocean.databases.dbs', 'databases_delete', 'database_name', 'name'],
    // A parent's key is not a field of the rows: no column.
    ['digitalocean.databases.dbs', 'databases_delete', 'database_cluster_uuid', undefined],
    // The field named by a suffix of the parameter, not the rows' own uuid.
    ['digitalocean.compute.reserved_ips', 'reserved_ips_delete', 'reserved_ip', 'ip'],
  ])('%s %s: %s → %s', (resource, method, param, expected) => {
    expect(column(resource, method, param)).toBe(expected);
  });
});
