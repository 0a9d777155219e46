// BI clients against the real `doql serve --sandbox`: SQLAlchemy 1.4 and 2 (psycopg2 and psycopg 3), pandas, psycopg's
// server-side cursors, and psql's meta-commands, each checked against what `doql -o json` says of the same
// sandbox. The Python clients are Debian's (python3-psycopg2, python3-psycopg, python3-sqlalchemy,
// python3-pandas), as CI installs them; SQLAlchemy 2 (which alone has a psycopg 3 dialect; Debian 12 has 1.4) is
// Debian 13's python3-sqlalchemy, unpacked by test/support/sqlalchemy2.sh into a folder put on PYTHONPATH. A missing
// client skips its tests and says how to get it; under DOQL_REQUIRE_BI_CLIENTS=1 (CI) a missing client fails instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMissing, DOQL_BIN, tempDoqlHome } from '../cli/doql-home.js';
import { runProcess } from '../support/run-process.js';
import { psql, startDoqlServe, withPgClient, type DoqlServe } from './doql-serve.js';
import { LATEST_SPEC, latestSpecAvailable } from '../sandbox/test-catalog.js';

const SCRIPT = join(import.meta.dirname, 'bi_clients.py');
/** Where test/support/sqlalchemy2.sh unpacks SQLAlchemy 2 (the same default and override as the script's). */
const SQLALCHEMY2_DIR = process.env.DOQL_SQLALCHEMY2_DIR ?? join(import.meta.dirname, '../../.doql-test-cache/sqlalchemy2');
const SQLALCHEMY2_SITE = join(SQLALCHEMY2_DIR, 'usr/lib/python3/dist-packages');

interface Need {
  python?: string;
  /** PYTHONPATH for the client, when it is not the system's (SQLAlchemy 2). */
  pythonPath?: string;
  skip?: string;
}

/** The first python3 that has every module (with pythonPath first on its path, if given), or why none has. */
function pythonWith(modules: string[], pythonPath?: string): Need {
  const env = pythonPath ? { ...process.env, PYTHONPATH: pythonPath } : process.env;
  for (const python of ['python3', '/usr/bin/python3']) {
    const run = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8', env });
    if (run.status === 0) return { python, pythonPath };
  }
  const missing = modules.filter((m) => spawnSync('/usr/bin/python3', ['-c', `import ${m}`], { env }).status !== 0);
  return { skip: `no python3 has ${modules.join(', ')} (Debian: ${(missing.length ? missing : modules).map((m) => `python3-${m}`).join(' ')})` };
}

const build = buildMissing();
const needs = (...modules: string[]): Need => (build ? { skip: build } : pythonWith(modules));
/** SQLAlchemy 2 from the unpacked folder, with the system's other modules (the drivers, pandas). */
const needsSqlalchemy2 = (...modules: string[]): Need => {
  if (build) return { skip: build };
  const how = 'run `bash test/support/sqlalchemy2.sh` (Debian 13\'s python3-sqlalchemy, unpacked, not installed; .ci/run does)';
  if (!existsSync(SQLALCHEMY2_SITE)) return { skip: `SQLAlchemy 2 is not unpacked in ${SQLALCHEMY2_DIR}: ${how}` };
  if (pythonWith(['sqlalchemy.dialects.postgresql.psycopg'], SQLALCHEMY2_SITE).skip) {
    return { skip: `SQLAlchemy 2 in ${SQLALCHEMY2_DIR} does not import: ${how}` };
  }
  return pythonWith(['sqlalchemy.dialects.postgresql.psycopg', ...modules], SQLALCHEMY2_SITE);
};

