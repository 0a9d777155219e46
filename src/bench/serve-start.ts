// The `serve-start` bench's measurements (run.ts prints them): what a `doql serve` session process costs to start,
// beside a bare forked node, and what a new wire connection waits for its first answer.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SessionProcess } from '../server/session-process.js';
import type { ServeChildConfig } from '../cli/serve-child.js';

export interface StartRun {
  /** From fork to the process's `ready` message. */
  wallMs: number;
  /** CPU the process used by then, every thread of it (undefined off Linux). */
  cpuMs?: number;
}

/**
 * CPU a running process has used, every thread: /proc/<pid>/task/<tid>/schedstat's first field, nanoseconds (the
 * 10 ms clock ticks of /proc/<pid>/stat are too coarse for a ~100 ms start). Threads that already ended are not
 * counted: V8's and libuv's workers live as long as the process.
 */
export function processCpuMs(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

/** What a forked process does at the least: Node's start and the IPC channel, then `ready` (no doql code). */
const BARE_CHILD = `process.on('message', (m) => { if (m.t === 'init') process.send({ t: 'ready' }); });
process.on('disconnect', () => process.exit(0));
`;

function bareChild(): { dir: string; bare: string } {
  const dir = mkdtempSync(join(tmpdir(), 'doql-bench-'));
  const bare = join(dir, 'bare-session.cjs');
  writeFileSync(bare, BARE_CHILD);
  return { dir, bare };
}

/** A session process as `doql serve` starts one (session-process.ts's SessionProcess and its fork options). */
function startProcess(childModule: string): SessionProcess {
  const config: ServeChildConfig = {
    vars: {},
    mutation: { dryRun: false, yes: false, waitTimeoutMs: 0 },
    allowRegistry: false,
    servesEveryPath: true,
    settings: { statement_timeout: '5min' },
    accounts: { names: ['default'] },
  };
  return new SessionProcess({
    childModule,
    config,
    settings: config.settings,
    handle: async () => null,
    log: (l) => process.stderr.write(`${l}\n`),
  });
}

async function stopProcess(proc: SessionProcess): Promise<void> {
  const exited = new Promise((r) => proc.child.once('exit', r));
  proc.kill();
  await exited;
}

async function startOnce(childModule: string): Promise<StartRun> {
  const t = performance.now();
  const proc = startProcess(childModule);
  await proc.ready;
  const wallMs = performance.now() - t;
  const cpuMs = processCpuMs(proc.child.pid!);
  await stopProcess(proc);
  return { wallMs, cpuMs };
}

/** Starts each module's process in turn, `runs` times, alternating; the bare process is always the first. */
export async function sessionStarts(modules: string[], runs: number): Promise<StartRun[][]> {
  const { dir, bare } = bareChild();
  const out: StartRun[][] = [[], ...modules.map(() => [])];
  try {
    for (let i = 0; i < runs; i++) {
      for (const [k, m] of [bare, ...modules].entries()) out[k]!.push(await startOnce(m));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** `doql serve --sandbox` on a free port, ready to connect; a server that does not start is stopped, not left behind. */
export async function startServe(doqlBin: string, home: string, env: Record<string, string> = {}): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [doqlBin, 'serve', '--sandbox', '--port', '0'], { env: { ...process.env, DOQL_HOME: home, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`doql serve did not start: ${log}`)), 60_000);
      child.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        const m = /listening on [^\s]+:(\d+)/.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code) => reject(new Error(`doql serve exited ${code}: ${log}`)));
    });
    return { port, child };
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
}

async function stopServe(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** A psql-like client's connection and first statement, in ms (pg, the node client). */
async function firstQuery(port: number, sql: string): Promise<number> {
  const t = performance.now();
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'bench', database: 'digitalocean' });
  await client.connect();
  await client.query(sql);
  const ms = performance.now() - t;
  await client.end();
  return ms;
}

/** A connection's first statement: what a driver's connection check or a BI tool's first read sends. */
export const FIRST_QUERY = 'SELECT 1';
/** The question psql's \d asks first (a catalog join): each process builds its pg_catalog emulation for the first. */
export const CATALOG_QUERY = "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'compute' LIMIT 3";

export interface ConnectionRuns {
  /** A new connection's first statement while the pool has a process ready (the usual case). */
  spareReady: number[];
  /**
   * Several connections at once to a server that just started, each asking the catalog first, until the last answer:
   * each process that starts for them opens the pg_catalog emulation kept under DOQL_HOME (built by the first run).
   * (With SELECT 1 the one ready process answers them all in turn before another would have started: no measure of
   * a start.)
   */
  catalogBurst: number[];
  /** The same, alternating with it, each process building its own (DOQL_PG_CATALOG_CACHE=off). */
  catalogBurstBuilding: number[];
  burstSize: number;
}

/**
 * Against real `doql serve` processes: `runs` new connections one after another (each once the pool is idle again),
 * then `runs` times a fresh server that `burstSize` clients reach together, each asking the catalog first.
 */
export async function connectionRuns(doqlBin: string, runs: number, burstSize: number): Promise<ConnectionRuns> {
  const home = mkdtempSync(join(tmpdir(), 'doql-bench-'));
  const out: ConnectionRuns = { spareReady: [], catalogBurst: [], catalogBurstBuilding: [], burstSize };
  try {
    const serve = await startServe(doqlBin, home);
    try {
      await firstQuery(serve.port, FIRST_QUERY); // the sandbox's first use, not a connection's
      for (let i = 0; i < runs; i++) {
        await new Promise((r) => setTimeout(r, 400)); // the spare the last statement started is ready
        out.spareReady.push(await firstQuery(serve.port, FIRST_QUERY));
      }
    } finally {
      await stopServe(serve.child);
    }
    for (let i = 0; i < runs; i++) {
      for (const [times, env] of [
        [out.catalogBurstBuilding, { DOQL_PG_CATALOG_CACHE: 'off' }],
        [out.catalogBurst, {}],
      ] as const) {
        const fresh = await startServe(doqlBin, home, env);
        try {
          await new Promise((r) => setTimeout(r, 200));
          const t = performance.now();
          await Promise.all(Array.from({ length: burstSize }, () => firstQuery(fresh.port, CATALOG_QUERY)));
          times.push(performance.now() - t);
        } finally {
          await stopServe(fresh.child);
        }
      }
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return out;
}
