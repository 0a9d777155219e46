// Joins across accounts on the hidden columns (`ON d.context = s.context`, a parameter compared with another
// table's): the rows Postgres would give, each account listed once per table, and a side narrowed by
// `WHERE s.context = 'b'` narrowing the other.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { buildMissing } from '../select/helpers.js';
import { doctlHome, doqlAccounts, requestsOf, startTwoAccounts, TOKEN_A, TOKEN_B } from './helpers.js';

type Row = Record<string, unknown>;
const json = (stdout: string): Row[] => JSON.parse(stdout) as Row[];
const CONTEXTS = { a: TOKEN_A, b: TOKEN_B } as const;
type Context = keyof typeof CONTEXTS;

/** One account's items of a list, straight from the sandbox. */
async function list(sb: Sandbox, context: Context, path: string, key: string): Promise<Row[]> {
  const res = await fetch(`${sb.url}${path}?per_page=200`, { headers: { authorization: `Bearer ${CONTEXTS[context]}` } });
  return ((await res.json()) as Record<string, Row[] | undefined>)[key] ?? [];
}

/** Requests each account sent to each route since the last resetCounts(). */
function routes(sb: Sandbox): Record<Context, Record<string, number>> {
  return { a: sb.requests(TOKEN_A).byRoute, b: sb.requests(TOKEN_B).byRoute };
}

const byText = (x: Row, y: Row): number => JSON.stringify(x).localeCompare(JSON.stringify(y));

