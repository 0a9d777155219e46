// Rows cross into SQLite through the native virtual table (src/native/doql_columns.c, engine/native-rows.ts) unless
// DOQL_NATIVE_ROWS=0 keeps better-sqlite3's JavaScript one. Every statement here must give the same answer both
// ways — the same rows in the same order, the same columns, the same error — and the native table must be the
// one in use wherever the build made it (CI builds it, so CI proves it is used).
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../../src/api/client.js';
import { createSession, type DoqlSession } from '../../src/engine/session.js';
import { defineNativeTable, NATIVE_ROWS_PATH, nativeRowsFallback, nativeRowsWanted } from '../../src/engine/native-rows.js';
import { nativeBatch } from '../../src/engine/native-scan.js';
import type { SqliteValue } from '../../src/engine/rows.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { catalog, startSandbox } from './helpers.js';

const TOKEN_A = 'native-rows-account-a';
const TOKEN_B = 'native-rows-account-b';

/** A session over the sandbox's accounts, its tables native or (DOQL_NATIVE_ROWS=0) JavaScript. */
async function pathSession(sb: Sandbox, native: boolean, contexts: string[]): Promise<{ session: DoqlSession; clients: ApiClient[] }> {
  const tokens: Record<string, string> = { a: TOKEN_A, b: TOKEN_B };
  const clients = contexts.map((c) => createApiClient({ baseUrl: sb.url, token: tokens[c]! }));
  const session = createSession({
    catalog: catalog(),
    api: () => clients[0]!,
    cacheTtlMs: 600_000,
    accounts: async () => ({ names: contexts, api: (name) => clients[contexts.indexOf(name)]! }),
  });
  // The path is chosen when the session's database registers its first table.
  const before = process.env.DOQL_NATIVE_ROWS;
  if (native) delete process.env.DOQL_NATIVE_ROWS;
  else process.env.DOQL_NATIVE_ROWS = '0';
  try {
    await session.execute('SELECT count(*) FROM digitalocean.compute.regions');
    if (native && existsSync(NATIVE_ROWS_PATH)) expect(nativeRowsFallback()).toBeUndefined();
  } finally {
    if (before === undefined) delete process.env.DOQL_NATIVE_ROWS;
    else process.env.DOQL_NATIVE_ROWS = before;
  }
  return { session, clients };
}

/** A statement's whole answer, or its error, as comparable data. */
async function answer(session: DoqlSession, sql: string): Promise<unknown> {
  try {
    const results = await session.execute(sql);
    return results.map((r) => ({ columns: r.columns, rows: r.rows, command: r.command, notices: r.notices }));
  } catch (err) {
    const e = err as { constructor: { name: string }; message: string; code?: string };
    // Which request ids an error names is the sandbox's.
    return { error: e.constructor.name, message: e.message.replace(/request id [0-9a-f-]+/g, 'request id …'), code: e.code };
  }
}

/** Deep equality that, for thousands of rows, names the first difference instead of printing them all. */
function expectSame(got: unknown, want: unknown): void {
  const rows = (a: unknown) => (Array.isArray(a) ? (a as { rows: unknown[] }[]).flatMap((r) => r.rows) : []);
  const g = rows(got);
  const w = rows(want);
  const at = g.findIndex((r, i) => JSON.stringify(r, big) !== JSON.stringify(w[i], big));
  expect(at < 0 ? undefined : { row: at, got: g[at], want: w[at] }).toBeUndefined();
  expect(g.length).toBe(w.length);
  expect(JSON.stringify(got, big)).toBe(JSON.stringify(want, big));
}
const big = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v);

describe('the native table is in use', () => {
  it('is built where CI builds, and loads', async () => {
    if (process.env.CI) expect(existsSync(NATIVE_ROWS_PATH), `${NATIVE_ROWS_PATH} was not built`).toBe(true);
    if (!existsSync(NATIVE_ROWS_PATH)) return;
    const sb = await startSandbox({ tokens: [TOKEN_A], seed: 3 });
    try {
      const { session, clients } = await pathSession(sb, true, ['a']);
      // pathSession checked that the database did not fall back; the rows still arrive.
      expect(nativeRowsFallback()).toBeUndefined();
      const [r] = await session.execute('SELECT count(*) AS n FROM digitalocean.compute.droplets');
      expect(Number(r!.rows[0]![0])).toBeGreaterThan(0);
      // The extension's one SQL function cannot replace a table while a statement reads it (that would free it).
      await expect(
        session.execute("SELECT doql_define('digitalocean.compute.droplets', 'CREATE TABLE x(a HIDDEN, b)', 1, 1, 'a') FROM digitalocean.compute.droplets"),
      ).rejects.toThrow(/already defined/);
      const [again] = await session.execute('SELECT count(*) AS n FROM digitalocean.compute.droplets');
      expect(again!.rows).toEqual(r!.rows);
      session.close();
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      await sb.close();
    }
  });
});

