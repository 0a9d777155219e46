// A SELECT asked for in batches (ExecuteOptions.batchRows, as the wire server asks) gives the same rows as one
// read all at once, fetches nothing more, and the session's own settings (statement_timeout) answer SET/SHOW.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue, StatementResult } from '../../src/engine/types.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { buildMissing, sessionFor, startSandbox, type TestSession } from './helpers.js';

async function readAll(result: StatementResult): Promise<{ rows: CellValue[][]; batches: number }> {
  const rows = [...result.rows];
  let batches = 1;
  for (let batch = await result.stream?.next(); batch; batch = await result.stream?.next()) {
    rows.push(...batch);
    batches++;
  }
  return { rows, batches };
}

describe.skipIf(buildMissing())('SELECT in batches', () => {
  let sb: Sandbox;
  let t: TestSession;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 3, count: { 'compute.droplets': 500 } });
    t = sessionFor(sb);
  });
  afterAll(async () => {
    t?.session.close();
    await t?.client.close();
    await sb?.close();
  });

  it('a resource read in batches of 50 gives every row of the plain read, with no extra request', async () => {
    const sql = 'SELECT id, name, memory FROM digitalocean.compute.droplets ORDER BY id';
    const [whole] = await t.session.execute(sql);
    const requests = t.urls.length;
    const [batched] = await t.session.execute(sql, { batchRows: 50 });
    expect(batched!.stream).toBeDefined();
    const { rows, batches } = await readAll(batched!);
    expect(rows).toEqual(whole!.rows);
    expect(rows).toHaveLength(500);
    expect(batches).toBe(10);
    // The three pages of 200 again (cache TTL 0), and no more: the run that learns the misses is not re-fetched.
    expect(t.urls.length - requests).toBe(3);
  });

  it('a result that fits one batch has no stream, and closing a stream early ends it', async () => {
    const [small] = await t.session.execute('SELECT 1 AS one', { batchRows: 50 });
    expect(small!.stream).toBeUndefined();
    const sql = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r';
    const [endless] = await t.session.execute(sql, { batchRows: 100 });
    expect(endless!.rows).toHaveLength(100);
    endless!.stream!.close();
    expect(await endless!.stream!.next()).toBeUndefined();
    // The database is free again for the next statement.
    expect(await t.rows('SELECT 2')).toEqual([[2]]);
  });

  it.each([
    ["SET statement_timeout = '200ms'", '200ms'],
    ['SET statement_timeout TO 5000', '5s'],
    ["SET SESSION statement_timeout = '2min'", '2min'],
    ['SET statement_timeout = 0', '0'],
    ['SET statement_timeout = DEFAULT', '0'],
    ['RESET statement_timeout', '0'],
    ['RESET ALL', '0'],
    // Outside a block SET LOCAL lasts only its own statement, as in Postgres (which warns so).
    ["SET LOCAL statement_timeout TO '1.5s'", '1h'],
  ])('%s → SHOW statement_timeout says %s', async (set, shown) => {
    await t.session.execute("SET statement_timeout = '1h'");
    await t.session.execute(set);
    expect(await t.rows('SHOW statement_timeout')).toEqual([[shown]]);
  });

  it('SET LOCAL in a block lasts until the block ends; outside one it warns, as Postgres does', async () => {
    await t.session.execute("SET statement_timeout = '1h'");
    const [outside] = await t.session.execute("SET LOCAL statement_timeout TO '1.5s'");
    expect(outside.warnings).toEqual(['SET LOCAL can only be used in transaction blocks']);
    const results = await t.session.execute("BEGIN; SET LOCAL statement_timeout TO '1.5s'; SHOW statement_timeout; COMMIT; SHOW statement_timeout");
    expect(results[1].warnings).toBeUndefined();
    expect([results[2].rows, results[4].rows]).toEqual([[['1500ms']], [['1h']]]);
  });

  it("answers session statements with Postgres's tags and names, read from the grammar", async () => {
    const tag = async (sql: string) => (await t.session.execute(sql)).map((r) => r.command);
    expect(await tag('DISCARD PLANS; DEALLOCATE ALL; DEALLOCATE p1; BEGIN; SAVEPOINT a; ROLLBACK TO SAVEPOINT a; RELEASE a; END')).toEqual([
      'DISCARD PLANS',
      'DEALLOCATE ALL',
      'DEALLOCATE',
      'BEGIN',
      'SAVEPOINT',
      'ROLLBACK',
      'RELEASE',
      'COMMIT',
    ]);
    expect(await t.rows('SHOW TRANSACTION ISOLATION LEVEL')).toEqual([['read committed']]);
    expect(await t.rows('SHOW TIME ZONE')).toEqual([['UTC']]);
    await expect(t.session.execute("COMMIT PREPARED 'x'")).rejects.toThrow(/two-phase commit/);
    await expect(t.session.execute('SET statement_timeout = 5min')).rejects.toThrow(/syntax error/);
    await expect(t.session.execute('SHOW nonsense here')).rejects.toThrow(/unknown SHOW "nonsense here"/);
  });
});
