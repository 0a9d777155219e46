// `doql sync` as a process against the sandbox, into a SQLite file and into a real PostgreSQL 15: two snapshots
// with a change between them, the destination's types, replace mode, and a failed sync leaving the last snapshot.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMissing, DOQL_BIN, tempDoqlHome } from '../cli/doql-home.js';
import { runProcess } from '../support/run-process.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../support/postgres.js';
import { startSandboxProcess, type SandboxProcess } from '../../src/sandbox/process.js';

const missing = buildMissing();
if (missing) console.warn(`skipping the doql sync tests: ${missing}`);
const pgMissing = postgresMissing();
if (pgMissing) console.warn(`skipping doql sync into PostgreSQL: ${pgMissing}`);

const RESOURCES = 'compute.droplets,databases.backups';
type Row = Record<string, unknown>;

/** One destination as the tests read it back. */
interface Reader {
  to: string;
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

function doqlIn(home: string) {
  return (args: string[], env: Record<string, string> = {}) =>
    runProcess('node', [DOQL_BIN, ...args], { env: { PATH: process.env.PATH ?? '', DOQL_HOME: home, NO_COLOR: '1', ...env }, timeoutMs: 60_000 });
}

/** `doql sandbox --port 0 …` in its own process. */
const standaloneSandbox = (home: string, args: string[]): Promise<SandboxProcess> =>
  startSandboxProcess(DOQL_BIN, args, { env: { PATH: process.env.PATH ?? '', DOQL_HOME: home }, timeoutMs: 30_000 });

function syncSuite(name: string, open: () => Promise<Reader>, types: (r: Reader) => Promise<Record<string, string>>, expectedTypes: Record<string, string>): void {
  describe(name, () => {
    const home = tempDoqlHome();
    const doql = doqlIn(home);
    let reader: Reader;
    const ids = async (): Promise<number[]> => {
      const r = await doql(['--sandbox', '-o', 'json', 'SELECT id FROM digitalocean.compute.droplets ORDER BY id']);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { id: number }[]).map((x) => x.id);
    };
    const backups = async (): Promise<number> => {
      const r = await doql(['--sandbox', '-o', 'json', 'SELECT count(*) AS n FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id']);
      return (JSON.parse(r.stdout) as { n: number }[])[0].n;
    };
    let before: number[] = [];
    let after: number[] = [];
    let deleted = 0;

    beforeAll(async () => {
      reader = await open();
      before = await ids();
      const first = await doql(['--sandbox', 'sync', '--to', reader.to, '--resources', RESOURCES, '--stats']);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toMatch(/stats: resources 2, rows \d+, skipped 0, failed 0, requests \d+, time \d+ ms/);
      // A change between the snapshots: one droplet created, one destroyed.
      deleted = before[0];
      const ins = await doql(['--sandbox', '-y', "INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image) SELECT 'sync-new', 'nyc3', 's-1vcpu-1gb', 'ubuntu-24-04-x64'"]);
      expect(ins.code, ins.stderr).toBe(0);
      const del = await doql(['--sandbox', '-y', `DELETE FROM digitalocean.compute.droplets WHERE droplet_id = ${deleted}`]);
      expect(del.code, del.stderr).toBe(0);
      after = await ids();
      const second = await doql(['--sandbox', 'sync', '--to', reader.to, '--resources', RESOURCES]);
      expect(second.code, second.stderr).toBe(0);
    }, 180_000);
    afterAll(async () => {
      await reader?.close();
    });

    it('keeps both snapshots: each gives the droplets the account had then', async () => {
      const snaps = (await reader.query('SELECT DISTINCT synced_at FROM compute_droplets ORDER BY synced_at')).map((r) => r.synced_at);
      expect(snaps).toHaveLength(2);
      const at = async (s: unknown): Promise<number[]> =>
        (await reader.query('SELECT id FROM compute_droplets WHERE synced_at = $1 ORDER BY id', [s])).map((r) => Number(r.id));
      expect(await at(snaps[0])).toEqual(before);
      expect(await at(snaps[1])).toEqual(after);
      expect(after).not.toContain(deleted);
      expect(after.length).toBe(before.length); // one created, one destroyed
      const created = await reader.query(
        "SELECT name FROM compute_droplets n WHERE synced_at = $2 AND NOT EXISTS (SELECT 1 FROM compute_droplets o WHERE o.synced_at = $1 AND o.id = n.id)",
        [snaps[0], snaps[1]],
      );
      expect(created.map((r) => r.name)).toEqual(['sync-new']);
      const ctx = await reader.query('SELECT DISTINCT context FROM compute_droplets');
      expect(ctx).toEqual([{ context: 'default' }]);
    });

    it("follows backups from every cluster, as the join does, with the cluster's key", async () => {
      const n = await backups();
      expect(n).toBeGreaterThan(0);
      const rows = await reader.query('SELECT synced_at, count(*) AS n, count(DISTINCT database_cluster_uuid) AS clusters FROM databases_backups GROUP BY synced_at');
      expect(rows).toHaveLength(2);
      for (const r of rows) expect(Number(r.n)).toBe(n);
      expect(Number(rows[0].clusters)).toBeGreaterThan(0);
    });

    it('gives columns the types of the catalog', async () => {
      const t = await types(reader);
      for (const [col, type] of Object.entries(expectedTypes)) expect(t[col], col).toBe(type);
    });

    it('fails a sync whose fetch faults mid-resource, naming the resource, and leaves the last snapshot as it was', async () => {
      const counts = async () => reader.query('SELECT synced_at, count(*) AS n FROM compute_droplets GROUP BY synced_at ORDER BY synced_at');
      const was = await counts();
      const faultyHome = tempDoqlHome();
      // Faults are drawn per request, deterministically under the seed: with seed 4 the first page of 1,000
      // droplets arrives and a later page fails, so the fault lands mid-resource.
      const sb = await standaloneSandbox(faultyHome, ['--seed', '4', '--fault-rate', '0.5', '--count', 'compute.droplets=1000']);
      try {
        const r = await doql(['--api-url', sb.url, '--retries', '0', '--timeout', '2', '-v', 'sync', '--to', reader.to, '--resources', 'compute.droplets'], {
          DIGITALOCEAN_TOKEN: 'doql-sandbox',
        });
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/\/v2\/droplets\?per_page=200 → 200/); // a page came before the fault
        expect(r.stderr).toContain('sync of digitalocean.compute.droplets failed');
        expect(r.stderr).not.toContain('doql-sandbox');
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      } finally {
        await sb.stop();
      }
      expect(await counts()).toEqual(was);
    }, 60_000);

    it('--mode replace keeps only the latest snapshot of the context', async () => {
      const r = await doql(['--sandbox', 'sync', '--to', reader.to, '--resources', 'compute.droplets', '--mode', 'replace']);
      expect(r.code, r.stderr).toBe(0);
      const rows = await reader.query('SELECT DISTINCT synced_at FROM compute_droplets');
      expect(rows).toHaveLength(1);
      expect((await reader.query('SELECT id FROM compute_droplets ORDER BY id')).map((x) => Number(x.id))).toEqual(after);
    }, 60_000);
  });
}