describe.each([
  ['one account', ['a']],
  ['two accounts', ['a', 'b']],
])('native and JavaScript tables give the same answers over %s', (_, contexts) => {
  let sb: Sandbox;
  let native: Awaited<ReturnType<typeof pathSession>>;
  let js: Awaited<ReturnType<typeof pathSession>>;

  beforeAll(async () => {
    sb = await startSandbox({ tokens: [TOKEN_A, TOKEN_B], seed: 23, count: { 'compute.droplets': 4200, 'databases.clusters': 100 } });
    native = await pathSession(sb, true, contexts);
    js = await pathSession(sb, false, contexts);
  });
  afterAll(async () => {
    for (const s of [native, js]) {
      s.session.close();
      await Promise.all(s.clients.map((c) => c.close()));
    }
    await sb.close();
  });

  const d = 'digitalocean.compute.droplets';
  it.each([
    ['a listing', `SELECT * FROM ${d}`],
    ['path columns', `SELECT id, region ->> '$.slug' AS region, image ->> 'slug' AS image, size ->> '$.price_monthly' AS price FROM ${d}`],
    ['ORDER BY and LIMIT', `SELECT id, name, memory FROM ${d} ORDER BY memory DESC, name LIMIT 17`],
    ['LIMIT alone', `SELECT name FROM ${d} LIMIT 3`],
    ['the bench GROUP BY', `SELECT region ->> '$.slug' AS region, status, count(*) AS n, sum(memory) AS mem FROM ${d} GROUP BY 1, 2 ORDER BY n DESC`],
    ['GROUP BY without ORDER BY (the groups in key order)', `SELECT status, region ->> '$.slug' AS r, count(*), max(name) FROM ${d} GROUP BY status, r`],
    ['GROUP BY a key ordered descending', `SELECT vcpus, count(*) AS n FROM ${d} GROUP BY vcpus ORDER BY count(*) DESC`],
    ['GROUP BY with NULL keys', `SELECT image ->> '$.slug' AS image, vpc_uuid IS NULL AS no_vpc, count(*) FROM ${d} GROUP BY 1, 2`],
    ['GROUP BY over more than 4096 groups', `SELECT name, count(*) AS n, sum(memory) FROM ${d} GROUP BY name`],
    ['GROUP BY id, string_agg in each group', `SELECT id % 7 AS k, string_agg(name, ',') FROM ${d} GROUP BY 1`],
    ['GROUP BY the account', `SELECT context, status, count(*) FROM ${d} GROUP BY context, status`],
    ['string_agg in API order within groups', `SELECT status, string_agg(name, ',') AS names FROM ${d} GROUP BY status`],
    ['DISTINCT', `SELECT DISTINCT status FROM ${d}`],
    ['DISTINCT on two columns', `SELECT DISTINCT region ->> '$.slug', memory FROM ${d}`],
    ['count(DISTINCT)', `SELECT count(DISTINCT name), count(DISTINCT status) FROM ${d}`],
    // Two cursors on one table at once; the inner one scanned again for each outer row that passes.
    ['a self-join', `SELECT a.status, count(*) FROM ${d} a JOIN ${d} b ON a.id = b.id WHERE a.id % 97 = 0 GROUP BY a.status`],
    ['a self-join on a non-key', `SELECT a.name, b.name FROM ${d} a JOIN ${d} b ON a.memory = b.memory AND a.vcpus = b.vcpus WHERE a.id % 211 = 0 AND a.id < b.id ORDER BY 1, 2 LIMIT 50`],
    ['a subquery reading the table again', `SELECT status, count(*) FROM ${d} WHERE memory > (SELECT avg(memory) FROM ${d}) GROUP BY status`],
    ['the account column', `SELECT context, count(*) FROM ${d} WHERE context = 'a' GROUP BY 1`],
    [
      'a parameter fed from another table, 100 clusters',
      'SELECT c.name, count(b.created_at) AS n, sum(b.size_gigabytes) FROM digitalocean.databases.clusters c LEFT JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id AND b.context = c.context GROUP BY c.name ORDER BY c.name',
    ],
    [
      'the parameter column read back',
      'SELECT b.context, b.database_cluster_uuid, typeof(b.database_cluster_uuid), b.created_at FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id AND b.context = c.context ORDER BY 1, 2, 4',
    ],
    ['a cluster of another account (an API error)', 'SELECT count(*) FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id WHERE c.context = (SELECT min(context) FROM digitalocean.compute.regions) AND c.id = (SELECT min(id) FROM digitalocean.databases.clusters)'],
    ['a missing parameter (an error thrown in JavaScript)', 'SELECT * FROM digitalocean.databases.backups'],
    ['a bad column', `SELECT nosuch FROM ${d}`],
    ['a hidden column constrained by another operator than =', `SELECT count(*) FROM ${d} WHERE context IN ('a', 'b')`],
    ['… or by a range', `SELECT count(*) FROM ${d} WHERE context > 'a'`],
    ['a window', `SELECT name, row_number() OVER (PARTITION BY status ORDER BY id) FROM ${d} ORDER BY id LIMIT 20`],
  ])('%s', async (_name, sql) => {
    const want = await answer(js.session, sql);
    expectSame(await answer(native.session, sql), want);
    // Again: from the encodings and orders kept with the fetch.
    expectSame(await answer(native.session, sql), want);
  });
});

