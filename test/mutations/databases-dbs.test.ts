// A child resource end to end: a database created under an existing cluster by INSERT, deleted by DELETE on its
// two path params, and each change seen by the next SELECT.
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, routes, sessionOn, startSandbox } from './harness.js';

afterAll(closeAll);

describe('digitalocean.databases.dbs under an existing cluster', () => {
  it('INSERT creates the db (one POST), SELECT lists it, DELETE removes it (one DELETE), SELECT no longer lists it', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const cluster = sb.ids('/v2/databases')[0];
    const list = `SELECT name FROM digitalocean.databases.dbs WHERE database_cluster_uuid = '${cluster}'`;
    const before = (await t.rows(list)).map((r) => r.name);
    expect(before).not.toContain('appdb');

    const [ins] = await t.run(`INSERT INTO digitalocean.databases.dbs (data__name, database_cluster_uuid) SELECT 'appdb', '${cluster}'`);
    expect(ins.command).toBe('INSERT 0 1');
    expect(t.changes()).toEqual([{ method: 'POST', path: `/v2/databases/${cluster}/dbs`, body: { name: 'appdb' } }]);
    expect(routes(sb)['POST /v2/databases/{database_cluster_uuid}/dbs']).toBe(1);
    expect((await t.rows(list)).map((r) => r.name)).toEqual([...before, 'appdb']);

    sb.resetCounts();
    const [del] = await t.run(`DELETE FROM digitalocean.databases.dbs WHERE database_cluster_uuid = '${cluster}' AND database_name = 'appdb'`);
    expect(del.command).toBe('DELETE 1');
    expect(routes(sb)).toEqual({ 'DELETE /v2/databases/{database_cluster_uuid}/dbs/{database_name}': 1 });
    expect(t.changes().at(-1)).toEqual({ method: 'DELETE', path: `/v2/databases/${cluster}/dbs/appdb` });
    expect((await t.rows(list)).map((r) => r.name)).toEqual(before);
  });

  it('the db is made under the named cluster only', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const [a, b] = sb.ids('/v2/databases');
    await t.run(`INSERT INTO digitalocean.databases.dbs (data__name, database_cluster_uuid) VALUES ('only-in-a', '${a}')`);
    expect((await t.rows(`SELECT name FROM digitalocean.databases.dbs WHERE database_cluster_uuid = '${a}'`)).map((r) => r.name)).toContain('only-in-a');
    expect((await t.rows(`SELECT name FROM digitalocean.databases.dbs WHERE database_cluster_uuid = '${b}'`)).map((r) => r.name)).not.toContain('only-in-a');
  });

  it('INSERT without the cluster fails before sending, naming the missing param', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    await expect(t.run(`INSERT INTO digitalocean.databases.dbs (data__name) SELECT 'appdb'`)).rejects.toThrow(/missing required param database_cluster_uuid/);
    expect(sb.requests().total).toBe(0);
  });
});
