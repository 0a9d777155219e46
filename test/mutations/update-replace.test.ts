// UPDATE sends PATCH, REPLACE sends PUT (resources of the default catalog that have those methods: domain
// records have both, connection pools have PUT), with only the SET fields in the body, and the change is seen after.
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, routes, sessionOn, startSandbox } from './harness.js';

afterAll(closeAll);

async function domainRecord(t: ReturnType<typeof sessionOn>, domain: string): Promise<{ id: number; name: string }> {
  const [rec] = await t.rows(`SELECT id, name FROM digitalocean.compute.domain_records WHERE domain_name = '${domain}' ORDER BY id LIMIT 1`);
  return rec as { id: number; name: string };
}

describe('UPDATE → PATCH, REPLACE → PUT', () => {
  it('SHOW METHODS IN digitalocean.compute.domain_records has an update (PATCH) and a replace (PUT) method', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const methods = await t.rows('SHOW METHODS IN digitalocean.compute.domain_records');
    const verbs = JSON.stringify(methods);
    expect(verbs).toContain('domains_patch_record');
    expect(verbs).toContain('domains_update_record');
  });

  it('UPDATE domain_records SET … WHERE domain_name AND domain_record_id sends one PATCH with just the SET fields', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const domain = sb.ids('/v2/domains')[0];
    const rec = await domainRecord(t, domain);
    sb.resetCounts();
    const [r] = await t.run(
      `UPDATE digitalocean.compute.domain_records SET data__name = 'x', data__type = 'A' WHERE domain_name = '${domain}' AND domain_record_id = ${rec.id}`,
    );
    expect(r.command).toBe('UPDATE 1');
    expect(t.changes()).toEqual([{ method: 'PATCH', path: `/v2/domains/${domain}/records/${rec.id}`, body: { name: 'x', type: 'A' } }]);
    expect(routes(sb)).toEqual({ 'PATCH /v2/domains/{domain_name}/records/{domain_record_id}': 1 });
    const after = await t.rows(`SELECT name, type FROM digitalocean.compute.domain_records WHERE domain_name = '${domain}' AND id = ${rec.id}`);
    expect(after).toEqual([{ name: 'x', type: 'A' }]);
  });

  it('SET may read the row it changes: one PATCH per matching row, each with its own value', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb, { yes: true });
    const before = (await t.rows('SELECT id, name FROM digitalocean.projects.projects ORDER BY id')) as { id: string; name: string }[];
    expect(before.length).toBeGreaterThan(1);
    sb.resetCounts();
    const [r] = await t.run(`UPDATE digitalocean.projects.projects SET data__description = name || ' (old)' WHERE name IS NOT NULL`);
    expect(r.command).toBe(`UPDATE ${before.length}`);
    const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
    expect([...t.changes()].sort(byPath)).toEqual(before.map((p) => ({ method: 'PATCH', path: `/v2/projects/${p.id}`, body: { description: `${p.name} (old)` } })).sort(byPath));
    const after = await t.rows('SELECT id, description FROM digitalocean.projects.projects ORDER BY id');
    expect(after).toEqual(before.map((p) => ({ id: p.id, description: `${p.name} (old)` })));
  });

  it('a SET that names no column of the resource fails before anything is sent', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb, { yes: true });
    const [p] = (await t.rows('SELECT id FROM digitalocean.projects.projects LIMIT 1')) as { id: string }[];
    sb.resetCounts();
    await expect(t.run(`UPDATE digitalocean.projects.projects SET data__description = nosuch WHERE project_id = '${p.id}'`)).rejects.toThrow(
      'SET: column "nosuch" does not exist (a SET value may use constants and digitalocean.projects.projects\'s columns)',
    );
    expect(routes(sb)['PATCH /v2/projects/{project_id}']).toBeUndefined();
  });

  it('UPDATE … RETURNING returns the changed record', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const domain = sb.ids('/v2/domains')[0];
    const rec = await domainRecord(t, domain);
    const [r] = await t.run(
      `UPDATE digitalocean.compute.domain_records SET data__ttl = 120, data__type = 'A' WHERE domain_name = '${domain}' AND domain_record_id = '${rec.id}' RETURNING id, ttl`,
    );
    expect(r.rows.map((row) => row.map(Number))).toEqual([[rec.id, 120]]);
  });

  it('REPLACE domain_records SET … sends one PUT with the whole record', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const domain = sb.ids('/v2/domains')[0];
    const rec = await domainRecord(t, domain);
    sb.resetCounts();
    const [r] = await t.run(
      `REPLACE digitalocean.compute.domain_records SET data__type = 'A', data__name = 'www', data__data = '10.0.0.1', data__ttl = 300
       WHERE domain_name = '${domain}' AND domain_record_id = ${rec.id}`,
    );
    expect(r.command).toBe('REPLACE 1');
    expect(t.changes()).toEqual([
      { method: 'PUT', path: `/v2/domains/${domain}/records/${rec.id}`, body: { type: 'A', name: 'www', data: '10.0.0.1', ttl: 300 } },
    ]);
    expect(routes(sb)).toEqual({ 'PUT /v2/domains/{domain_name}/records/{domain_record_id}': 1 });
    expect(await t.rows(`SELECT name, type, data, ttl FROM digitalocean.compute.domain_records WHERE domain_name = '${domain}' AND id = ${rec.id}`)).toEqual([
      { name: 'www', type: 'A', data: '10.0.0.1', ttl: 300 },
    ]);
  });

  it('REPLACE of a database connection pool sends one PUT to the pool under its cluster', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const cluster = sb.ids('/v2/databases')[0];
    const [pool] = await t.rows(`SELECT name FROM digitalocean.databases.connection_pools WHERE database_cluster_uuid = '${cluster}' LIMIT 1`);
    expect(pool).toBeDefined();
    sb.resetCounts();
    await t.run(
      `REPLACE digitalocean.databases.connection_pools SET data__db = 'defaultdb', data__mode = 'session', data__size = 7
       WHERE database_cluster_uuid = '${cluster}' AND pool_name = '${String(pool.name)}'`,
    );
    expect(t.changes()).toEqual([
      { method: 'PUT', path: `/v2/databases/${cluster}/pools/${encodeURIComponent(String(pool.name))}`, body: { db: 'defaultdb', mode: 'session', size: 7 } },
    ]);
    expect(routes(sb)).toEqual({ 'PUT /v2/databases/{database_cluster_uuid}/pools/{pool_name}': 1 });
    const after = await t.rows(`SELECT db, mode, size FROM digitalocean.databases.connection_pools WHERE database_cluster_uuid = '${cluster}' AND name = '${String(pool.name)}'`);
    expect(after).toEqual([{ db: 'defaultdb', mode: 'session', size: 7 }]);
  });

  it('UPDATE of a resource that has no PATCH method says which verbs it has and sends nothing', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    await expect(t.run(`UPDATE digitalocean.compute.droplets SET data__name = 'x' WHERE droplet_id = 1`)).rejects.toThrow(
      /digitalocean\.compute\.droplets has no UPDATE method \(it supports SELECT, INSERT, DELETE\)/,
    );
    expect(sb.requests().total).toBe(0);
  });
});