describe.skipIf(Boolean(missing))('doql sync', () => {
  syncSuite(
    'into a SQLite file',
    async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'doql-sync-')), 'history.db');
      let db: Database.Database | undefined;
      const get = (): Database.Database => (db ??= new Database(file, { readonly: true }));
      return {
        to: file,
        // The tests' SQL uses $1, $2: SQLite reads them as numbered parameters too.
        query: async (sql, params = []) => get().prepare(sql).all(Object.fromEntries(params.map((p, i) => [String(i + 1), p]))) as Row[],
        close: async () => db?.close(),
      };
    },
    async (r) => Object.fromEntries((await r.query("SELECT name, type FROM pragma_table_info('compute_droplets')")).map((c) => [c.name, c.type])) as Record<string, string>,
    { created_at: 'TEXT', id: 'INTEGER', memory: 'INTEGER', vcpus: 'INTEGER', locked: 'INTEGER', image: 'TEXT', context: 'TEXT', synced_at: 'TEXT' },
  );

  describe.skipIf(Boolean(pgMissing))('PostgreSQL 15', () => {
    let server: TestPostgres | undefined;
    afterAll(async () => {
      await server?.stop();
    });
    syncSuite(
      'into PostgreSQL',
      async () => {
        server = await startPostgres();
        const client = new pg.Client({ connectionString: server.url });
        await client.connect();
        return {
          to: server.url,
          query: async (sql, params) => (await client.query(sql, params)).rows as Row[],
          close: async () => client.end(),
        };
      },
      async (r) =>
        Object.fromEntries(
          (await r.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'compute_droplets'")).map((c) => [c.column_name, c.data_type]),
        ) as Record<string, string>,
      {
        created_at: 'timestamp with time zone',
        id: 'bigint',
        memory: 'bigint',
        locked: 'boolean',
        image: 'jsonb',
        tags: 'jsonb',
        context: 'text',
        synced_at: 'timestamp with time zone',
      },
    );
  });
});

