// Required parameters by =, IN, joins, LEFT JOIN, IN (SELECT …), CTEs, subqueries, aggregates, window
// functions, ORDER BY/LIMIT and JSON functions: the rows equal what the API holds, and the requests
// made are exactly the ones needed (counted by the sandbox, per route).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { directGet, directList, routes, sessionFor, startSandbox, type TestSession } from './helpers.js';

const LIST_CLUSTERS = 'GET /v2/databases';
const LIST_BACKUPS = 'GET /v2/databases/{database_cluster_uuid}/backups';

interface Backup {
  cluster: string;
  created_at: string;
  size_gigabytes: number;
}

const byKey = <T extends object>(rows: T[]): T[] => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('required parameters, joins and SQL over the API', () => {
  let sb: Sandbox;
  let t: TestSession;
  let clusters: { id: string; name: string }[];
  let backups: Backup[];

  beforeAll(async () => {
    sb = await startSandbox({ seed: 11, count: { 'databases.clusters': 7 } });
    const body = await directGet(sb, '/v2/databases');
    clusters = (body.databases as { id: string; name: string }[]).map(({ id, name }) => ({ id, name }));
    backups = [];
    for (const c of clusters) {
      const b = await directGet(sb, `/v2/databases/${c.id}/backups`);
      for (const x of b.backups as { created_at: string; size_gigabytes: number }[]) {
        backups.push({ cluster: c.id, created_at: x.created_at, size_gigabytes: x.size_gigabytes });
      }
    }
    expect(clusters).toHaveLength(7);
    expect(backups.length).toBeGreaterThan(clusters.length);
  });
  afterAll(() => sb.close());

  const fresh = (): TestSession => {
    sb.resetCounts();
    return (t = sessionFor(sb));
  };
  const backupsOf = (ids: string[]): Backup[] => backups.filter((b) => ids.includes(b.cluster));

  it('= on the required parameter makes one GET for that value and returns its rows', async () => {
    fresh();
    const id = clusters[3]!.id;
    const rows = await t.objects(
      `SELECT database_cluster_uuid AS cluster, created_at, size_gigabytes FROM digitalocean.databases.backups WHERE database_cluster_uuid = '${id}'`,
    );
    expect(byKey(rows)).toEqual(byKey(backupsOf([id])));
    expect(routes(sb)).toEqual({ [LIST_BACKUPS]: 1 });
  });

  it.each([
    ['three distinct values', [0, 1, 2], 3],
    ['a repeated value (fetched once)', [4, 4, 5], 2],
  ])('IN (…) with %s makes one GET per distinct value', async (_name, idx, gets) => {
    fresh();
    const ids = idx.map((i) => clusters[i]!.id);
    const rows = await t.objects(
      `SELECT database_cluster_uuid AS cluster, created_at, size_gigabytes FROM digitalocean.databases.backups WHERE database_cluster_uuid IN (${ids.map((i) => `'${i}'`).join(', ')})`,
    );
    expect(byKey(rows)).toEqual(byKey(backupsOf(ids)));
    expect(routes(sb)).toEqual({ [LIST_BACKUPS]: gets });
  });

  it.each([
    ['JOIN … ON b.database_cluster_uuid = c.id', 'FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id'],
    ['a comma join with the condition in WHERE', 'FROM digitalocean.databases.clusters c, digitalocean.databases.backups b WHERE b.database_cluster_uuid = c.id'],
    ['IN (SELECT id FROM …clusters)', 'FROM digitalocean.databases.backups b WHERE b.database_cluster_uuid IN (SELECT id FROM digitalocean.databases.clusters)'],
    ['a subquery in FROM joined to backups', 'FROM digitalocean.databases.backups b JOIN (SELECT id FROM digitalocean.databases.clusters) c ON b.database_cluster_uuid = c.id'],
  ])('%s: one list of clusters, one GET per cluster, every backup once', async (_name, from) => {
    fresh();
    const rows = await t.objects(`SELECT b.database_cluster_uuid AS cluster, b.created_at, b.size_gigabytes ${from}`);
    expect(byKey(rows)).toEqual(byKey(backups));
    expect(routes(sb)).toEqual({ [LIST_CLUSTERS]: 1, [LIST_BACKUPS]: clusters.length });
  });

  it('a WITH … CTE feeding the parameter behaves like the join', async () => {
    fresh();
    const rows = await t.objects(`
      WITH c AS (SELECT id, name FROM digitalocean.databases.clusters)
      SELECT c.name, b.created_at FROM c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id`);
    const names = new Map(clusters.map((c) => [c.id, c.name]));
    expect(byKey(rows)).toEqual(byKey(backups.map((b) => ({ name: names.get(b.cluster), created_at: b.created_at }))));
    expect(routes(sb)).toEqual({ [LIST_CLUSTERS]: 1, [LIST_BACKUPS]: clusters.length });
  });

  it('the join completes in three rounds (list, fan-out, final run)', async () => {
    fresh();
    const before = t.session.stats.rounds;
    await t.rows('SELECT count(*) FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id');
    expect(t.session.stats.rounds - before).toBe(3);
  });

  it('LEFT JOIN keeps every cluster, with NULLs where no backup matches the extra condition', async () => {
    fresh();
    const rows = await t.objects(`
      SELECT c.id, b.created_at FROM digitalocean.databases.clusters c
      LEFT JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id AND b.size_gigabytes > 1e9
      ORDER BY c.id`);
    expect(rows).toEqual([...clusters].map((c) => ({ id: c.id, created_at: null })).sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(routes(sb)).toEqual({ [LIST_CLUSTERS]: 1, [LIST_BACKUPS]: clusters.length });
  });

  it('LEFT JOIN with aggregates: backups counted and summed per cluster', async () => {
    fresh();
    const rows = await t.objects(`
      SELECT c.id, count(b.created_at) AS n, round(sum(b.size_gigabytes), 6) AS total
      FROM digitalocean.databases.clusters c
      LEFT JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id
      GROUP BY c.id ORDER BY c.id`);
    const expected = [...clusters]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((c) => {
        const mine = backupsOf([c.id]);
        return { id: c.id, n: mine.length, total: Math.round(mine.reduce((s, b) => s + b.size_gigabytes, 0) * 1e6) / 1e6 };
      });
    expect(rows).toEqual(expected);
  });

  it('a correlated scalar subquery counts each cluster’s backups', async () => {
    fresh();
    const rows = await t.objects(`
      SELECT c.id, (SELECT count(*) FROM digitalocean.databases.backups b WHERE b.database_cluster_uuid = c.id) AS n
      FROM digitalocean.databases.clusters c ORDER BY c.id`);
    expect(rows).toEqual([...clusters].sort((a, b) => (a.id < b.id ? -1 : 1)).map((c) => ({ id: c.id, n: backupsOf([c.id]).length })));
    expect(routes(sb)).toEqual({ [LIST_CLUSTERS]: 1, [LIST_BACKUPS]: clusters.length });
  });

  it('a window function picks each cluster’s newest backup', async () => {
    fresh();
    const rows = await t.objects(`
      SELECT cluster, created_at FROM (
        SELECT b.database_cluster_uuid AS cluster, b.created_at,
               row_number() OVER (PARTITION BY b.database_cluster_uuid ORDER BY b.created_at DESC) AS rn
        FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id)
      WHERE rn = 1 ORDER BY cluster`);
    const newest = [...clusters]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((c) => ({ cluster: c.id, created_at: backupsOf([c.id]).map((b) => b.created_at).sort().at(-1) }));
    expect(rows).toEqual(newest);
  });

  it('ORDER BY … LIMIT returns the largest backups across all clusters, in order', async () => {
    fresh();
    const rows = await t.objects(`
      SELECT b.database_cluster_uuid AS cluster, b.created_at, b.size_gigabytes
      FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id
      ORDER BY b.size_gigabytes DESC, b.created_at LIMIT 4`);
    const expected = [...backups].sort((a, b) => b.size_gigabytes - a.size_gigabytes || a.created_at.localeCompare(b.created_at)).slice(0, 4);
    expect(rows).toEqual(expected);
  });

  it('the same resource twice in one statement (UNION ALL) fetches each cluster’s backups once', async () => {
    fresh();
    const rows = await t.rows(`
      SELECT count(*) FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id
      UNION ALL
      SELECT count(*) FROM digitalocean.databases.backups WHERE database_cluster_uuid IN (SELECT id FROM digitalocean.databases.clusters)`);
    expect(rows).toEqual([[backups.length], [backups.length]]);
    expect(routes(sb)).toEqual({ [LIST_CLUSTERS]: 1, [LIST_BACKUPS]: clusters.length });
  });
});

describe('JSON columns: json_extract, ->> and json_each', () => {
  let sb: Sandbox;
  let droplets: Record<string, unknown>[];

  beforeAll(async () => {
    sb = await startSandbox({ seed: 12, count: { 'compute.droplets': 40 } });
    droplets = await directList(sb, '/v2/droplets', 'droplets');
    expect(droplets).toHaveLength(40);
  });
  afterAll(() => sb.close());

  const byId = (a: Record<string, unknown>, b: Record<string, unknown>): number => Number(a.id) - Number(b.id);
  type Net = { v4: { ip_address: string; type: string }[] };

  it('json_each(tags) gives one row per droplet tag', async () => {
    const t = sessionFor(sb);
    const rows = await t.objects('SELECT d.id, j.value AS tag FROM digitalocean.compute.droplets d, json_each(d.tags) j ORDER BY d.id, j.key');
    const expected = [...droplets].sort(byId).flatMap((d) => (d.tags as string[]).map((tag) => ({ id: d.id, tag })));
    expect(expected.length).toBeGreaterThan(0);
    expect(rows).toEqual(expected);
  });

  it('json_extract and ->> read nested network fields', async () => {
    const t = sessionFor(sb);
    const rows = await t.objects(`
      SELECT id, json_extract(networks, '$.v4[0].ip_address') AS ip, networks ->> '$.v4[0].type' AS type,
             json_array_length(networks, '$.v4') AS n
      FROM digitalocean.compute.droplets ORDER BY id`);
    const expected = [...droplets].sort(byId).map((d) => {
      const v4 = (d.networks as Net).v4;
      return { id: d.id, ip: v4[0]?.ip_address ?? null, type: v4[0]?.type ?? null, n: v4.length };
    });
    expect(rows).toEqual(expected);
  });

  it('json_each over networks in WHERE finds droplets by public IPv4 address', async () => {
    const t = sessionFor(sb);
    const target = droplets.find((d) => (d.networks as Net).v4.some((n) => n.type === 'public'))!;
    const ip = (target.networks as Net).v4.find((n) => n.type === 'public')!.ip_address;
    const rows = await t.rows(`
      SELECT d.id FROM digitalocean.compute.droplets d
      WHERE EXISTS (SELECT 1 FROM json_each(d.networks, '$.v4') n WHERE n.value ->> 'ip_address' = '${ip}' AND n.value ->> 'type' = 'public')`);
    const expected = droplets.filter((d) => (d.networks as Net).v4.some((n) => n.ip_address === ip && n.type === 'public')).map((d) => [d.id]);
    expect(rows).toEqual(expected);
  });

  it('GROUP BY over json_each counts droplets per tag', async () => {
    const t = sessionFor(sb);
    const rows = await t.objects('SELECT j.value AS tag, count(*) AS n FROM digitalocean.compute.droplets d, json_each(d.tags) j GROUP BY 1 ORDER BY 1');
    const counts = new Map<string, number>();
    for (const d of droplets) for (const tag of d.tags as string[]) counts.set(tag, (counts.get(tag) ?? 0) + 1);
    expect(rows).toEqual([...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([tag, n]) => ({ tag, n })));
  });
});

describe('path parameter values that would change the request path', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 13 });
  });
  afterAll(() => sb.close());

  it.each([['..'], ['.'], ['']])("database_cluster_uuid = '%s' is refused before any request (no GET /v2/backups)", async (value) => {
    sb.resetCounts();
    const t = sessionFor(sb);
    await expect(t.rows(`SELECT created_at FROM digitalocean.databases.backups WHERE database_cluster_uuid = '${value}'`)).rejects.toThrow(
      `database_cluster_uuid cannot be '${value}': it fills a segment of the request path`,
    );
    expect(sb.requests().total).toBe(0);
  });

  it("DELETE … WHERE username = '..' sends nothing and the cluster survives (it used to DELETE /v2/databases/{id})", async () => {
    const cluster = ((await directGet(sb, '/v2/databases')).databases as { id: string }[])[0]!.id;
    sb.resetCounts();
    const t = sessionFor(sb);
    t.session.mutation.yes = true;
    await expect(
      t.session.execute(`DELETE FROM digitalocean.databases.users WHERE database_cluster_uuid = '${cluster}' AND username = '..'`),
    ).rejects.toThrow("username cannot be '..'");
    expect(sb.requests().total).toBe(0);
    expect(((await directGet(sb, `/v2/databases/${cluster}`)).database as { id: string }).id).toBe(cluster);
  });

  it('a value with a slash stays inside its segment (encoded), so a 404 get is just empty', async () => {
    sb.resetCounts();
    const t = sessionFor(sb);
    expect(await t.rows("SELECT id FROM digitalocean.compute.droplets WHERE droplet_id = '../account'")).toEqual([]);
    expect(t.urls).toEqual(['/v2/droplets/..%2Faccount']);
  });
});

