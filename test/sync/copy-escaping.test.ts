// The values COPY's text format must escape, written by `doql sync` into a real PostgreSQL 15 and compared there with
// the same literals as Postgres reads them: tab, newline, carriage return, backslash, quotes, non-ASCII text, JSON
// holding escapes, and NULL apart from the empty string.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDestination } from '../../src/sync/destination.js';
import type { SyncColumn } from '../../src/sync/plan.js';
import { buildMissing, DOQL_BIN, tempDoqlHome } from '../cli/doql-home.js';
import { runProcess } from '../support/run-process.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../support/postgres.js';

const pgMissing = postgresMissing();
if (pgMissing) console.warn(`skipping the COPY escaping tests: ${pgMissing}`);

/** Each value as a Postgres literal (E'' strings: \t is a tab) and as the JavaScript string doql holds. */
const TEXTS: [string, string, string][] = [
  ['tab', "E'a\\tb'", 'a\tb'],
  ['newline', "E'line 1\\nline 2'", 'line 1\nline 2'],
  ['carriage_return', "E'a\\r\\nb'", 'a\r\nb'],
  ['backslash', "E'C:\\\\dir\\\\n not a newline \\\\N'", 'C:\\dir\\n not a newline \\N'],
  ['backslash_dot', "E'\\\\.'", '\\.'],
  ['quotes', `'it''s "quoted"'`, 'it\'s "quoted"'],
  ['unicode', "'é 日本 🙂 \u00a0'", 'é 日本 🙂 \u00a0'],
  ['empty', "''", ''],
  ['null_text', "'\\N'", '\\N'],
];

describe.skipIf(Boolean(pgMissing))('COPY text escaping, compared in PostgreSQL 15', () => {
  let server: TestPostgres;
  let client: pg.Client;
  beforeAll(async () => {
    server = await startPostgres();
    client = new pg.Client({ connectionString: server.url });
    await client.connect();
  }, 60_000);
  afterAll(async () => {
    await client?.end();
    await server?.stop();
  });

  it('a written row equals the same literals read by Postgres, NULL apart from the empty string', async () => {
    const dest = await openDestination(server.url);
    const columns: SyncColumn[] = [
      ...TEXTS.map(([name]) => ({ name, type: 'text' as const })),
      { name: 'nothing', type: 'text' },
      { name: 'doc', type: 'json' },
      { name: 'empty_doc', type: 'json' },
      { name: 'flag', type: 'boolean' },
      { name: 'flag_number', type: 'boolean' },
      { name: 'big', type: 'integer' },
      { name: 'price', type: 'real' },
      { name: 'at', type: 'timestamp' },
      { name: 'bad_at', type: 'timestamp' },
    ];
    const doc = JSON.stringify({ path: 'C:\\tmp', text: 'tab\there\nnewline "q"', unicode: 'é🙂', nul: null });
    const row = [...TEXTS.map(([, , js]) => js), null, doc, '{}', true, 0, 9007199254740993n, 12.5, '2026-01-02T03:04:05Z', 'not a date'];
    try {
      await dest.write('odd_values', columns, [row], { context: 'tab\tcontext', syncedAt: new Date('2026-02-03T04:05:06.789Z'), mode: 'append' });
    } finally {
      await dest.close();
    }
    const checks = [
      ...TEXTS.map(([name, literal]) => `${name} IS NOT DISTINCT FROM ${literal} AS ${name}`),
      'nothing IS NULL AS nothing',
      `doc = $1::jsonb AS doc`,
      "empty_doc = '{}'::jsonb AS empty_doc",
      'flag AS flag',
      'NOT flag_number AS flag_number',
      'big = 9007199254740993 AS big',
      'price = 12.5 AS price',
      "at = '2026-01-02 03:04:05+00' AS at",
      'bad_at IS NULL AS bad_at',
      "context = E'tab\\tcontext' AS context",
      "synced_at = '2026-02-03 04:05:06.789+00' AS synced_at",
    ];
    const got = await client.query(`SELECT ${checks.join(', ')} FROM odd_values`, [doc]);
    expect(got.rows).toHaveLength(1);
    for (const [k, v] of Object.entries(got.rows[0] as Record<string, unknown>)) expect(v, k).toBe(true);
    // And as JavaScript reads it back: the same strings, '' and NULL apart.
    const back = (await client.query(`SELECT ${TEXTS.map(([n]) => n).join(', ')}, nothing, doc FROM odd_values`)).rows[0] as Record<string, unknown>;
    expect(back).toEqual({ ...Object.fromEntries(TEXTS.map(([n, , js]) => [n, js])), nothing: null, doc: JSON.parse(doc) });
  }, 60_000);

  it.skipIf(Boolean(buildMissing()))('doql sync --query FILE copies odd text as doql reads it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doql-sync-escape-'));
    const query = `SELECT ${TEXTS.map(([name, literal]) => `${literal} AS ${name}`).join(', ')}, NULL AS nothing, count(*) AS droplets FROM digitalocean.compute.droplets`;
    writeFileSync(join(dir, 'odd_text.sql'), query);
    const env = { PATH: process.env.PATH ?? '', DOQL_HOME: tempDoqlHome(), NO_COLOR: '1' };
    const r = await runProcess('node', [DOQL_BIN, '--sandbox', 'sync', '--to', server.url, '--query', join(dir, 'odd_text.sql')], { env, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const expected = await runProcess('node', [DOQL_BIN, '--sandbox', '-o', 'json', query], { env, timeoutMs: 60_000 });
    expect(expected.code, expected.stderr).toBe(0);
    const [want] = JSON.parse(expected.stdout) as Record<string, unknown>[];
    expect(want.tab).toBe('a\tb'); // doql read the literals as Postgres does
    const got = (await client.query(`SELECT ${TEXTS.map(([n]) => n).join(', ')}, nothing, droplets FROM odd_text`)).rows;
    expect(got.map((g: Record<string, unknown>) => ({ ...g, droplets: Number(g.droplets) }))).toEqual([want]);
    const same = await client.query(`SELECT ${TEXTS.map(([name, literal]) => `${name} IS NOT DISTINCT FROM ${literal}`).join(' AND ')} AND nothing IS NULL AS ok FROM odd_text`);
    expect(same.rows).toEqual([{ ok: true }]);
  }, 60_000);
});
