// A failed transaction block, as Postgres has it, against the real `doql serve --sandbox`: after an error between
// BEGIN and COMMIT every statement is refused (25P02) until ROLLBACK, COMMIT answers ROLLBACK, ReadyForQuery says
// 'E', and ROLLBACK TO SAVEPOINT recovers. psql (ON_ERROR_ROLLBACK off and on) and the `pg` driver (simple and
// extended protocol); psycopg and psycopg2 are in bi-clients.test.ts, pgjdbc (autosave) in jdbc.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMissing } from '../cli/doql-home.js';
import { psql, startDoqlServe, withPgClient, type DoqlServe } from './doql-serve.js';

const ABORTED = 'current transaction is aborted, commands ignored until end of transaction block';

describe.skipIf(buildMissing())('doql serve: a failed transaction block', () => {
  let server: DoqlServe;
  beforeAll(async () => {
    server = await startDoqlServe(['--sandbox']);
  }, 30_000);
  afterAll(() => server?.stop());

  const script = (lines: string[]): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'doql-failed-block-')), 'script.sql');
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  const STATEMENTS = ['BEGIN;', 'SELECT nope;', "SELECT 'after' AS a;", "SELECT 'second' AS a;", 'COMMIT;', "SELECT 'outside' AS a;"];

  it('psql: statements after the error are refused until the block ends; COMMIT reports ROLLBACK', async () => {
    const run = await psql(server.port, ['-A', '-t', '-f', script(STATEMENTS)]);
    expect(run.stdout.split('\n').filter(Boolean)).toEqual(['BEGIN', 'ROLLBACK', 'outside']);
    const errors = run.stderr.split('\n').filter((l) => l.includes('ERROR'));
    expect(errors).toHaveLength(3);
    expect(errors[0]).toContain('nope');
    expect(errors[1]).toContain(ABORTED);
    expect(errors[2]).toContain(ABORTED);
  });

  it('psql with ON_ERROR_ROLLBACK on: its savepoint around each statement keeps the block going after an error', async () => {
    const run = await psql(server.port, ['-A', '-t', '-v', 'ON_ERROR_ROLLBACK=on', '-f', script(STATEMENTS)]);
    expect(run.stdout.split('\n').filter(Boolean)).toEqual(['BEGIN', 'after', 'second', 'COMMIT', 'outside']);
    expect(run.stderr.split('\n').filter((l) => l.includes('ERROR'))).toHaveLength(1);
    expect(run.stderr).not.toContain(ABORTED);
  });

  it("a Describe's probe that fails does not fail the block: only the client's statements do", async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const received: BackendMessage[] = [];
    let ready = 0;
    const done = new Promise<void>((resolve) => {
      void parse(socket, (m) => {
        received.push(m);
        if (m.name === 'readyForQuery' && ++ready === 4) resolve();
      });
    });
    socket.write(serialize.startup({ user: 'tester', database: 'digitalocean' }));
    socket.write(
      Buffer.concat([
        serialize.query('BEGIN'),
        // Its probe fails (the cluster is a required parameter); Postgres would describe it without running it.
        serialize.parse({ name: 'p', text: 'SELECT created_at FROM digitalocean.databases.backups WHERE size_gigabytes > $1' }),
        serialize.describe({ type: 'S', name: 'p' }),
        serialize.sync(),
        serialize.query("SELECT 'still in the block' AS s"),
      ]),
    );
    await done;
    socket.end(serialize.end());
    expect(received.filter((m) => m.name === 'error')).toEqual([]);
    expect(received.filter((m) => m.name === 'readyForQuery').map((m) => (m as unknown as { status: string }).status)).toEqual(['I', 'T', 'T', 'T']);
    expect(received.some((m) => m.name === 'dataRow')).toBe(true);
    expect(server.log()).toContain('could not learn its columns'); // the probe did fail
  });

  it('pg driver: ReadyForQuery says E; simple and extended statements get 25P02; ROLLBACK TO SAVEPOINT recovers', async () => {
    await withPgClient(server.port, async (client) => {
      const statuses: string[] = [];
      client.connection.on('readyForQuery', (m: { status: string }) => statuses.push(m.status));
      const code = (sql: string, values?: unknown[]): Promise<unknown> =>
        client.query(sql, values).then(
          () => 'ok',
          (e: { code?: string; message: string }) => `${e.code}: ${e.message}`,
        );

      await client.query('BEGIN');
      await client.query('SAVEPOINT a');
      expect(await code('SELECT nope')).toMatch(/^42703: /);
      expect(await code('SELECT 1')).toBe(`25P02: ${ABORTED}`);
      expect(await code('SELECT $1::int', [1])).toBe(`25P02: ${ABORTED}`); // Parse/Bind/Execute/Sync
      expect(await code('SAVEPOINT b')).toBe(`25P02: ${ABORTED}`);
      expect(await code('ROLLBACK TO SAVEPOINT nope')).toBe('3B001: savepoint "nope" does not exist');
      await client.query('ROLLBACK TO SAVEPOINT a'); // back in the block, as before the error
      expect((await client.query('SELECT $1::text AS n', ['seven'])).rows).toEqual([{ n: 'seven' }]);
      expect(await code('RELEASE SAVEPOINT a')).toBe('ok');
      expect(await code('RELEASE SAVEPOINT a')).toBe('3B001: savepoint "a" does not exist'); // which fails the block
      expect((await client.query('COMMIT')).command).toBe('ROLLBACK');
      expect(statuses).toEqual(['T', 'T', 'E', 'E', 'E', 'E', 'E', 'T', 'T', 'T', 'E', 'I']);

      // Outside a block: no failed state, and savepoints are refused as Postgres refuses them.
      expect(await code('SELECT nope')).toMatch(/^42703: /);
      expect(await code('SELECT 1')).toBe('ok');
      expect(await code('SAVEPOINT a')).toBe('25P01: SAVEPOINT can only be used in transaction blocks');
      expect(await code('ROLLBACK TO SAVEPOINT a')).toBe('25P01: ROLLBACK TO SAVEPOINT can only be used in transaction blocks');
      // An error in an extended-protocol statement fails the block too; ROLLBACK (extended) ends it.
      await client.query('BEGIN');
      expect(await code('SELECT $1::int + nope', [1])).toMatch(/^42703: /);
      expect(await code('SELECT $1::int', [1])).toBe(`25P02: ${ABORTED}`);
      expect(statuses.slice(-2)).toEqual(['E', 'E']);
      // Another connection sees it as Postgres shows it in pg_stat_activity.
      const pid = client.processID;
      const state = await withPgClient(server.port, async (other) => (await other.query('SELECT state FROM pg_stat_activity WHERE pid = $1', [pid])).rows);
      expect(state).toEqual([{ state: 'idle in transaction (aborted)' }]);
      expect((await client.query({ text: 'ROLLBACK', values: [] })).command).toBe('ROLLBACK');
      expect(statuses.at(-1)).toBe('I');
      expect((await client.query("SELECT 'one' AS one")).rows).toEqual([{ one: 'one' }]);
    });
  });
});