describe('the batch as SQLite reads it', () => {
  // Values the API's rows can hold in one column: integers, reals equal to them, text that looks like them,
  // NULLs, non-ASCII text (ordered by UTF-8 bytes), an empty string, a lone surrogate.
  const values: SqliteValue[] = [3n, 1n, 'b', null, 1, 2.5, '1', 'é', null, 'a', '', 3, 'ｚ', '😀', 'b', 1n, '\uD800', 2.5, -0, 0n, 9007199254740993n];
  const rows = Array.from({ length: 6000 }, (_, i) => (i < 4000 ? values[i % values.length]! : `many ${i % 4500}`));
  let db: Database.Database;
  let plain: Database.Database;

  beforeAll(() => {
    db = new Database(':memory:');
    plain = new Database(':memory:');
    plain.exec('CREATE TABLE t(context, v, w)');
    const insert = plain.prepare('INSERT INTO t VALUES (?, ?, ?)');
    rows.forEach((v, i) => insert.run(i % 2 ? 'x' : 'y', v, i % 3));
  });
  afterAll(() => {
    db.close();
    plain.close();
  });

  it.skipIf(!nativeRowsWanted())('serves them as a real table holds them', () => {
    const fetched = (context: string, keep: (i: number) => boolean) => {
      const items = rows.flatMap((v, i) => (keep(i) ? [{ v, w: i % 3 }] : []));
      return [context, { items, cache: { columns: new Map([['v', items.map((x) => x.v)], ['w', items.map((x) => BigInt(x.w))]]) } }] as const;
    };
    // Rows in the real table alternate accounts; here they are two fetches, so compare what does not depend on that.
    const found = [fetched('y', (i) => i % 2 === 0), fetched('x', (i) => i % 2 === 1)];
    const column = (name: string, slot: number) => ({ name, column: { name, sqlType: 'TEXT' as const, schemaType: 'string', description: '' }, slot });
    const specs = [column('v', 1), column('w', 2)];
    expect(
      defineNativeTable(db, 't', {
        columns: ['v', 'w'],
        parameters: ['context'],
        batch: (args, grouping) =>
          nativeBatch({ table: 't', parameters: 1, visible: 2, specs, found: found.filter(([c]) => args[0] === undefined || c === args[0]), grouping }),
      }),
    ).toBe(true);
    const same = (sql: string) => expect(db.prepare(sql).raw(true).all()).toEqual(plain.prepare(sql).raw(true).all());
    // A group's bare column is any of its rows' values (1 or 1.0): compare what all of them give.
    same('SELECT min(typeof(v)), max(typeof(v)), count(*), sum(w) FROM t GROUP BY v');
    same('SELECT max(typeof(v)), w, count(*) FROM t GROUP BY v, w');
    same('SELECT max(quote(v)), count(*) FROM t GROUP BY v ORDER BY count(*) DESC, v');
    same('SELECT context, min(typeof(v)), count(*) FROM t GROUP BY context, v');
    same('SELECT DISTINCT v, typeof(v) FROM t ORDER BY 1, 2');
    same('SELECT count(DISTINCT v), count(*), total(length(v)) FROM t');
    same("SELECT v, hex(v) FROM t WHERE context = 'x' LIMIT 40");
  });
});