describe('identifiers as SQL reads them (case-insensitive, quoted, NATURAL JOIN)', () => {
  let sb: Sandbox;
  let droplets: Record<string, unknown>[];
  let regions: Record<string, unknown>[];
  beforeAll(async () => {
    sb = await startSandbox({ seed: 14, count: { 'compute.droplets': 12 } });
    droplets = await directList(sb, '/v2/droplets', 'droplets');
    regions = (await directGet(sb, '/v2/regions')).regions as Record<string, unknown>[];
  });
  afterAll(() => sb.close());

  const sorted = (ds: Record<string, unknown>[]) => [...ds].sort((a, b) => Number(a.id) - Number(b.id));

  it.each([
    ['SELECT ID, Name FROM digitalocean.compute.droplets ORDER BY Id'],
    ['SELECT "id", [name] FROM digitalocean.compute.droplets ORDER BY `ID`'],
    ['select id, NAME from digitalocean.compute.droplets order by ID'],
  ])('%s reads the id and name columns', async (sql) => {
    const t = sessionFor(sb);
    expect(await t.rows(sql)).toEqual(sorted(droplets).map((d) => [d.id, d.name]));
  });

  it('an upper-case join condition joins the same rows as a lower-case one', async () => {
    const t = sessionFor(sb);
    const lower = await t.rows(
      'SELECT c.id, b.created_at FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id ORDER BY 1, 2',
    );
    const upper = await t.rows(
      'SELECT C.ID, B.CREATED_AT FROM digitalocean.databases.clusters C JOIN digitalocean.databases.backups B ON B.DATABASE_CLUSTER_UUID = C.ID ORDER BY 1, 2',
    );
    expect(lower.length).toBeGreaterThan(0);
    expect(upper).toEqual(lower);
    for (const [id, created] of upper) expect([id, created]).not.toContain(null);
  });

  it('NATURAL JOIN compares the columns it never names', async () => {
    const t = sessionFor(sb);
    expect(await t.rows('SELECT count(*) FROM digitalocean.compute.regions a NATURAL JOIN digitalocean.compute.regions b')).toEqual([[regions.length]]);
  });
});