describe.skipIf(buildMissing())('joins on context across two sandbox accounts', () => {
  let sb: Sandbox;
  let home: string;
  const droplets: Record<Context, Row[]> = { a: [], b: [] };
  const clusters: Record<Context, Row[]> = { a: [], b: [] };
  const vpcs: Record<Context, Row[]> = { a: [], b: [] };
  const run = async (sql: string): Promise<Row[]> => {
    const r = await doqlAccounts(sb, home, ['--context', 'a,b', '-o', 'json', sql]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return json(r.stdout);
  };

  beforeAll(async () => {
    sb = await startTwoAccounts({ count: { 'compute.droplets': 3, 'databases.clusters': 2, 'vpcs.vpcs': 2 } });
    home = doctlHome();
    for (const c of ['a', 'b'] as const) {
      droplets[c] = await list(sb, c, '/v2/droplets', 'droplets');
      clusters[c] = await list(sb, c, '/v2/databases', 'databases');
      vpcs[c] = await list(sb, c, '/v2/vpcs', 'vpcs');
    }
  });
  afterAll(() => sb?.close());
  beforeEach(() => sb.resetCounts());

  /** Every (context, droplet, cluster) of one account, as the join should give them. */
  const pairs = (contexts: Context[]): Row[] =>
    contexts.flatMap((c) => droplets[c].flatMap((d) => clusters[c].map((s) => ({ context: c, id: d.id, cluster: s.id })))).sort(byText);

  it('ON d.context = s.context matches each account with its own, listing each account once per table', async () => {
    const rows = await run(
      'SELECT d.context, d.id, s.id AS cluster FROM digitalocean.compute.droplets d JOIN digitalocean.databases.clusters s ON d.context = s.context',
    );
    expect(rows.sort(byText)).toEqual(pairs(['a', 'b']));
    expect(routes(sb)).toEqual({ a: { 'GET /v2/droplets': 1, 'GET /v2/databases': 1 }, b: { 'GET /v2/droplets': 1, 'GET /v2/databases': 1 } });
  });

  it('the same join written in WHERE, the other order of FROM, and the comparison turned around', async () => {
    for (const sql of [
      'SELECT d.context, d.id, s.id AS cluster FROM digitalocean.compute.droplets d, digitalocean.databases.clusters s WHERE d.context = s.context',
      'SELECT d.context, d.id, s.id AS cluster FROM digitalocean.databases.clusters s JOIN digitalocean.compute.droplets d ON s.context = d.context',
    ]) {
      sb.resetCounts();
      expect((await run(sql)).sort(byText)).toEqual(pairs(['a', 'b']));
      expect(requestsOf(sb)).toEqual({ a: 2, b: 2 });
    }
  });

  it("WHERE s.context = 'b' narrows the other side too: account a gets no request", async () => {
    for (const sql of [
      "SELECT d.context, d.id, s.id AS cluster FROM digitalocean.compute.droplets d JOIN digitalocean.databases.clusters s ON d.context = s.context WHERE s.context = 'b'",
      "SELECT d.context, d.id, s.id AS cluster FROM digitalocean.compute.droplets d, digitalocean.databases.clusters s WHERE s.context = 'b' AND s.context = d.context",
    ]) {
      sb.resetCounts();
      expect((await run(sql)).sort(byText)).toEqual(pairs(['b']));
      expect(requestsOf(sb)).toEqual({ a: 0, b: 2 });
    }
  });

  it('LEFT JOIN keeps the rows with no match, and reads the right side only where it can match', async () => {
    const rows = await run(
      "SELECT d.context, d.id, s.id AS cluster FROM digitalocean.compute.droplets d LEFT JOIN digitalocean.databases.clusters s ON s.context = d.context AND s.context = 'b'",
    );
    const unmatched = droplets.a.map((d) => ({ context: 'a', id: d.id, cluster: null }));
    expect(rows.sort(byText)).toEqual([...unmatched, ...pairs(['b'])].sort(byText));
    expect(routes(sb)).toEqual({ a: { 'GET /v2/droplets': 1 }, b: { 'GET /v2/droplets': 1, 'GET /v2/databases': 1 } });
    // Grouped: every droplet of each account counted with its own account's clusters.
    sb.resetCounts();
    const counts = await run(
      'SELECT d.context, count(DISTINCT d.id) AS droplets, count(s.id) AS matches FROM digitalocean.compute.droplets d LEFT JOIN digitalocean.databases.clusters s ON d.context = s.context GROUP BY d.context ORDER BY 1',
    );
    expect(counts).toEqual((['a', 'b'] as const).map((c) => ({ context: c, droplets: droplets[c].length, matches: droplets[c].length * clusters[c].length })));
    expect(requestsOf(sb)).toEqual({ a: 2, b: 2 });
  });

  it('USING (context): an unqualified context is the merged column; LEFT JOIN … USING with WHERE reads one account', async () => {
    const rows = await run(
      'SELECT context, d.id, s.id AS cluster FROM digitalocean.compute.droplets d JOIN digitalocean.databases.clusters s USING (context)',
    );
    expect(rows.sort(byText)).toEqual(pairs(['a', 'b']));
    expect(requestsOf(sb)).toEqual({ a: 2, b: 2 });
    sb.resetCounts();
    const left = await run(
      "SELECT context, count(s.id) AS n FROM digitalocean.compute.droplets d LEFT JOIN digitalocean.databases.clusters s USING (context) WHERE context = 'b' GROUP BY context",
    );
    expect(left).toEqual([{ context: 'b', n: droplets.b.length * clusters.b.length }]);
    expect(requestsOf(sb)).toEqual({ a: 0, b: 2 });
  });

  it('FULL and RIGHT JOIN on context keep the unmatched rows of each side once', async () => {
    // `d.id < 0` matches nothing: every droplet and every cluster comes once, with NULLs on the other side.
    const full = await run(
      'SELECT coalesce(d.context, s.context) AS context, d.id, s.id AS cluster FROM digitalocean.compute.droplets d FULL JOIN digitalocean.databases.clusters s ON d.context = s.context AND d.id < 0',
    );
    const expected = (['a', 'b'] as const).flatMap((c) => [
      ...droplets[c].map((d) => ({ context: c, id: d.id, cluster: null })),
      ...clusters[c].map((x) => ({ context: c, id: null, cluster: x.id })),
    ]);
    expect(full.sort(byText)).toEqual(expected.sort(byText));
    sb.resetCounts();
    const right = await run(
      'SELECT s.context, count(d.id) AS n, count(*) AS all_rows FROM digitalocean.compute.droplets d RIGHT JOIN digitalocean.databases.clusters s ON d.context = s.context GROUP BY 1 ORDER BY 1',
    );
    expect(right).toEqual((['a', 'b'] as const).map((c) => ({ context: c, n: droplets[c].length * clusters[c].length, all_rows: droplets[c].length * clusters[c].length })));
    expect(requestsOf(sb)).toEqual({ a: 2, b: 2 });
  });

  it('a subquery compared with its enclosing query on context (EXISTS, NOT EXISTS, a scalar subquery)', async () => {
    const exists = await run(
      "SELECT d.context, count(*) AS n FROM digitalocean.compute.droplets d WHERE NOT EXISTS (SELECT 1 FROM digitalocean.databases.clusters s WHERE s.context = d.context AND s.context = 'a') GROUP BY 1",
    );
    expect(exists).toEqual([{ context: 'b', n: droplets.b.length }]);
    const scalar = await run(
      'SELECT d.context, (SELECT count(*) FROM digitalocean.databases.clusters s WHERE s.context = d.context) AS n FROM digitalocean.compute.droplets d',
    );
    expect(scalar.sort(byText)).toEqual((['a', 'b'] as const).flatMap((c) => droplets[c].map(() => ({ context: c, n: clusters[c].length }))).sort(byText));
  });

  it('three tables joined on context', async () => {
    const rows = await run(
      'SELECT d.context, count(*) AS n FROM digitalocean.compute.droplets d JOIN digitalocean.databases.clusters s ON d.context = s.context ' +
        'JOIN digitalocean.vpcs.vpcs v ON v.context = s.context GROUP BY d.context ORDER BY 1',
    );
    expect(rows).toEqual((['a', 'b'] as const).map((c) => ({ context: c, n: droplets[c].length * clusters[c].length * vpcs[c].length })));
    const once = { 'GET /v2/droplets': 1, 'GET /v2/databases': 1, 'GET /v2/vpcs': 1 };
    expect(routes(sb)).toEqual({ a: once, b: once });
  });

  it('other comparisons of two contexts are answered too (neither side pushed)', async () => {
    const rows = await run('SELECT count(*) AS n FROM digitalocean.compute.droplets d JOIN digitalocean.databases.clusters s ON d.context <> s.context');
    expect(rows).toEqual([{ n: droplets.a.length * clusters.b.length + droplets.b.length * clusters.a.length }]);
    expect(requestsOf(sb)).toEqual({ a: 2, b: 2 });
  });

  it("two tables' parameters compared: each cluster's backups and users, followed within its account", async () => {
    const expected: Row[] = [];
    let perCluster = 0;
    for (const c of ['a', 'b'] as const) {
      for (const cl of clusters[c]) {
        const backups = await list(sb, c, `/v2/databases/${String(cl.id)}/backups`, 'backups');
        const users = await list(sb, c, `/v2/databases/${String(cl.id)}/users`, 'users');
        for (const b of backups) for (const u of users) expected.push({ context: c, cluster: cl.id, created_at: b.created_at, user: u.name });
        if (backups.length) perCluster++;
      }
    }
    expect(expected.length).toBeGreaterThan(0);
    for (const sql of [
      'SELECT u.context, b.database_cluster_uuid AS cluster, b.created_at, u.name AS "user" FROM digitalocean.databases.clusters c ' +
        'JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id AND b.context = c.context ' +
        'JOIN digitalocean.databases.users u ON u.database_cluster_uuid = b.database_cluster_uuid AND u.context = b.context',
      // The tables in the other order: users first in FROM still follows the backups, which follow the clusters.
      'SELECT u.context, b.database_cluster_uuid AS cluster, b.created_at, u.name AS "user" FROM digitalocean.databases.users u ' +
        'JOIN digitalocean.databases.backups b ON u.database_cluster_uuid = b.database_cluster_uuid AND u.context = b.context ' +
        'JOIN digitalocean.databases.clusters c ON b.database_cluster_uuid = c.id AND b.context = c.context',
    ]) {
      sb.resetCounts();
      expect((await run(sql)).sort(byText)).toEqual(expected.sort(byText));
      // Clusters once per account; backups once per cluster; users once per cluster that has backups.
      const counts = { a: sb.requests(TOKEN_A), b: sb.requests(TOKEN_B) };
      expect(counts.a.byRoute['GET /v2/databases'] ?? 0).toBe(1);
      expect(counts.b.byRoute['GET /v2/databases'] ?? 0).toBe(1);
      const sum = (route: string): number => (counts.a.byRoute[route] ?? 0) + (counts.b.byRoute[route] ?? 0);
      expect(sum('GET /v2/databases/{database_cluster_uuid}/backups')).toBe(clusters.a.length + clusters.b.length);
      expect(sum('GET /v2/databases/{database_cluster_uuid}/users')).toBe(perCluster);
    }
  });

  it('parameters that take their values from each other are refused before any request, saying what to do', async () => {
    const r = await doqlAccounts(sb, home, [
      '--context',
      'a,b',
      'SELECT count(*) FROM digitalocean.databases.backups b JOIN digitalocean.databases.users u ON b.database_cluster_uuid = u.name AND u.database_cluster_uuid = b.created_at',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/parameters take their values from each other/);
    expect(r.stderr).toMatch(/give one of those parameters a value of its own/);
    expect(requestsOf(sb)).toEqual({ a: 0, b: 0 });
  });
});
