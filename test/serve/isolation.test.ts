// `doql serve --sandbox` shared by clients: one client's runaway statement stalls no one, cancel and
// statement_timeout stop it (57014) and leave its connection usable, SIGTERM stops the server, and large
// results arrive whole. Real server process, real `pg` clients and psql.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import pg from 'pg';
import { parse, serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { describe, expect, it } from 'vitest';
import { buildMissing } from '../cli/doql-home.js';
import { runProcess } from '../support/run-process.js';
import { connectPg, psql, RUNAWAY, servedPair, startDoqlServe, type DoqlServe } from './doql-serve.js';


const connect = (port: number): Promise<pg.Client> => connectPg(port);

/** Sends a CancelRequest for `client`'s running statement, as psql's Ctrl-C does. */
function cancelRequest(port: number, client: pg.Client): Promise<void> {
  // processID and secretKey are BackendKeyData, kept by pg but not in its types.
  const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(serialize.cancel(processID, secretKey)));
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How long `SELECT 1` takes on an open connection: the best of a few tries (the machine may be busy). */
async function selectOneMs(client: pg.Client, tries = 5): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < tries; i++) {
    const started = performance.now();
    const { rows } = await client.query('SELECT 1 AS one');
    best = Math.min(best, performance.now() - started);
    expect(rows).toEqual([{ one: 1 }]); // an int4, as Postgres types `1`: pg parses it
  }
  return best;
}

describe.skipIf(buildMissing())('doql serve: one client cannot stall the others', () => {
  let server: DoqlServe;
  let a: pg.Client;
  let b: pg.Client;
  servedPair((pair) => ({ server, a, b } = pair));

  it('answers SELECT 1 on another connection in under 100 ms while a recursive CTE runs; cancel stops it with 57014 and its connection runs the next query', async () => {
    const runaway = a.query(RUNAWAY).then(
      () => undefined,
      (err: unknown) => err,
    );
    await sleep(500); // it is running (and would run forever)
    expect(await selectOneMs(b)).toBeLessThan(100);
    const cancelled = performance.now();
    await cancelRequest(server.port, a);
    expect(await runaway).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
    expect(performance.now() - cancelled).toBeLessThan(3000);
    expect((await a.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });

  // The timeouts leave a fresh process's first statement room (a timeout counts all of a statement's time, and a
  // busy 2-core machine runs a new process's first statement slowly); the runaway query is stopped all the same.
  it("SET statement_timeout = '1s' stops a CPU-bound query with 57014; the session keeps the setting and runs on", async () => {
    await a.query("SET statement_timeout = '1s'");
    const started = performance.now();
    await expect(a.query(RUNAWAY)).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    expect(performance.now() - started).toBeLessThan(3000);
    // The statement's process was replaced: the new one has the session's setting.
    expect((await a.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '1s' }]);
    await expect(a.query(RUNAWAY)).rejects.toMatchObject({ code: '57014' });
    await a.query('RESET statement_timeout');
    expect((await a.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '5min' }]);
    await expect(a.query("SET statement_timeout = 'soon'")).rejects.toMatchObject({ code: '22023' });
  });

  it('the default timeout is 5min, and a BEGIN block (failed by the timeout) survives its process being replaced', async () => {
    const c = await connect(server.port);
    try {
      expect((await c.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '5min' }]);
      await c.query("BEGIN; SET statement_timeout TO '1s'; SAVEPOINT s");
      await expect(c.query(RUNAWAY)).rejects.toMatchObject({ code: '57014' });
      // pg keeps the status ReadyForQuery last gave: 'E', the block failed by the error, as in Postgres.
      const status = (): string => (c as unknown as { _txStatus: string })._txStatus;
      expect(status()).toBe('E');
      await expect(c.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
      // The block and its savepoint outlived the process killed for the timeout.
      await c.query('ROLLBACK TO SAVEPOINT s');
      await c.query('SELECT 1');
      expect(status()).toBe('T');
      await c.query('COMMIT');
      expect(status()).toBe('I');
    } finally {
      await c.end();
    }
  });

  it('streams a large result whole: simple and extended protocol, every row and the right command tag', async () => {
    const sql = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r WHERE n < 25000) SELECT n, printf('%.200c', 'x') AS pad FROM r";
    const simple = await b.query(sql);
    expect(simple.rowCount).toBe(25000);
    expect(simple.rows[24999]).toMatchObject({ n: '25000' });
    const extended = await b.query({ text: `${sql} WHERE n > $1`, values: [5] });
    expect(extended.rowCount).toBe(24995);
    expect(extended.rows[0]).toMatchObject({ n: '6' });
    const run = await psql(server.port, ['-A', '-t', '-c', `SELECT count(*) FROM (${sql})`, '-c', `${sql} LIMIT 3`]);
    expect(run.stdout.split('\n')[0]).toBe('25000');
    const copy = await psql(server.port, ['-c', `\\copy (${sql}) TO STDOUT`]);
    expect(copy.stdout.trim().split('\n')).toHaveLength(25000);
  });

  it('a portal read in parts (Execute with a row limit) keeps its place while another portal runs in between', async () => {
    const big = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r WHERE n < 5000) SELECT n FROM r";
    const messages = await rawExchange(server.port, [
      serialize.parse({ name: 'big', text: big }),
      serialize.bind({ statement: 'big', portal: 'p1' }),
      serialize.execute({ portal: 'p1', rows: 3 }),
      serialize.parse({ name: 'small', text: 'SELECT 42 AS answer' }),
      serialize.bind({ statement: 'small', portal: 'p2' }),
      serialize.execute({ portal: 'p2' }),
      serialize.execute({ portal: 'p1' }),
      serialize.sync(),
    ]);
    const summary: string[] = [];
    let rows = 0;
    for (const m of messages) {
      if (m.name === 'dataRow') {
        rows++;
        continue;
      }
      if (rows) summary.push(`${rows} rows`);
      rows = 0;
      if (m.name === 'commandComplete') summary.push((m as unknown as { text: string }).text);
      else if (!['parseComplete', 'bindComplete'].includes(m.name)) summary.push(m.name);
    }
    expect(summary).toEqual(['3 rows', 'portalSuspended', '1 rows', 'SELECT 1', '4997 rows', 'SELECT 4997', 'readyForQuery']);
  });

  it('a connection that ends mid-statement leaves no process running it', async () => {
    const c = await connect(server.port);
    c.on('error', () => {}); // the socket is cut below
    const pending = c.query(RUNAWAY).catch(() => undefined);
    await sleep(300);
    // CPU time the server's session processes use in a second: a runaway statement uses most of a core.
    expect(await childCpuMs(server.pid, 1000)).toBeGreaterThan(100);
    (c as unknown as { connection: { stream: net.Socket } }).connection.stream.destroy();
    await pending;
    await sleep(1000);
    expect(await childCpuMs(server.pid, 1000)).toBeLessThan(100);
  });
});

