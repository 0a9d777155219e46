// Runs the real `doql serve` binary (dist/, so `npm run build` first) on a free port, and real psql against it.
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { DOQL_BIN, tempDoqlHome } from '../cli/doql-home.js';
import { runPsql, stopChild, type ProcessRun } from '../support/run-process.js';

export interface DoqlServe {
  port: number;
  /** Everything the server wrote on stderr so far (its log). */
  log(): string;
  pid: number;
  /** Resolves when the server process ends, with its exit code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/** Starts `doql serve --port 0 …args`; resolves once it prints the address it listens on. */
export function startDoqlServe(args: string[] = [], env: Record<string, string> = {}): Promise<DoqlServe> {
  const home = tempDoqlHome();
  const child = spawn(process.execPath, [DOQL_BIN, 'serve', '--port', '0', ...args], {
    // HOME too, so that no doctl config or doql state of the user's is read.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, DOQL_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  return new Promise((resolve, reject) => {
    let started = false;
    const onExit = (code: number | null): void => fail(new Error(`doql serve exited (${code}):\n${stderr}`));
    const timer = setTimeout(() => fail(new Error(`doql serve did not start:\n${stderr}`)), 15_000);
    function fail(err: Error): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    }
    child.on('error', fail);
    child.on('exit', onExit);
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
      const m = started ? null : /listening on [^\s]+:(\d+)/.exec(stderr);
      if (!m) return;
      started = true;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({ port: Number(m[1]), pid: child.pid as number, log: () => stderr + stdout, exited, stop: () => stopChild(child) });
    });
  });
}


export type PsqlRun = ProcessRun;

/** Runs psql 15 against the server as user `tester`, database `digitalocean`. */
export function psql(port: number, args: string[], whileRunning?: (child: ChildProcess) => void): Promise<PsqlRun> {
  return runPsql(port, args, { database: 'digitalocean', whileRunning });
}

/** `psql -A -t -F ' | ' -c …`: unaligned rows, fields joined by ` | `, no headers or footers. */
export function psqlRows(port: number, command: string): Promise<PsqlRun> {
  return psql(port, ['-A', '-t', '-F', ' | ', '-c', command]);
}

/** Runs `use` with a `pg` client connected to the server as `tester` (database `digitalocean`), then ends it. */
export async function withPgClient<T>(port: number, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'tester', database: 'digitalocean' });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** A statement that never ends by itself: the isolation and cancel tests run it. */
export const RUNAWAY = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) SELECT count(*) FROM r';

/** A `pg` client connected as `user` (database `digitalocean`); a terminated connection's error is the query's to report. */
export async function connectPg(port: number, user = 'tester'): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, database: 'digitalocean' });
  client.on('error', () => {});
  await client.connect();
  return client;
}

export interface ServedPair {
  server: DoqlServe;
  a: pg.Client;
  b: pg.Client;
}

/** For a describe block: `doql serve --sandbox` and two clients of it, started before its tests and stopped after. */
export function servedPair(take: (pair: ServedPair) => void): void {
  let pair: Partial<ServedPair> = {};
  beforeAll(async () => {
    const server = await startDoqlServe(['--sandbox']);
    pair = { server };
    const [a, b] = await Promise.all([connectPg(server.port), connectPg(server.port)]);
    pair = { server, a, b };
    take(pair as ServedPair);
  });
  afterAll(async () => {
    await Promise.allSettled([pair.a?.end(), pair.b?.end()]);
    await pair.server?.stop();
  });
}
