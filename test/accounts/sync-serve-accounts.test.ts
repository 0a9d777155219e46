// Several accounts beyond the one-shot CLI: `doql sync --context a,b` fills each row's context column from the
// account it came from, and `doql serve --context a,b` gives psql the column and the same rules.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { postgresMissing, startPostgres } from '../support/postgres.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { buildMissing } from '../select/helpers.js';
import { psqlRows, startDoqlServe, type DoqlServe } from '../serve/doql-serve.js';
import { doctlHome, doqlAccounts, requestsOf, startTwoAccounts, TOKEN_A, TOKEN_B } from './helpers.js';

describe.skipIf(buildMissing())('doql sync --context a,b', () => {
  let sb: Sandbox;
  let home: string;
  beforeAll(async () => {
    sb = await startTwoAccounts({ count: { 'compute.droplets': 3, 'databases.clusters': 2 } });
    home = doctlHome();
  });
  afterAll(() => sb?.close());

  it("writes each row with its own account's context, children followed within their parent's account", async () => {
    const file = join(home, 'history.db');
    // B has one droplet fewer, so the counts tell the accounts apart.
    const gone = sb.ids('compute.droplets', undefined, TOKEN_B)[0]!;
    await fetch(`${sb.url}/v2/droplets/${gone}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN_B}` } });
    sb.resetCounts();
    const r = await doqlAccounts(sb, home, ['--context', 'a,b', 'sync', '--to', file, '--resources', 'compute.droplets,databases.backups']);
    expect(r.stderr).toMatch(/synced 2 resources.*contexts a, b/);
    expect(r.code).toBe(0);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT context, count(*) AS n FROM compute_droplets GROUP BY context ORDER BY 1').all()).toEqual([
        { context: 'a', n: 3 },
        { context: 'b', n: 2 },
      ]);
      const ids = (token: string): string[] => sb.ids('compute.droplets', undefined, token);
      const rows = db.prepare('SELECT context, id FROM compute_droplets').all() as { context: string; id: number }[];
      for (const row of rows) expect(ids(row.context === 'a' ? TOKEN_A : TOKEN_B)).toContain(String(row.id));
      // Backups of a's clusters were asked of a only: no request failed (a cluster of a is unknown to b).
      expect(sb.requests().byStatus['404']).toBeUndefined();
      const backups = db.prepare('SELECT DISTINCT context FROM databases_backups ORDER BY 1').all();
      expect(backups).toEqual([{ context: 'a' }, { context: 'b' }]);
    } finally {
      db.close();
    }
    expect(requestsOf(sb).a).toBeGreaterThan(1);
    expect(requestsOf(sb).b).toBeGreaterThan(1);
  });
});

describe.skipIf(Boolean(buildMissing() ?? postgresMissing()))('doql sync --context a,b into PostgreSQL', () => {
  it("gives each row its account's context, and --mode replace replaces every account's rows", async () => {
    const sb = await startTwoAccounts({ count: { 'compute.droplets': 3 } });
    const server = await startPostgres();
    const client = new pg.Client({ connectionString: server.url });
    try {
      const home = doctlHome();
      await client.connect();
      const sync = (mode: string) => doqlAccounts(sb, home, ['--context', 'a,b', 'sync', '--to', server.url, '--resources', 'compute.droplets', '--mode', mode]);
      expect((await sync('append')).code).toBe(0);
      const gone = sb.ids('compute.droplets', undefined, TOKEN_A)[0]!;
      await fetch(`${sb.url}/v2/droplets/${gone}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN_A}` } });
      const r = await sync('replace');
      expect(r.code, r.stderr).toBe(0);
      const counts = await client.query('SELECT context, count(*)::int AS n FROM compute_droplets GROUP BY context ORDER BY 1');
      expect(counts.rows).toEqual([
        { context: 'a', n: 2 },
        { context: 'b', n: 3 },
      ]);
      const ids = await client.query("SELECT id FROM compute_droplets WHERE context = 'b' ORDER BY id");
      expect(ids.rows.map((x: { id: string }) => String(x.id))).toEqual(sb.ids('compute.droplets', undefined, TOKEN_B));
    } finally {
      await client.end().catch(() => undefined);
      await server.stop();
      await sb.close();
    }
  });
});

describe.skipIf(buildMissing())('doql serve --context a,b', () => {
  let sb: Sandbox;
  let server: DoqlServe;
  beforeAll(async () => {
    sb = await startTwoAccounts();
    const home = doctlHome();
    server = await startDoqlServe(['--api-url', sb.url, '--context', 'a,b'], { HOME: home, DOQL_HOME: join(home, 'doql') });
  });
  afterAll(async () => {
    await server?.stop();
    await sb?.close();
  });

  it('psql sees the context column and groups by it', async () => {
    const r = await psqlRows(server.port, 'SELECT context, count(*) FROM digitalocean.compute.droplets GROUP BY context ORDER BY 1');
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['a | 3', 'b | 3']);
    const d = await psqlRows(server.port, '\\d digitalocean.compute.droplets');
    expect(d.stdout).toMatch(/^context \| text/m);
  });

  it("WHERE context = 'b' reaches b alone, and an ambiguous write is refused before any request", async () => {
    sb.resetCounts();
    // vpcs, which no earlier statement read: the server keeps what it read for 60 s.
    const r = await psqlRows(server.port, "SELECT count(*) FROM digitalocean.vpcs.vpcs WHERE context = 'b'");
    expect(Number(r.stdout.trim())).toBe(sb.ids('vpcs.vpcs', undefined, TOKEN_B).length);
    expect(requestsOf(sb)).toEqual({ a: 0, b: 1 });
    sb.resetCounts();
    const id = sb.ids('compute.droplets', undefined, TOKEN_A)[0]!;
    const w = await psqlRows(server.port, `DELETE FROM digitalocean.compute.droplets WHERE droplet_id = ${id}`);
    expect(w.stderr).toMatch(/several contexts \(a, b\)/);
    expect(requestsOf(sb)).toEqual({ a: 0, b: 0 });
  });
});