/** Starts a session by hand, sends `messages`, and collects what comes back until ReadyForQuery. */
async function rawExchange(port: number, messages: Buffer[]): Promise<BackendMessage[]> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const received: BackendMessage[] = [];
  let ready = 0;
  const done = new Promise<void>((resolve) => {
    void parse(socket, (m) => {
      if (m.name === 'readyForQuery' && ++ready === 2) resolve();
      if (ready >= 1 && m.name !== 'readyForQuery') received.push(m);
      else if (ready === 2) received.push(m);
    });
  });
  socket.write(serialize.startup({ user: 'tester', database: 'digitalocean' }));
  socket.write(Buffer.concat(messages));
  await done;
  socket.end(serialize.end());
  return received;
}

/** CPU time (ms) that the children of `serverPid` use during the next `windowMs`. */
async function childCpuMs(serverPid: number, windowMs: number): Promise<number> {
  const total = async (): Promise<number> => {
    const run = await runProcess('ps', ['-o', 'pid=', '--ppid', String(serverPid)], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    let ticks = 0;
    for (const pid of run.stdout.trim().split(/\s+/).filter(Boolean)) {
      try {
        // /proc/PID/stat: after the ")" ending the command name, utime and stime are fields 12 and 13.
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // the process ended meanwhile
      }
    }
    return ticks * 10; // USER_HZ is 100
  };
  const before = await total();
  await sleep(windowMs);
  return (await total()) - before;
}

describe.skipIf(buildMissing())('doql serve: SIGTERM', () => {
  it('stops the server within 5 s while a runaway query runs, telling the client', async () => {
    const server = await startDoqlServe(['--sandbox']);
    const client = await connect(server.port);
    client.on('error', () => {});
    const runaway = client.query(RUNAWAY).then(
      () => undefined,
      (err: unknown) => err,
    );
    await sleep(500);
    const started = performance.now();
    process.kill(server.pid, 'SIGTERM');
    const exit = await Promise.race([server.exited, sleep(6000).then(() => 'still running')]);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(exit).toMatchObject({ signal: null });
    expect(await runaway).toMatchObject({ code: '57P01' });
    await server.stop();
  });
});

