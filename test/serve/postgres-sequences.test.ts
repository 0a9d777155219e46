// Statements whose answers depend on the ones before them (transaction blocks, savepoints, cursors, settings), run
// one after the other on one connection to the real `doql serve --sandbox` and to a real Postgres 15: each
// statement must give the same rows (as text) or fail with the same SQLSTATE. The single statements are in
// test/select/postgres-differential.test.ts.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMissing } from '../cli/doql-home.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../support/postgres.js';
import { startDoqlServe, type DoqlServe } from './doql-serve.js';

const missing = buildMissing() ?? postgresMissing();
if (missing) console.warn(`postgres-sequences: skipped: ${missing}`);

/** What one statement gave: its rows as text, or the SQLSTATE it failed with. */
type Outcome = { rows: unknown[][] } | { error: string };

/** Runs the statements in order on a fresh connection, every value left as the text the server sent. */
async function outcomes(url: string, statements: string[]): Promise<Outcome[]> {
  const client = new pg.Client({ connectionString: url, types: { getTypeParser: () => (v: string) => v } });
  await client.connect();
  try {
    const out: Outcome[] = [];
    for (const text of statements) {
      try {
        out.push({ rows: (await client.query({ text, rowMode: 'array' })).rows as unknown[][] });
      } catch (err) {
        out.push({ error: String((err as { code?: string }).code) });
      }
    }
    return out;
  } finally {
    await client.end();
  }
}

const CURSOR = (name: string, hold = ''): string => `DECLARE ${name} CURSOR ${hold} FOR SELECT x FROM (VALUES (1), (2), (3)) AS v(x) ORDER BY x`;

/** Each sequence, by what it shows. */
const SEQUENCES: Record<string, string[]> = {
  'ROLLBACK TO a savepoint closes the cursors declared after it, and only those': [
    'BEGIN',
    CURSOR('before'),
    'SAVEPOINT a',
    CURSOR('inside'),
    'FETCH 1 FROM before',
    'ROLLBACK TO SAVEPOINT a',
    'FETCH 1 FROM inside',
    'ROLLBACK TO SAVEPOINT a',
    'FETCH 1 FROM before', // its position is not rolled back: 2
    "SELECT name FROM pg_cursors ORDER BY name",
    'COMMIT',
  ],
  'a released savepoint: its cursors belong to the one around it': [
    'BEGIN',
    'SAVEPOINT a',
    'SAVEPOINT b',
    CURSOR('c'),
    'RELEASE SAVEPOINT b',
    'SAVEPOINT d',
    'ROLLBACK TO SAVEPOINT d',
    'FETCH 1 FROM c',
    'ROLLBACK TO SAVEPOINT a',
    'FETCH 1 FROM c',
    'ROLLBACK',
  ],
  'ROLLBACK TO an earlier savepoint of the same name, after an error': [
    'BEGIN',
    'SAVEPOINT s',
    CURSOR('one'),
    'SAVEPOINT s',
    CURSOR('two'),
    'SELECT nope',
    'FETCH 1 FROM one',
    'ROLLBACK TO SAVEPOINT s',
    'FETCH 1 FROM one',
    'FETCH 1 FROM two',
    'ROLLBACK',
  ],
  'a WITH HOLD cursor lasts past COMMIT, not past the ROLLBACK of its block': [
    'BEGIN',
    CURSOR('kept', 'WITH HOLD'),
    'COMMIT',
    'FETCH 1 FROM kept',
    'BEGIN',
    CURSOR('dropped', 'WITH HOLD'),
    'ROLLBACK',
    'FETCH 1 FROM dropped',
    'BEGIN',
    'SAVEPOINT a',
    CURSOR('held_inside', 'WITH HOLD'),
    'ROLLBACK TO SAVEPOINT a',
    'FETCH 1 FROM held_inside',
    'COMMIT',
    'FETCH 1 FROM kept',
    'CLOSE kept',
  ],
  'set_config lasts like SET; with is_local, no longer than its statement outside a block': [
    "SELECT set_config('application_name', 'seq', false)",
    'SHOW application_name',
    "SELECT set_config('application_name', 'local', true), current_setting('application_name')",
    'SHOW application_name',
    "SELECT set_config('statement_timeout', '2min', false)",
    'SHOW statement_timeout',
    "SELECT set_config('statement_timeout', 'soon', false)",
    'RESET statement_timeout',
  ],
  'set_config(…, true) and SET LOCAL in a block last until the block ends; ROLLBACK (TO) undoes SET': [
    'BEGIN',
    "SELECT set_config('application_name', 'in a block', true)",
    'SHOW application_name',
    'SET LOCAL statement_timeout = 90000',
    'SHOW statement_timeout',
    'COMMIT',
    'SHOW application_name',
    "SELECT current_setting('statement_timeout') = '90s'",
    'BEGIN',
    "SET LOCAL application_name = 'local'",
    "SET application_name = 'session'",
    'SHOW application_name',
    'ROLLBACK',
    'SHOW application_name',
    'BEGIN',
    "SET application_name = 'kept'",
    'SAVEPOINT a',
    "SET application_name = 'undone'",
    "SELECT set_config('application_name', 'undone too', true)",
    'ROLLBACK TO SAVEPOINT a',
    'SHOW application_name',
    'COMMIT',
    'SHOW application_name',
  ],
};

describe.skipIf(Boolean(missing))('statement sequences answer as in Postgres 15 (doql serve and a real Postgres)', () => {
  let doql: DoqlServe;
  let postgres: TestPostgres;

  beforeAll(async () => {
    [doql, postgres] = await Promise.all([startDoqlServe(['--sandbox']), startPostgres({ TimeZone: 'UTC', DateStyle: 'ISO' })]);
  }, 60_000);
  afterAll(async () => {
    await doql?.stop();
    await postgres?.stop();
  });

  for (const [name, statements] of Object.entries(SEQUENCES)) {
    it(name, async () => {
      const theirs = await outcomes(postgres.url, statements);
      const mine = await outcomes(`postgres://tester@127.0.0.1:${doql.port}/digitalocean`, statements);
      expect(mine.map((o, i) => [statements[i], o])).toEqual(theirs.map((o, i) => [statements[i], o]));
    });
  }
});