// Debian 12's SQLAlchemy is 1.4 (no psycopg 3 dialect); SQLAlchemy 2 is tried with both drivers.
const SQLALCHEMY_PSYCOPG2 = needs('psycopg2', 'sqlalchemy');
const SQLALCHEMY2_PSYCOPG2 = needsSqlalchemy2('psycopg2');
const SQLALCHEMY2_PSYCOPG = needsSqlalchemy2('psycopg');
const PANDAS = needs('psycopg2', 'sqlalchemy', 'pandas');
const PANDAS_SQLALCHEMY2 = needsSqlalchemy2('psycopg', 'pandas');
const PSYCOPG = needs('psycopg');
const PSYCOPG2 = needs('psycopg2');
const PSQL = build ? { skip: build } : spawnSync('psql', ['--version']).status === 0 ? {} : { skip: 'psql is not installed (Debian: postgresql-client)' };

const skipped = Object.entries({ SQLALCHEMY_PSYCOPG2, SQLALCHEMY2_PSYCOPG2, SQLALCHEMY2_PSYCOPG, PANDAS, PANDAS_SQLALCHEMY2, PSYCOPG, PSYCOPG2, PSQL })
  .filter(([, need]) => need.skip)
  .map(([name, need]) => `the ${name} tests: ${need.skip}`);
for (const line of skipped) console.warn(`bi-clients: skipping ${line}`);

// CI installs every client: there a skip would hide a test that never ran.
it.runIf(process.env.DOQL_REQUIRE_BI_CLIENTS === '1')('has every BI client installed (DOQL_REQUIRE_BI_CLIENTS=1)', () => {
  expect(skipped).toEqual([]);
});

interface Droplet {
  id: number;
  name: string;
  created_at: string;
  locked: boolean;
}