describe.skipIf(Boolean(missing))('doql sync refuses bad input in one line, before creating anything', () => {
  const home = tempDoqlHome();
  const doql = doqlIn(home);
  const dir = mkdtempSync(join(tmpdir(), 'doql-sync-bad-'));
  const cases: [string[], string][] = [
    [['--resources', 'compute.dropletz'], '--resources compute.dropletz:'],
    [['--resources', 'nosuch.*'], 'no service "nosuch"'],
    [['--resources', 'compute.droplets', '--mode', 'merge'], '--mode must be append or replace'],
    [[], 'doql sync needs --resources'],
  ];
  for (const [args, message] of cases) {
    it(`${args.join(' ') || '(no --resources)'}`, async () => {
      const file = join(dir, `${args.join('_') || 'none'}.db`);
      const r = await doql(['--sandbox', 'sync', '--to', file, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split('\n')[0]).toMatch(/^doql: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(file)).toBe(false);
    });
  }

  it('says which URLs it takes, and never shows a password', async () => {
    const other = await doql(['--sandbox', 'sync', '--to', 'mysql://me:hunter2@127.0.0.1/x', '--resources', 'compute.droplets']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('only a SQLite file path or a postgres:// URL');
    expect(other.stderr).not.toContain('hunter2');
    // Nothing listens on port 1: the connection is refused.
    const refused = await doql(['--sandbox', 'sync', '--to', 'postgres://me:hunter2@127.0.0.1:1/x', '--resources', 'compute.droplets']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('cannot connect');
    expect(refused.stderr).not.toContain('hunter2');
  });
});

describe.skipIf(Boolean(missing))('doql sync --query FILE', () => {
  const home = tempDoqlHome();
  const doql = doqlIn(home);
  const dir = mkdtempSync(join(tmpdir(), 'doql-sync-query-'));
  const QUERY = "SELECT region ->> 'slug' AS region, count(*) AS droplets, sum(memory) AS memory FROM digitalocean.compute.droplets GROUP BY 1 ORDER BY 1";

  it("copies the SELECT's rows into a table named after the file", async () => {
    writeFileSync(join(dir, 'droplets_by_region.sql'), QUERY);
    const file = join(dir, 'q.db');
    const r = await doql(['--sandbox', 'sync', '--to', file, '--query', join(dir, 'droplets_by_region.sql')]);
    expect(r.code, r.stderr).toBe(0);
    const expected = await doql(['--sandbox', '-o', 'json', QUERY]);
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT region, droplets, memory FROM droplets_by_region ORDER BY region').all();
    db.close();
    expect(rows).toEqual(JSON.parse(expected.stdout));
  }, 60_000);

  it('refuses a file holding anything but one SELECT, sending nothing', async () => {
    const count = async () => JSON.parse((await doql(['--sandbox', '-o', 'json', 'SELECT count(*) AS n FROM digitalocean.compute.droplets'])).stdout) as unknown;
    const was = await count();
    writeFileSync(join(dir, 'bad.sql'), 'DELETE FROM digitalocean.compute.droplets WHERE droplet_id > 0');
    const r = await doql(['--sandbox', '-y', 'sync', '--to', join(dir, 'bad.db'), '--query', join(dir, 'bad.sql')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the file must hold one SELECT');
    expect(existsSync(join(dir, 'bad.db'))).toBe(false);
    expect(await count()).toEqual(was);
  }, 60_000);
});
