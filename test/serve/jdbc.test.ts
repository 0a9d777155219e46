// JDBC against the real `doql serve --sandbox`: the PostgreSQL JDBC driver (pgjdbc, Debian's libpostgresql-jdbc-java)
// driven by test/serve/jdbc/DoqlJdbc.java as JDBC users and JDBC-based tools (DBeaver, DataGrip, Metabase, Tableau)
// drive it: connecting, prepared and server-prepared statements, typed getters, DatabaseMetaData, fetch-size
// portals, executeUpdate and errors. Its answers are checked against what `doql -o json` says of the same sandbox.
// Without Java 17's compiler (single-file launch) or pgjdbc the test skips and says how to get them; under
// DOQL_REQUIRE_BI_CLIENTS=1 (CI) it fails instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMissing, DOQL_BIN, tempDoqlHome } from '../cli/doql-home.js';
import { runProcess } from '../support/run-process.js';
import { startDoqlServe, type DoqlServe } from './doql-serve.js';

const PROGRAM = join(import.meta.dirname, 'jdbc', 'DoqlJdbc.java');
const PGJDBC = process.env.DOQL_PGJDBC_JAR ?? '/usr/share/java/postgresql.jar';

/** Why the JDBC test cannot run here, or undefined when it can. */
function jdbcMissing(): string | undefined {
  const build = buildMissing();
  if (build) return build;
  // `java File.java` compiles in memory: it needs the JDK's compiler module, not only a JRE.
  const modules = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
  if (modules.status !== 0) return 'java is not installed (Debian: default-jdk-headless)';
  if (!/^jdk\.compiler@/m.test(modules.stdout)) return 'java has no compiler (a JRE): single-file launch needs a JDK (Debian: default-jdk-headless)';
  if (!existsSync(PGJDBC)) return `pgjdbc is not at ${PGJDBC} (Debian: libpostgresql-jdbc-java, or set DOQL_PGJDBC_JAR)`;
  return undefined;
}

const missing = jdbcMissing();
if (missing) console.warn(`jdbc: skipping the JDBC tests: ${missing}`);

// CI installs Java and pgjdbc: there a skip would hide a test that never ran.
it.runIf(process.env.DOQL_REQUIRE_BI_CLIENTS === '1')('has Java and pgjdbc installed (DOQL_REQUIRE_BI_CLIENTS=1)', () => {
  expect(missing).toBeUndefined();
});

interface Droplet {
  id: number;
  name: string;
  locked: boolean;
  memory: number;
  tags: string[];
  created_at: string;
}

interface Backup {
  created_at: string;
  size_gigabytes: number;
  incremental: boolean;
}

type Scenario = Record<string, unknown>;

/** ISO time as java.time.Instant prints it: no fraction when it is zero. */
const instant = (iso: string): string => new Date(iso).toISOString().replace('.000Z', 'Z');