describe.skipIf(build)('doql serve --sandbox with BI clients', () => {
  let server: DoqlServe;
  let home: string;
  let droplets: Droplet[];
  /** The statement's parameters: a time between the droplets' creation times, two ids and one that is none. */
  let threshold: string;
  let ids: number[];
  let expected: Droplet[];

  beforeAll(async () => {
    home = tempDoqlHome();
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, DOQL_HOME: home };
    server = await startDoqlServe(['--sandbox'], env);
    // What the CLI says of the same sandbox (same DOQL_HOME): the truth the clients' answers are checked against.
    const cli = await runProcess(process.execPath, [DOQL_BIN, '--sandbox', '-o', 'json', 'SELECT id, name, created_at, locked FROM digitalocean.compute.droplets ORDER BY id'], { env });
    expect(cli).toMatchObject({ code: 0 });
    droplets = JSON.parse(cli.stdout) as Droplet[];
    expect(droplets.length).toBeGreaterThanOrEqual(3);
    const times = droplets.map((d) => d.created_at).sort();
    threshold = times[Math.floor(times.length / 2)]; // strictly below: at least one droplet is out
    ids = [droplets[0].id, droplets[droplets.length - 1].id, 1];
    expected = droplets.filter((d) => d.created_at < threshold && ids.includes(d.id));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(droplets.length);
    // Some locked and some not, so that `locked = $1` has to choose.
    expect(new Set(droplets.map((d) => d.locked))).toEqual(new Set([true, false]));
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  async function python(need: Need, scenario: string, ...extra: string[]): Promise<Record<string, unknown>> {
    const run = await runProcess(need.python!, [SCRIPT, String(server.port), scenario, threshold, ids.join(','), ...extra], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', ...(need.pythonPath ? { PYTHONPATH: need.pythonPath } : {}) },
      timeoutMs: 60_000,
    });
    expect(run.stderr).not.toMatch(/Traceback/);
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as Record<string, unknown>;
  }

  const asRows = (list: Droplet[]): unknown[][] => list.map((d) => [d.id, d.name, d.created_at]);
  const idsWhere = (test: (d: Droplet) => boolean): number[] => droplets.filter(test).map((d) => d.id);

  describe.each([
    ["Debian's SQLAlchemy (1.4 on Debian 12)", 'psycopg2', SQLALCHEMY_PSYCOPG2, /^[12]\./],
    ['SQLAlchemy 2', 'psycopg2', SQLALCHEMY2_PSYCOPG2, /^2\./],
    ['SQLAlchemy 2', 'psycopg', SQLALCHEMY2_PSYCOPG, /^2\./],
  ] as const)('%s with postgresql+%s', (_label, driver, need, version) => {
    it.skipIf(need.skip)('connects, reflects compute.droplets, runs a select with a datetime, a list and a boolean parameter, streams through a server-side cursor', async () => {
      const out = await python(need, `sqlalchemy-${driver}`);
      expect(out.sqlalchemy_version).toMatch(version);
      expect(out.columns).toMatchObject({ id: 'BIGINT', name: 'TEXT', created_at: 'TIMESTAMP', locked: 'BOOLEAN', tags: 'JSONB' });
      expect(out.created_at_timezone).toBe(true);
      expect(out.created_at_python_type).toBe('datetime');
      // DigitalOcean's resources declare no keys, indexes or constraints: reflection says so rather than failing.
      expect(out.pk).toEqual({ constrained_columns: [], name: null });
      expect(out).toMatchObject({ indexes: [], foreign_keys: [], unique_constraints: [], has_table: [true, false] });
      expect(out.comment).toEqual(expect.stringMatching(/\S/)); // the resource's description
      expect(out).toMatchObject({ schemas_include_compute: true, tables_include_droplets: true });
      expect(out.table_columns).toEqual(expect.arrayContaining(['id', 'name', 'created_at']));
      expect(out.select_in).toEqual(asRows(expected));
      expect(out.select_any).toEqual(asRows(expected));
      expect(out.select_bool).toEqual(idsWhere((d) => !d.locked));
      const allIds = droplets.map((d) => d.id);
      expect(out.cursors_while_streaming).toBe(1);
      expect(out.streamed_batches).toEqual(Array.from({ length: Math.ceil(allIds.length / 2) }, (_, k) => allIds.slice(2 * k, 2 * k + 2)));
      expect(out.now_type).toBe('datetime');
    }, 60_000);
  });

  it.skipIf(PANDAS.skip)('pandas read_sql_table and read_sql give the rows, created_at as datetimes', async () => {
    const out = await python(PANDAS, 'pandas');
    expect(out.table_dtypes).toMatchObject({ id: 'int64', created_at: 'datetime64[ns, UTC]', locked: 'bool' });
    expect(out.table_rows).toEqual(asRows(droplets));
    expect(out.query_dtypes).toEqual({ id: 'int64', name: 'object', created_at: 'datetime64[ns, UTC]' });
    expect(out.query_rows).toEqual(asRows(expected));
  }, 60_000);

  it.skipIf(PANDAS_SQLALCHEMY2.skip)('pandas over SQLAlchemy 2 and psycopg 3 gives the rows, created_at as datetimes', async () => {
    const out = await python(PANDAS_SQLALCHEMY2, 'pandas-psycopg');
    expect(out.sqlalchemy_version).toMatch(/^2\./);
    expect(out.table_dtypes).toMatchObject({ id: 'int64', created_at: 'datetime64[ns, UTC]', locked: 'bool' });
    expect(out.table_rows).toEqual(asRows(droplets));
    expect(out.query_dtypes).toEqual({ id: 'int64', name: 'object', created_at: 'datetime64[ns, UTC]' });
    expect(out.query_rows).toEqual(asRows(expected));
  }, 60_000);

  it.skipIf(PSYCOPG.skip)('psycopg 3: type lookups, parameters of every common type in text and binary, a named cursor in batches', async () => {
    const out = await python(PSYCOPG, 'psycopg', [droplets[1].name, 'no-such-droplet'].join(','));
    expect(out).toMatchObject({ hstore: false, jsonb_oid: 3802, to_regtype: [1184, null] });
    for (const format of ['b', 't']) {
      expect(out[`params_${format}`]).toEqual(asRows(expected));
      expect(out[`types_${format}`]).toEqual([20, 25, 1184]); // int8, text, timestamptz
      expect(out[`bool_${format}`]).toEqual(idsWhere((d) => !d.locked));
      expect(out[`bool_any_${format}`]).toEqual(idsWhere((d) => d.locked));
    }
    // Results in binary: timestamptz as Postgres' microseconds, jsonb with its version byte.
    expect(out.binary_types).toEqual([20, 25, 1184, 3802]);
    expect(out.binary_results).toEqual(droplets.map((d) => [d.id, d.name, d.created_at, 'list']));
    for (const format of ['b', 't']) {
      expect(out[`typed_params_${format}`]).toEqual([1, 2, 3, 1.5, 2.5, '12.34', true, 'x', '2024-06-01', { a: 1 }, [1], threshold]);
      expect(out[`text_array_${format}`]).toEqual([[droplets[1].name]]);
    }
    // itersize 2 over 3+ rows: the server answered FETCH FORWARD 2 with 2 rows, then the rest.
    expect(out.first_batch_rows_from_server).toBe(2);
    expect(out.cursor_listed).toEqual([['batches']]);
    expect(out.named_cursor).toEqual(droplets.map((d) => [d.id, d.created_at]));
    expect(out.cursors_after_commit).toBe(0);
  }, 60_000);

  it.skipIf(PSYCOPG2.skip)('psycopg2: a named cursor iterates in batches of itersize', async () => {
    const out = await python(PSYCOPG2, 'psycopg2-cursor');
    expect(out.named_cursor).toEqual(droplets.map((d) => [d.id, d.created_at]));
  }, 60_000);

  it.skipIf(PSYCOPG.skip)('psycopg 3: an error fails the transaction until rollback; a nested transaction (a savepoint) recovers from its own', async () => {
    const out = await python(PSYCOPG, 'failed-block');
    expect(out).toEqual({
      error: '42703',
      status_after_error: 'INERROR',
      refused: ['25P02', 'current transaction is aborted, commands ignored until end of transaction block'],
      after_rollback: 'again',
      nested_error: '42703',
      status_in_outer: 'INTRANS',
      outer_goes_on: 'outer',
      status_at_end: 'IDLE',
    });
  }, 60_000);

  it.skipIf(PSYCOPG2.skip)('psycopg2: InFailedSqlTransaction after an error in a transaction, until rollback()', async () => {
    const out = await python(PSYCOPG2, 'psycopg2-failed-block');
    expect(out).toEqual({ error: '42703', in_error: true, refused: '25P02', after_rollback: 'again' });
  }, 60_000);

  it('SQL cursors: DECLARE in a block, FETCH and MOVE in every direction, CLOSE; the errors Postgres gives', async () => {
    await withPgClient(server.port, async (client) => {
      const ids = droplets.map((d) => String(d.id));
      const fetchIds = async (sql: string): Promise<string[]> => (await client.query<{ id: string }>(sql)).rows.map((r) => String(r.id));
      await expect(client.query('DECLARE c CURSOR FOR SELECT id FROM compute.droplets')).rejects.toMatchObject({ code: '25P01' });
      await client.query('BEGIN');
      const declared = await client.query('DECLARE c SCROLL CURSOR FOR SELECT id FROM compute.droplets WHERE id > $1 ORDER BY id', [0]);
      expect(declared.command).toBe('DECLARE');
      expect(await fetchIds('FETCH 2 FROM c')).toEqual(ids.slice(0, 2));
      expect(await fetchIds('FETCH BACKWARD 1 FROM c')).toEqual([ids[0]]);
      expect(await fetchIds('FETCH LAST FROM c')).toEqual([ids.at(-1)]);
      expect(await fetchIds('FETCH NEXT FROM c')).toEqual([]);
      const moved = await client.query('MOVE ABSOLUTE 0 IN c');
      expect(moved.command).toBe('MOVE');
      expect(await fetchIds('FETCH FORWARD ALL FROM c')).toEqual(ids);
      expect(await fetchIds('FETCH ABSOLUTE 2 FROM c')).toEqual([ids[1]]);
      expect(await fetchIds('FETCH RELATIVE -1 FROM c')).toEqual([ids[0]]);
      await client.query('CLOSE c');
      await expect(client.query('FETCH 1 FROM c')).rejects.toMatchObject({ code: '34000' });
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await client.query('DECLARE d CURSOR FOR SELECT id FROM compute.droplets');
      await client.query('COMMIT');
      // A cursor WITHOUT HOLD ends with its block.
      await expect(client.query('FETCH 1 FROM d')).rejects.toMatchObject({ code: '34000' });
    });
  });

  // SQLAlchemy 2 reflects in bulk, with psycopg 3 binding values as $n: its queries' shapes, checked without Python too.
  it('answers SQLAlchemy 2-style bulk reflection queries with bound parameters', async () => {
    await withPgClient(server.port, async (client) => {
      const columns = await client.query(
        `SELECT pg_catalog.pg_class.relname, pg_catalog.pg_attribute.attname,
           pg_catalog.format_type(pg_catalog.pg_attribute.atttypid, pg_catalog.pg_attribute.atttypmod) AS format_type,
           (SELECT pg_catalog.pg_get_expr(pg_catalog.pg_attrdef.adbin, pg_catalog.pg_attrdef.adrelid) FROM pg_catalog.pg_attrdef
             WHERE pg_catalog.pg_attrdef.adrelid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_attrdef.adnum = pg_catalog.pg_attribute.attnum
             AND pg_catalog.pg_attribute.atthasdef) AS "default",
           pg_catalog.pg_attribute.attnotnull AS not_null,
           (SELECT json_build_object($1::text, pg_catalog.pg_attribute.attidentity = $2, $3::text, pg_catalog.pg_sequence.seqstart) FROM pg_catalog.pg_sequence
             WHERE pg_catalog.pg_attribute.attidentity != $4 AND pg_catalog.pg_sequence.seqrelid = CAST(CAST(pg_catalog.pg_get_serial_sequence(
               CAST(CAST(pg_catalog.pg_attribute.attrelid AS REGCLASS) AS TEXT), pg_catalog.pg_attribute.attname) AS REGCLASS) AS OID)) AS identity_options
         FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_attribute ON pg_catalog.pg_class.oid = pg_catalog.pg_attribute.attrelid
           AND pg_catalog.pg_attribute.attnum > $5 AND NOT pg_catalog.pg_attribute.attisdropped
         JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace
         WHERE pg_catalog.pg_class.relkind = ANY (ARRAY[$6, $7, $8]) AND pg_catalog.pg_namespace.nspname = $9 AND pg_catalog.pg_class.relname IN ($10)
         ORDER BY pg_catalog.pg_class.relname, pg_catalog.pg_attribute.attnum`,
        ['always', 'a', 'start', '', 0, 'r', 'p', 'v', 'compute', 'droplets'],
      );
      const types = Object.fromEntries(columns.rows.map((r: { attname: string; format_type: string }) => [r.attname, r.format_type]));
      expect(types).toMatchObject({ id: 'bigint', created_at: 'timestamp with time zone', tags: 'jsonb', name: 'text' });
      const keys = await client.query(
        `SELECT attr.conrelid, array_agg(CAST(attr.attname AS TEXT) ORDER BY attr.ord) AS cols, attr.conname
         FROM (SELECT con.conrelid AS conrelid, con.conname AS conname, con.ord AS ord, pg_catalog.pg_attribute.attname AS attname
           FROM pg_catalog.pg_attribute JOIN (SELECT pg_catalog.pg_constraint.conrelid AS conrelid, pg_catalog.pg_constraint.conname AS conname,
               unnest(pg_catalog.pg_constraint.conkey) AS attnum, generate_subscripts(pg_catalog.pg_constraint.conkey, $1) AS ord
             FROM pg_catalog.pg_constraint WHERE pg_catalog.pg_constraint.contype = $2 AND pg_catalog.pg_constraint.conrelid = ANY ($3)) AS con
           ON pg_catalog.pg_attribute.attnum = con.attnum AND pg_catalog.pg_attribute.attrelid = con.conrelid) AS attr
         GROUP BY attr.conrelid, attr.conname ORDER BY attr.conrelid, attr.conname`,
        [1, 'p', [columns.rows.length ? 1 : 0]],
      );
      expect(keys.rows).toEqual([]); // no keys declared, and no error
    });
  });

  describe.skipIf(PSYCOPG.skip || !latestSpecAvailable())('on the latest DigitalOcean spec (../shared)', () => {
    let latest: DoqlServe;
    beforeAll(async () => {
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, DOQL_HOME: home };
      latest = await startDoqlServe(['--sandbox', '--spec', LATEST_SPEC], env);
    }, 60_000);
    afterAll(async () => {
      await latest?.stop();
    });

    it('sends money (decimal strings) as numeric, in text and binary', async () => {
      const run = await runProcess(PSYCOPG.python!, [SCRIPT, String(latest.port), 'money'], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8' },
        timeoutMs: 60_000,
      });
      expect(run).toMatchObject({ code: 0 });
      const out = JSON.parse(run.stdout) as Record<string, { oids: number[]; types: string[]; values: unknown[] }>;
      for (const format of ['text', 'binary']) {
        expect(out[format].oids).toEqual([1700, 1700, 1184]);
        expect(out[format].types).toEqual(['Decimal', 'Decimal', 'datetime']);
        expect(out[format].values).toEqual(out.text.values);
      }
      expect(out.text.values[0]).toMatch(/^-?\d+\.\d+$/);
    }, 60_000);
  });

  describe.skipIf(PSQL.skip)('psql', () => {
    it('\\d+ shows timestamptz and jsonb columns; \\df, \\dn and \\l answer', async () => {
      const d = await psql(server.port, ['-c', '\\d+ compute.droplets']);
      expect(d).toMatchObject({ code: 0, stderr: '' });
      expect(d.stdout).toMatch(/^ created_at +\| timestamp with time zone +\|/m);
      expect(d.stdout).toMatch(/^ tags +\| jsonb +\|/m);
      const df = await psql(server.port, ['-c', '\\df']);
      expect(df).toMatchObject({ code: 0, stderr: '' });
      expect(df.stdout).toContain('List of functions');
      const dn = await psql(server.port, ['-c', '\\dn']);
      expect(dn).toMatchObject({ code: 0, stderr: '' });
      expect(dn.stdout).toMatch(/^ compute +\| doql/m);
      const l = await psql(server.port, ['-c', '\\l']);
      expect(l).toMatchObject({ code: 0, stderr: '' });
      expect(l.stdout).toMatch(/^ digitalocean +\| doql +\| UTF8/m);
    });

    it('SET TIME ZONE to another zone is answered with a notice that doql works in UTC; UTC by any name is not', async () => {
      const run = await psql(server.port, ['-A', '-t', '-c', "SET TIME ZONE 'Europe/Paris'", '-c', 'SHOW TimeZone', '-c', "SET timezone TO 'Etc/UTC'", '-c', 'SET TIME ZONE 0']);
      expect(run).toMatchObject({ code: 0, stdout: 'SET\nUTC\nSET\nSET\n' });
      expect(run.stderr).toBe('NOTICE:  doql serve works in UTC: TimeZone stays UTC, not Europe/Paris; times are the same instants, written with +00\n');
    });

    it('\\copy writes times as Postgres prints a timestamptz', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'doql-bi-')), 'droplets.csv');
      const run = await psql(server.port, ['-c', `\\copy (SELECT id, created_at FROM compute.droplets ORDER BY id) TO '${file}' CSV HEADER`]);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const pgTime = (t: string): string => t.replace('T', ' ').replace(/Z$/, '+00');
      expect(readFileSync(file, 'utf8')).toBe(`id,created_at\n${droplets.map((d) => `${d.id},${pgTime(d.created_at)}\n`).join('')}`);
    });
  });
});
