// pg_cancel_backend, pg_terminate_backend, pg_backend_pid and pg_stat_activity on `doql serve --sandbox`: one
// connection stops another's statement (57014) as Postgres lets it, same user only; real server, pg clients, psql.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { buildMissing } from '../cli/doql-home.js';
import { connectPg, psql, RUNAWAY, servedPair, type DoqlServe } from './doql-serve.js';


const connect = connectPg;

/** The pid BackendKeyData announced (pg keeps it, untyped). */
const announced = (client: pg.Client): number => (client as unknown as { processID: number }).processID;
// doql's integers are int8 on the wire, which pg gives as text.
const int8 = (n: number): string => String(n);

/** Runs `sql` and settles with its error (or undefined), so that a test can await it later. */
const outcome = (client: pg.Client, sql: string): Promise<unknown> =>
  client.query(sql).then(
    () => undefined,
    (err: unknown) => err,
  );

/** Polls pg_stat_activity from `watcher` until `pid` runs `query`: the statement to cancel has started. */
async function waitUntilActive(watcher: pg.Client, pid: number, query: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    const { rows } = await watcher.query('SELECT state, query FROM pg_stat_activity WHERE pid = $1', [pid]);
    if (rows[0]?.state === 'active' && rows[0]?.query === query) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`connection ${pid} never showed as running ${query}`);
}

describe.skipIf(buildMissing())('pg_cancel_backend and friends on doql serve', () => {
  let server: DoqlServe;
  let a: pg.Client;
  let b: pg.Client;
  servedPair((pair) => ({ server, a, b } = pair));

  it('pg_backend_pid() is the BackendKeyData pid for the whole connection, and pg_stat_activity lists it', async () => {
    const pid = announced(a);
    const pids = [];
    for (let i = 0; i < 3; i++) pids.push(Number((await a.query('SELECT pg_backend_pid() AS pid')).rows[0].pid));
    expect(pids).toEqual([pid, pid, pid]);
    const { rows } = await b.query(
      `SELECT pid, usename, datname, state, backend_type FROM pg_stat_activity WHERE pid IN (${pid}, ${announced(b)}) ORDER BY pid = ${pid} DESC`,
    );
    expect(rows).toEqual([
      { pid: int8(pid), usename: 'tester', datname: 'digitalocean', state: 'idle', backend_type: 'client backend' },
      { pid: int8(announced(b)), usename: 'tester', datname: 'digitalocean', state: 'active', backend_type: 'client backend' },
    ]);
  });

  it("psql's SELECT pg_cancel_backend(pid) stops another connection's statement with 57014; that connection runs on with the same pid", async () => {
    const pid = announced(a);
    const runaway = outcome(a, RUNAWAY);
    await waitUntilActive(b, pid, RUNAWAY);
    const started = performance.now();
    const run = await psql(server.port, ['-A', '-t', '-c', `SELECT pg_cancel_backend(${pid})`]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('t');
    expect(await runaway).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
    expect(performance.now() - started).toBeLessThan(5000);
    // Its process was killed and replaced: the connection, its pid and its state are the same.
    expect((await a.query('SELECT 2 AS two, pg_backend_pid()::int AS pid')).rows).toEqual([{ two: 2, pid }]); // int4s (a literal, a cast to int): pg parses them
  });

  it('cancels by pg_stat_activity as Postgres users write it, and false with a warning for a pid that is no connection', async () => {
    const pid = announced(a);
    const runaway = outcome(a, RUNAWAY);
    await waitUntilActive(b, pid, RUNAWAY);
    const { rows } = await b.query(
      "SELECT pid, pg_cancel_backend(pid) AS cancelled FROM pg_stat_activity WHERE usename = 'tester' AND state = 'active' AND pid <> pg_backend_pid()",
    );
    expect(rows).toEqual([{ pid: int8(pid), cancelled: true }]);
    expect(await runaway).toMatchObject({ code: '57014' });

    const run = await psql(server.port, ['-A', '-t', '-c', 'SELECT pg_cancel_backend(1)']);
    expect(run.stdout.trim()).toBe('f');
    expect(run.stderr.trim()).toBe('WARNING:  PID 1 is not a PostgreSQL backend process');
  });

  it("refuses to cancel another user's statement (42501) and hides its text; that user's own connection may", async () => {
    const [other, otherToo] = await Promise.all([connect(server.port, 'other'), connect(server.port, 'other')]);
    try {
      const pid = announced(other);
      const runaway = outcome(other, RUNAWAY);
      await waitUntilActive(otherToo, pid, RUNAWAY);
      const seen = await b.query(`SELECT usename, state, query FROM pg_stat_activity WHERE pid = ${pid}`);
      expect(seen.rows).toEqual([{ usename: 'other', state: null, query: '<insufficient privilege>' }]);
      await expect(b.query('SELECT pg_cancel_backend($1::int)', [pid])).rejects.toMatchObject({
        code: '42501',
        message: 'permission denied to cancel query',
      });
      await expect(b.query('SELECT pg_terminate_backend($1::int)', [pid])).rejects.toMatchObject({ code: '42501' });
      expect((await otherToo.query('SELECT pg_cancel_backend($1::int) AS ok', [pid])).rows).toEqual([{ ok: true }]);
      expect(await runaway).toMatchObject({ code: '57014' });
      expect((await other.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
    } finally {
      await Promise.allSettled([other.end(), otherToo.end()]);
    }
  });

  it('pg_terminate_backend(pid) ends that connection (57P01) and leaves the others', async () => {
    const doomed = await connect(server.port);
    const ended = new Promise<unknown>((resolve) => doomed.on('error', resolve));
    const { rows } = await b.query('SELECT pg_terminate_backend($1::int) AS ok', [announced(doomed)]);
    expect(rows).toEqual([{ ok: true }]);
    expect(await ended).toMatchObject({ code: '57P01', message: 'terminating connection due to administrator command' });
    const left = await b.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ${announced(doomed)}`);
    expect(left.rows).toEqual([{ n: 0 }]);
  });
});
