// What Postgres clients ask of any server, against the real `doql serve --sandbox`: DDL refused as a feature
// Postgres would lack (0A000, saying what to do instead), application_name and the connecting user as Postgres
// reports them (SHOW, current_setting, current_user, pg_stat_activity).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMissing } from '../cli/doql-home.js';
import { runPsql } from '../support/run-process.js';
import pg from 'pg';
import { psql, startDoqlServe, withPgClient, type DoqlServe } from './doql-serve.js';

describe.skipIf(buildMissing())('doql serve: Postgres clients', () => {
  let server: DoqlServe;
  beforeAll(async () => {
    server = await startDoqlServe(['--sandbox']);
  }, 30_000);
  afterAll(() => server?.stop());

  it.each([
    ['CREATE TEMP TABLE t (a int)', 'CREATE TEMP TABLE'],
    ['CREATE TABLE compute.mine AS SELECT * FROM compute.droplets', 'CREATE TABLE'],
    ['create or replace view v as select 1', 'CREATE OR REPLACE VIEW'],
    ['DROP TABLE compute.droplets', 'DROP TABLE'],
    ['ALTER TABLE compute.droplets ADD COLUMN x int', 'ALTER TABLE'],
    ['TRUNCATE compute.droplets', 'TRUNCATE'],
  ])('%s is refused with 0A000, saying what to do instead', async (sql, what) => {
    await withPgClient(server.port, async (client) => {
      const err = (await client.query(sql).catch((e: unknown) => e)) as { code?: string; message: string; hint?: string };
      expect(err).toMatchObject({
        code: '0A000',
        message: `${what} is not supported by doql: its tables are DigitalOcean's API resources, and it keeps no tables of its own`,
      });
      expect(err.hint).toContain('CTE');
      expect(err.hint).toContain('doql sync');
      // The extended protocol says the same.
      await expect(client.query({ text: sql, values: [] })).rejects.toMatchObject({ code: '0A000' });
    });
  });

  it('application_name (startup and SET) and the connecting user show in SHOW, current_setting, current_user and pg_stat_activity', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'alice', database: 'digitalocean', application_name: 'report-job' });
    const other = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'alice', database: 'digitalocean' });
    await Promise.all([client.connect(), other.connect()]);
    try {
      const one = async (sql: string): Promise<unknown[]> => (await client.query({ text: sql, rowMode: 'array' })).rows[0] as unknown[];
      const seen = async (): Promise<unknown[]> => {
        const { rows } = await other.query({ text: 'SELECT usename, application_name FROM pg_stat_activity WHERE pid = $1', values: [pid], rowMode: 'array' });
        return rows[0] as unknown[];
      };
      const reported: string[] = [];
      client.connection.on('parameterStatus', (m: { parameterName: string; parameterValue: string }) => {
        if (m.parameterName === 'application_name') reported.push(m.parameterValue);
      });
      const [pid] = await one('SELECT pg_backend_pid()');
      expect(await one("SELECT current_setting('application_name'), current_user, session_user, user, current_role")).toEqual(['report-job', 'alice', 'alice', 'alice', 'alice']);
      expect(await one('SHOW application_name')).toEqual(['report-job']);
      expect(await one('SELECT usename, application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()')).toEqual(['alice', 'report-job']);
      expect(await seen()).toEqual(['alice', 'report-job']);

      await client.query("SET application_name = 'renamed'");
      expect(await one("SHOW application_name")).toEqual(['renamed']);
      expect(await one("SELECT current_setting('application_name')")).toEqual(['renamed']);
      expect(await seen()).toEqual(['alice', 'renamed']);
      await client.query('RESET application_name'); // back to the startup value, as in Postgres
      expect(await one("SELECT current_setting('application_name')")).toEqual(['report-job']);
      expect(await seen()).toEqual(['alice', 'report-job']);
      // set_config(…, false) is SET by a function: it lasts; with is_local (true) it lasts for no transaction here.
      expect(await one("SELECT set_config('application_name', 'configured', false)")).toEqual(['configured']);
      expect(await one('SHOW application_name')).toEqual(['configured']);
      expect(await seen()).toEqual(['alice', 'configured']);
      expect(await one("SELECT set_config('application_name', 'for a moment', true)")).toEqual(['for a moment']);
      expect(await one("SELECT current_setting('application_name')")).toEqual(['configured']);
      await client.query('RESET application_name');
      // Each change was reported in a ParameterStatus, as Postgres reports application_name (pgjdbc's getClientInfo).
      await client.query({ text: "SET application_name TO 'extended'", values: [] });
      expect(reported).toEqual(['renamed', 'report-job', 'configured', 'report-job', 'extended']);
    } finally {
      await Promise.all([client.end(), other.end()]);
    }
  });

  it('a parameter cast to text keeps its text, numeric-looking or not', async () => {
    await withPgClient(server.port, async (client) => {
      const { rows } = await client.query({ text: "SELECT $1::text AS a, $2::varchar || 'x' AS b, $3::text AS c", values: ['7', '7.50', '007'], rowMode: 'array' });
      expect(rows).toEqual([['7', '7.50x', '007']]);
    });
  });

  it("psql's PGAPPNAME and -U reach SHOW application_name and current_user", async () => {
    const run = await runPsql(server.port, ['-A', '-t', '-c', 'SHOW application_name', '-c', "SELECT current_user || ' ' || current_setting('application_name')"], {
      database: 'digitalocean',
      env: { PGAPPNAME: 'nightly' },
    });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe('nightly\ntester nightly\n');
  });

  it('psql shows the refusal and its hint', async () => {
    const run = await psql(server.port, ['-c', 'CREATE TEMP TABLE t AS SELECT 1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ERROR:  CREATE TEMP TABLE is not supported by doql');
    expect(run.stderr).toContain('HINT:  For an intermediate result use a CTE');
  });
});
