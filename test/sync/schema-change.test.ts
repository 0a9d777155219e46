// A destination's table follows the catalog's columns across specs: new columns are added, none is dropped,
// earlier rows keep their values; checked in a SQLite file and in a real PostgreSQL 15.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDestination, type Destination } from '../../src/sync/destination.js';
import { buildMissing, DOQL_BIN, tempDoqlHome } from '../cli/doql-home.js';
import { runProcess } from '../support/run-process.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../support/postgres.js';

const pgMissing = postgresMissing();
if (pgMissing) console.warn(`skipping the Postgres schema-change test: ${pgMissing}`);

async function evolve(dest: Destination, read: (sql: string) => Promise<Record<string, unknown>[]>): Promise<void> {
  const at = (s: string) => ({ context: 'default', syncedAt: new Date(s), mode: 'append' as const });
  await dest.write('compute_things', [{ name: 'id', type: 'integer' }, { name: 'name', type: 'text' }], [[1, 'old']], at('2026-01-01T00:00:00Z'));
  // A newer spec adds `created_at` and `tags`, and no longer has `name`.
  await dest.write('compute_things', [{ name: 'id', type: 'integer' }, { name: 'created_at', type: 'timestamp' }, { name: 'tags', type: 'json' }], [[2, '2026-02-01T10:00:00Z', '["a"]']], at('2026-02-01T00:00:00Z'));
  const rows = await read('SELECT id, name, created_at IS NULL AS no_date, tags IS NULL AS no_tags FROM compute_things ORDER BY id');
  expect(rows.map((r) => [Number(r.id), r.name, Boolean(r.no_date), Boolean(r.no_tags)])).toEqual([
    [1, 'old', true, true],
    [2, null, false, false],
  ]);
}

/**
 * A write that fails half-way (a CHECK the rows break, made by hand before the sync) rolls the resource back whole,
 * columns it added included; the other resource is still written and the command names the failed one.
 */
async function failedWrite(to: string, exec: (sql: string) => Promise<void>, read: (sql: string) => Promise<Record<string, unknown>[]>): Promise<void> {
  await exec("CREATE TABLE compute_droplets (id bigint CHECK (id < 0), context text NOT NULL, synced_at text NOT NULL)");
  await exec("INSERT INTO compute_droplets VALUES (-1, 'default', 'earlier')");
  const r = await runProcess('node', [DOQL_BIN, '--sandbox', 'sync', '--to', to, '--resources', 'compute.droplets,databases.clusters'], {
    env: { PATH: process.env.PATH ?? '', DOQL_HOME: tempDoqlHome(), NO_COLOR: '1' },
    timeoutMs: 60_000,
  });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('sync of digitalocean.compute.droplets failed');
  expect(await read('SELECT id, synced_at FROM compute_droplets')).toEqual([{ id: -1, synced_at: 'earlier' }]);
  expect(Number((await read('SELECT count(*) AS n FROM databases_clusters'))[0].n)).toBeGreaterThan(0);
}

describe('schema changes add columns and drop none', () => {
  it('in a SQLite file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'doql-sync-')), 'h.db');
    const dest = await openDestination(file);
    try {
      const db = new Database(file, { readonly: true });
      await evolve(dest, async (sql) => db.prepare(sql).all() as Record<string, unknown>[]);
      expect((db.prepare("SELECT name FROM pragma_table_info('compute_things')").pluck().all() as string[]).sort()).toEqual(['context', 'created_at', 'id', 'name', 'synced_at', 'tags']);
      db.close();
    } finally {
      await dest.close();
    }
  });

  it.skipIf(Boolean(buildMissing()))('a failed write leaves the SQLite table as it was', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'doql-sync-')), 'h.db');
    const db = new Database(file);
    try {
      await failedWrite(file, async (sql) => void db.exec(sql), async (sql) => db.prepare(sql).all() as Record<string, unknown>[]);
      expect((db.prepare("SELECT name FROM pragma_table_info('compute_droplets')").pluck().all() as string[]).sort()).toEqual(['context', 'id', 'synced_at']);
    } finally {
      db.close();
    }
  }, 60_000);

  describe.skipIf(Boolean(pgMissing))('PostgreSQL 15', () => {
    let server: TestPostgres | undefined;
    afterAll(async () => {
      await server?.stop();
    });
    it('in PostgreSQL, with its types', async () => {
      server = await startPostgres();
      const dest = await openDestination(server.url);
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        await evolve(dest, async (sql) => (await client.query(sql)).rows);
        const cols = (await client.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'compute_things' ORDER BY column_name")).rows;
        expect(cols.map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
          'context text',
          'created_at timestamp with time zone',
          'id bigint',
          'name text',
          'synced_at timestamp with time zone',
          'tags jsonb',
        ]);
        // A resource with no columns of its own still gets one row per item.
        await dest.write('compute_empty', [], [[], []], { context: 'default', syncedAt: new Date(), mode: 'replace' });
        expect((await client.query('SELECT count(*)::int AS n FROM compute_empty')).rows).toEqual([{ n: 2 }]);
      } finally {
        await client.end();
        await dest.close();
      }
    }, 60_000);

    it.skipIf(Boolean(buildMissing()))('a failed write leaves the Postgres table as it was', async () => {
      server ??= await startPostgres();
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        await client.query('DROP TABLE IF EXISTS compute_droplets, databases_clusters');
        await failedWrite(server.url, async (sql) => void (await client.query(sql)), async (sql) => (await client.query(sql)).rows.map((r) => ('id' in r ? { ...r, id: Number(r.id) } : r)));
        const cols = (await client.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'compute_droplets' ORDER BY 1")).rows.map((c) => c.column_name);
        expect(cols).toEqual(['context', 'id', 'synced_at']);
      } finally {
        await client.end();
      }
    }, 60_000);
  });
});
