// A sync writes a resource's listing page by page as the pages arrive, not through the SELECT: the tables it
// writes must hold exactly what writing the SELECT's rows gives, for every listing resource of the sandbox, in a
// real PostgreSQL 15 and in a SQLite file, with the same requests as the SELECT.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { openDestination } from '../../src/sync/destination.js';
import { isSkipped, planResource, resolvePatterns, type SyncPlan } from '../../src/sync/plan.js';
import { runSync } from '../../src/sync/run-sync.js';
import { buildMissing, catalog, sessionFor, startSandbox, type TestSession } from '../select/helpers.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../support/postgres.js';

const missing = buildMissing();
const pgMissing = postgresMissing();
if (pgMissing) console.warn(`skipping the streamed sync into PostgreSQL: ${pgMissing}`);

describe.skipIf(Boolean(missing))('a streamed sync writes what the SELECT gives', () => {
  let sb: Sandbox;
  let t: TestSession;
  let plans: SyncPlan[];
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    // 450 droplets: three pages, which arrive in any order.
    sb = await startSandbox({ seed: 9, count: { 'compute.droplets': 450 } });
    t = sessionFor(sb);
    const cat = catalog().catalog;
    plans = resolvePatterns(cat, ['*'])
      .map((r) => planResource(cat, r))
      .filter((p): p is SyncPlan => !isSkipped(p) && p.listing === true);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await sb?.close();
  });

  /** Syncs every listing resource, then writes each SELECT's rows beside it (`<table>_select`); the differing rows per table. */
  async function compare(to: string, exceptCount: (table: string, columns: string) => Promise<number>): Promise<Record<string, number>> {
    const dest = await openDestination(to);
    try {
      t.urls.length = 0;
      const r = await runSync(t.session, dest, { patterns: plans.map((p) => p.resource), mode: 'append', context: 'default', log: () => {} });
      const streamedUrls = [...t.urls].sort();
      // Only what the API address does not serve (inference's own server) fails, as the SELECT does.
      for (const f of r.failed) expect(f.message).toMatch(/is served by https:/);
      expect(r.failed.length).toBeLessThan(5);
      expect(r.rows).toBeGreaterThan(450);
      t.urls.length = 0;
      const diffs: Record<string, number> = {};
      for (const p of plans.filter((x) => !r.failed.some((f) => f.resource === x.resource))) {
        const f = await t.session.select(p.sql);
        await dest.write(`${p.table}_select`, p.columns!, f.rows.map((row) => row.slice(1)), { context: 'default', syncedAt: r.syncedAt, mode: 'append' });
        const columns = [...p.columns!.map((c) => `"${c.name}"`), 'context', 'synced_at'].join(', ');
        diffs[p.table] = (await exceptCount(p.table, columns)) + (await exceptCount(`${p.table}_select`, columns));
      }
      // The same pages as the SELECTs fetched, each once.
      expect(streamedUrls).toEqual([...t.urls].sort());
      return diffs;
    } finally {
      await dest.close();
    }
  }

  it('into a SQLite file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'doql-sync-stream-')), 'h.db');
    const db = new Database(file, { readonly: false });
    try {
      const diffs = await compare(file, async (table, columns) => {
        const other = table.endsWith('_select') ? table.slice(0, -'_select'.length) : `${table}_select`;
        return (db.prepare(`SELECT count(*) AS n FROM (SELECT ${columns} FROM "${table}" EXCEPT SELECT ${columns} FROM "${other}")`).get() as { n: number }).n;
      });
      expect(Object.keys(diffs).length).toBeGreaterThan(50);
      expect(Object.entries(diffs).filter(([, n]) => n > 0)).toEqual([]);
      expect((db.prepare('SELECT count(*) AS n FROM compute_droplets').get() as { n: number }).n).toBe(450);
    } finally {
      db.close();
    }
  }, 120_000);

  it.skipIf(Boolean(pgMissing))('into PostgreSQL 15', async () => {
    server = await startPostgres();
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const diffs = await compare(server.url, async (table, columns) => {
        const other = table.endsWith('_select') ? table.slice(0, -'_select'.length) : `${table}_select`;
        return (await client.query(`SELECT count(*)::int AS n FROM (SELECT ${columns} FROM "${table}" EXCEPT ALL SELECT ${columns} FROM "${other}") x`)).rows[0].n as number;
      });
      expect(Object.entries(diffs).filter(([, n]) => n > 0)).toEqual([]);
      expect((await client.query('SELECT count(*)::int AS n FROM compute_droplets')).rows).toEqual([{ n: 450 }]);
    } finally {
      await client.end();
    }
  }, 120_000);
});