describe('a required parameter nobody supplies', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 15 });
  });
  afterAll(() => sb.close());

  const needs = (id: string, p: string): string => `${id} needs ${p}: add WHERE ${p} = '…' or join it to a table that has it`;

  it.each([
    ['no WHERE at all', 'SELECT created_at, size_gigabytes FROM digitalocean.databases.backups', needs('digitalocean.databases.backups', 'database_cluster_uuid'), 0],
    ['a WHERE on other columns only', 'SELECT * FROM digitalocean.databases.backups WHERE size_gigabytes > 1', needs('digitalocean.databases.backups', 'database_cluster_uuid'), 0],
    ['another resource, integer parameter', 'SELECT * FROM digitalocean.compute.droplet_actions', needs('digitalocean.compute.droplet_actions', 'droplet_id'), 0],
    [
      'a join on a column that is not the parameter (the clusters list is read first)',
      'SELECT c.id FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.created_at = c.created_at',
      needs('digitalocean.databases.backups', 'database_cluster_uuid'),
      1,
    ],
  ])('%s: exactly the missing-parameter error', async (_name, sql, message, requests) => {
    sb.resetCounts();
    await expect(sessionFor(sb).rows(sql)).rejects.toMatchObject({ message, code: 'missing_param' });
    expect(sb.requests().total).toBe(requests);
  });
});
