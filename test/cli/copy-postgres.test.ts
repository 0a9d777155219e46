// COPY … TO STDOUT's CSV and text formats, byte for byte as a real Postgres 15 writes the same values (NULL, '',
// delimiters, quotes, escapes, newlines, a value spelled like the NULL string) under the same options.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMissing, DOQL_BIN, tempDoqlHome } from './doql-home.js';
import { runProcess } from '../support/run-process.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../support/postgres.js';

const missing = buildMissing() ?? postgresMissing();
if (missing) console.warn(`skipping the COPY-against-Postgres tests: ${missing}`);

const VALUES: (string | null)[] = [null, '', 'a,b', 'x"y', 'a\\b', 'l1\nl2', 'X', "it's", 'p|q', 'tab\there', '\\N'];
const literal = (v: string | null): string => (v === null ? 'NULL::text' : `'${v.replace(/'/g, "''")}'`);
const SELECT = `SELECT ${VALUES.map((v, i) => `${literal(v)} AS c${i}`).join(', ')}`;
const OPTIONS = [
  'FORMAT csv',
  'FORMAT csv, HEADER',
  "FORMAT csv, NULL 'X', QUOTE '''', ESCAPE '\\', DELIMITER '|'",
  "FORMAT csv, NULL '\\N'",
  'FORMAT text',
  "FORMAT text, NULL 'X', DELIMITER ','",
];

describe.skipIf(Boolean(missing))('COPY output matches Postgres 15', () => {
  let server: TestPostgres;
  const home = tempDoqlHome();
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => server?.stop());

  it.each(OPTIONS)('WITH (%s)', async (options) => {
    const sql = `COPY (${SELECT}) TO STDOUT WITH (${options})`;
    const theirs = execFileSync('psql', [server.url, '-X', '-q', '-c', sql], { encoding: 'utf8' });
    const mine = await runProcess('node', [DOQL_BIN, '--sandbox', sql], { env: { PATH: process.env.PATH ?? '', DOQL_HOME: home, NO_COLOR: '1' } });
    expect(mine.code, mine.stderr).toBe(0);
    expect(mine.stdout).toBe(theirs);
  });
});