describe.skipIf(missing)('doql serve --sandbox with pgjdbc', () => {
  let server: DoqlServe;
  let env: Record<string, string>;
  let droplets: Droplet[];
  let cluster: string;
  let backups: Backup[];
  /** Every scenario's answer, from one JVM (each launch compiles the program, which takes seconds). */
  let jdbc: Record<string, Scenario>;
  const tag = `jdbc-tag-${process.pid}`;

  const cli = async (sql: string): Promise<unknown[]> => {
    const run = await runProcess(process.execPath, [DOQL_BIN, '--sandbox', '-o', 'json', sql], { env });
    expect(run).toMatchObject({ code: 0 });
    return JSON.parse(run.stdout) as unknown[];
  };

  beforeAll(async () => {
    const home = tempDoqlHome();
    env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, DOQL_HOME: home };
    server = await startDoqlServe(['--sandbox'], env);
    // What the CLI says of the same sandbox (same DOQL_HOME): the truth the driver's answers are checked against.
    droplets = (await cli('SELECT id, name, locked, memory, tags, created_at FROM digitalocean.compute.droplets ORDER BY id')) as Droplet[];
    expect(droplets.length).toBeGreaterThanOrEqual(3);
    const clusters = (await cli('SELECT id FROM digitalocean.databases.clusters ORDER BY id')) as { id: string }[];
    cluster = clusters[0].id;
    backups = (await cli(
      `SELECT created_at, size_gigabytes, incremental FROM digitalocean.databases.backups WHERE database_cluster_uuid = '${cluster}' ORDER BY created_at`,
    )) as Backup[];
    expect(backups.length).toBeGreaterThan(0);
    const scenarios = ['connect', 'backups', 'droplets', 'metadata', 'prepared', 'fetch', 'update', 'errors', 'params', 'batch', 'timeout', 'tools', 'extras', 'arrays'];
    const run = await runProcess('java', ['-cp', PGJDBC, PROGRAM, String(server.port), cluster, tag, ...scenarios], {
      env: { PATH: env.PATH, HOME: home, LANG: 'C.UTF-8' },
      timeoutMs: 150_000,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    jdbc = JSON.parse(run.stdout) as Record<string, Scenario>;
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('connects: the server_version pgjdbc checks, its startup parameters, isValid, setReadOnly', () => {
    expect(jdbc.connect).toEqual({
      product: 'PostgreSQL',
      version: expect.stringMatching(/^16\.0\b/),
      major: 16,
      minor: 0,
      user: 'tester',
      url: expect.stringContaining(`127.0.0.1:${server.port}/digitalocean`),
      catalog: 'digitalocean',
      schema: 'public',
      valid: true,
      isolation: 2, // TRANSACTION_READ_COMMITTED, from SHOW transaction_isolation
      readOnly: true,
      readOnlyQuery: expect.any(String),
      readOnlyTransactionInsert: '25006', // BEGIN READ ONLY refuses writes, as Postgres does
      validAfter: true,
      alwaysReadOnly: 'ok',
      readOnlyInsert: '25006', // so does a read-only session (SET SESSION CHARACTERISTICS …)
      readWriteShow: 'off',
    });
  });

  it("runs StackQL's example as a PreparedStatement with a bound string, read through typed getters", () => {
    expect(jdbc.backups).toEqual({
      columns: [
        ['created_at', 'timestamptz', 93, 'java.sql.Timestamp'],
        ['size_gigabytes', 'float8', 8, 'java.lang.Double'],
        ['incremental', 'bool', -7, 'java.lang.Boolean'],
      ],
      rows: backups.map((b) => [
        instant(b.created_at),
        b.size_gigabytes,
        String(b.size_gigabytes),
        b.incremental,
        'java.sql.Timestamp',
        'java.lang.Double',
      ]),
    });
  });

  it('reads bigint, text, boolean, jsonb and timestamptz columns, and binds a JDBC array to id = ANY(?)', () => {
    // jsonb text is compared as JSON (its spacing is not what this test is about).
    const rows = (jdbc.droplets.rows as unknown[][]).map((r) => r.map((v, i) => (i === 4 ? JSON.parse(v as string) : v)));
    expect({ ...jdbc.droplets, rows }).toEqual({
      columns: [
        ['id', 'int8', -5, 'java.lang.Long'],
        ['name', 'text', 12, 'java.lang.String'],
        ['locked', 'bool', -7, 'java.lang.Boolean'],
        ['memory', 'int8', -5, 'java.lang.Long'],
        ['tags', 'jsonb', 1111, 'java.lang.String'],
        ['created_at', 'timestamptz', 93, 'java.sql.Timestamp'],
      ],
      rows: droplets.map((d) => [d.id, d.name, d.locked, d.memory, d.tags, 'org.postgresql.util.PGobject', instant(d.created_at)]),
      anyIds: [droplets[0].id, droplets[droplets.length - 1].id],
    });
  });

  it('answers DatabaseMetaData: schemas, tables by pattern, columns, keys, indexes, types, keywords', () => {
    const md = jdbc.metadata;
    expect(md.catalogs).toEqual(['digitalocean']);
    expect(md.schemas).toEqual(expect.arrayContaining(['compute', 'databases', 'information_schema', 'pg_catalog', 'public']));
    expect(md.schemasLike).toEqual(['databases']);
    expect(md.tableTypes).toContain('TABLE');
    expect(md.tables).toEqual([['databases', 'backups', 'TABLE', expect.any(String)]]);
    expect(md.allTables).toBeGreaterThan(100);
    const columns = md.columns as [string, number, string, number, string, string][];
    expect(columns.slice(0, 3)).toEqual([
      ['created_at', 93, 'timestamptz', 1, 'YES', expect.stringContaining('backup was created')],
      ['size_gigabytes', 8, 'float8', 2, 'YES', 'The size of the database backup in GBs.'],
      ['incremental', -7, 'bool', 3, 'YES', expect.any(String)],
    ]);
    expect(columns.map((c) => c[0])).toContain('database_cluster_uuid');
    expect(md.columnsLike).toEqual(['size_gigabytes']);
    // DigitalOcean's resources declare no keys and no indexes: empty answers, not errors.
    expect(md).toMatchObject({ primaryKeys: 0, importedKeys: 0, exportedKeys: 0, indexInfo: 0, bestRowIdentifier: 0, keywords: true });
    expect(md.typeInfo).toEqual(expect.arrayContaining(['bool', 'int8', 'float8', 'text', 'timestamptz', 'jsonb', 'numeric']));
    for (const call of ['functions', 'procedures', 'udts', 'privileges', 'versionColumns']) expect(typeof md[call]).toBe('number');
  });

  it("answers catalog queries shaped like DBeaver's and DataGrip's, with oids bound as int8", () => {
    expect(jdbc.tools).toEqual({
      namespaces: 1,
      tables: expect.any(Number),
      attributes: (jdbc.metadata.columns as unknown[]).length, // the same columns getColumns lists
      constraints: 0,
      indexes: 0,
    });
    expect(jdbc.tools.tables).toBeGreaterThan(1);
  });

  it('runs one PreparedStatement six times: unnamed, then named server statements (prepareThreshold 5 and 1), binary results, in every query mode', () => {
    const expected = droplets.map((d) => [d.id, d.name, instant(d.created_at), d.memory]);
    const modes = ['', '&prepareThreshold=1', '&prepareThreshold=-1', '&preferQueryMode=simple', '&stringtype=unspecified', '&binaryTransfer=false', '&preferQueryMode=extendedCacheEverything'];
    for (const mode of modes) {
      expect(jdbc.prepared[`runs${mode}`]).toEqual(Array.from({ length: 6 }, () => expected));
      expect(jdbc.prepared[`none${mode}`]).toBe(false);
    }
  });

  it('reads through portals a fetch size at a time with autocommit off, with another statement in between', () => {
    const ids = droplets.map((d) => d.id);
    expect(jdbc.fetch).toEqual({
      fetched: ids,
      series: Array.from({ length: 25 }, (_, i) => i + 1),
      interleaved: [10, 20, 30, 40, 50, 60, 70],
      all: ids,
    });
  });

  it('creates and deletes a resource through executeUpdate, with its row count', async () => {
    expect(jdbc.update).toEqual({ inserted: 1, found: tag, deleted: 1 });
    expect(await cli(`SELECT name FROM digitalocean.compute.tags WHERE name = '${tag}'`)).toEqual([]);
  });

  it('binds typed parameters (setTimestamp, setLong, setBoolean, setBigDecimal, setObject) and describes result columns', () => {
    const p = jdbc.params;
    const since = droplets.filter((d) => d.created_at > '2000-01-01');
    expect(p.unlocked).toEqual(since.filter((d) => !d.locked).map((d) => d.id));
    expect(p.locked).toEqual(since.filter((d) => d.locked).map((d) => d.id));
    // An untyped parameter in a select list is text, as in Postgres: pgjdbc sends setDate's value as `2024-06-01 +00`.
    expect(p.values).toEqual([42, 'x', '2024-06-01T12:00Z', '2024-06-01 +00']);
    const md = p.resultSetMetaData as unknown[][];
    expect(md.map((c) => c[0])).toEqual(['id', 'name', 'created_at']);
    expect(md.map((c) => c[2])).toEqual([false, false, false]); // not auto-increment
  });

  it('runs INSERTs and DELETEs through executeBatch, and returns generated keys (RETURNING *)', () => {
    expect(jdbc.batch).toEqual({
      batch: [1, 1],
      returningCount: 1,
      generated: `${tag}-c`,
      names: [`${tag}-a`, `${tag}-b`, `${tag}-c`],
      deleted: [1, 1, 1],
    });
  });

  it('runs several statements in one execute, and COPY … TO STDOUT through CopyManager', () => {
    expect(jdbc.extras).toEqual({
      multi: ['1', 'two', 'count 0'],
      copyRows: droplets.length,
      copy: ['id,name', ...droplets.map((d) => `${d.id},${d.name}`)].join('\n') + '\n',
    });
  });

  it('cancels a runaway statement at setQueryTimeout (57014) and keeps the connection usable', () => {
    expect(jdbc.timeout).toEqual({ state: '57014', seconds: expect.any(Number), after: 'usable' });
    expect(jdbc.timeout.seconds).toBeLessThan(15);
  });

  it('reads ARRAY[…] columns with getArray: text[], int4[] and int8[], as text and as binary once server-prepared', () => {
    const row = [
      ['_text', 'String', ['a', 'b c', null]],
      ['_int4', 'Integer', [1, -2]],
      ['_int8', 'Long', [3000000000]],
    ];
    expect(jdbc.arrays).toEqual({ runs: [row, row, row], 'runs&prepareThreshold=1': [row, row, row] });
  });

  it('reports the SQLState of a failing statement and keeps the connection usable, in and out of a transaction (failed until rollback, or rolled back to the autosave savepoint)', () => {
    expect(jdbc.errors).toEqual({
      states: ['42703', '42P01', '42601', '0A000'], // DDL: feature_not_supported, as Postgres says of what it lacks
      after: 'still here',
      unbound: '22023', // pgjdbc's own check: no value for parameter 1
      inTransaction: '42703',
      failedTransaction: '25P02', // current transaction is aborted, until rollback
      afterRollback: 'again',
      autosave: '42703',
      afterAutosave: 'kept going',
    });
  });
});
