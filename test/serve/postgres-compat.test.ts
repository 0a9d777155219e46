// What Postgres clients ask of any server, against the real `doql serve --sandbox`: DDL refused as a feature
// Postgres would lack (0A000, saying what to do instead), application_name and the connecting user as Postgres
// reports them (SHOW, current_setting, current_user, pg_stat_activity).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMissing } from '../cli/doql-home.js';
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

  it('psql shows the refusal and its hint', async () => {
    const run = await psql(server.port, ['-c', 'CREATE TEMP TABLE t AS SELECT 1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ERROR:  CREATE TEMP TABLE is not supported by doql');
    expect(run.stderr).toContain('HINT:  For an intermediate result use a CTE');
  });
});
