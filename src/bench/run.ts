// `npm run bench`: doql's speed, measured in one run against lower bounds and a plain @digitalocean/dots script.
// A benchmark, not a test: it prints ratios and marks each target met or missed; it never fails the build.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiClient } from '../api/client.js';
import { loadCatalog } from '../catalog/load.js';
import { nativeRowsFallback } from '../engine/native-rows.js';
import { createSession } from '../engine/session.js';
import { createSandbox } from '../sandbox/index.js';
import { openDestination } from '../sync/destination.js';
import { runSync } from '../sync/run-sync.js';
import { postgresMissing, startPostgres } from './local-postgres.js';
import { startSandboxProcess } from '../sandbox/process.js';
import { TIMINGS_PREFIX } from '../timings.js';
import { connectionRuns, sessionStarts, startServe, type StartRun } from './serve-start.js';

/** The part of @digitalocean/dots the comparison uses. */
interface DotsModule {
  FetchRequestAdapter: new (auth: unknown) => { baseUrl: string };
  DigitalOceanApiKeyAuthenticationProvider: new (token: string) => unknown;
  createDigitalOceanClient(adapter: unknown): {
    v2: {
      databases: {
        get(config?: unknown): Promise<unknown>;
        byDatabase_cluster_uuid(id: string): { backups: { get(): Promise<unknown> } };
      };
    };
  };
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const doqlBin = join(root, 'bin', 'doql.js');
const LATENCY = 50;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The lines that measure an issue's targets, printed again together at the end of the run. */
const tracked: { issue: number; text: string; ok: boolean }[] = [];

function line(name: string, value: string, target: string, ok: boolean, issue?: number): void {
  const text = `${ok ? 'ok  ' : 'MISS'}  ${name.padEnd(44)} ${value.padEnd(34)} target ${target}`;
  process.stdout.write(`${text}\n`);
  if (issue !== undefined) tracked.push({ issue, text, ok });
}

/** One whole process: its wall time and, when it ran with DOQL_TIMINGS=1, doql's timing marks (src/timings.ts). */
interface ProcessRun {
  ms: number;
  /** ms since the process started, and CPU ms used by then, at each mark. */
  marks?: { wall: Record<string, number>; cpu: Record<string, number> };
}

function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv): ProcessRun {
  const t = performance.now();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const ms = performance.now() - t;
  const stderr = r.stderr.toString();
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${stderr}`);
  const found = stderr.split('\n').find((l) => l.startsWith(TIMINGS_PREFIX));
  return { ms, marks: found ? (JSON.parse(found.slice(TIMINGS_PREFIX.length)) as ProcessRun['marks']) : undefined };
}

/** One whole process's wall time (the TLS bench and others time processes with it). */
function timeCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  return runProcess(cmd, args, env).ms;
}

/** doql's marks in the order a cold run reaches them, each named for the stretch that ends there. */
const STAGES: [mark: string, label: string][] = [
  ['bootstrap', 'node start-up'],
  ['modules', "doql's modules"],
  ['engine', 'parsing + engine modules'],
  ['catalog', 'catalog'],
  ['context', 'session'],
  ['sqlite', 'SQLite'],
  // The SQL parser's WebAssembly compiles on V8's threads from the start of a statement's run; a statement waits
  // for it before it can send anything.
  ['parser', 'SQL parser ready'],
  ['first request', 'to the first request'],
  ['first response', 'first response'],
  ['fetched', 'other requests + rows'],
  ['result', 'to the result (SQL over the rows)'],
  ['printed', 'output'],
  ['closed', 'close'],
  ['exit', 'exit'],
];

/**
 * Where the cold time goes: the median of each stretch between consecutive marks (wall, then CPU in brackets),
 * and from the last mark to the process's end as its parent saw it.
 */
function whereTimeGoes(runs: ProcessRun[]): string {
  const withMarks = runs.filter((r) => r.marks).map((r) => ({ ms: r.ms, ...r.marks! }));
  if (!withMarks.length) return 'no timing marks (DOQL_TIMINGS)';
  const parts: string[] = [];
  // In the order the runs reached them: a statement whose request starts early (engine/early-fetch.ts) sends it
  // before SQLite is set up, and 'SQLite' then names the stretch from the first request to SQLite's set-up.
  const at = (m: string): number => median(withMarks.map((r) => r.wall[m]));
  const present = STAGES.filter(([m]) => withMarks.every((r) => r.wall[m] !== undefined)).sort(([a], [b]) => at(a) - at(b));
  let prev: string | undefined;
  for (const [m, label] of present) {
    const wall = median(withMarks.map((r) => r.wall[m] - (prev ? r.wall[prev] : 0)));
    const cpu = m in withMarks[0].cpu ? median(withMarks.map((r) => r.cpu[m] - (prev ? (r.cpu[prev] ?? 0) : 0))) : undefined;
    // Node's start-up has no CPU figure (its clock gives wall time only), so the stretch after it counts CPU from
    // the process's start: said so, lest it read as doql's modules burning twice their wall time.
    const sinceStart = prev !== undefined && !(prev in withMarks[0].cpu);
    parts.push(`${label} ${wall.toFixed(0)}${cpu === undefined ? '' : ` (${cpu.toFixed(0)}${sinceStart ? ' since the process started' : ''})`}`);
    prev = m;
  }
  if (prev) parts.push(`process end ${median(withMarks.map((r) => r.ms - r.wall[prev!])).toFixed(0)}`);
  return `${parts.join(', ')} ms (CPU ms)`;
}

/** Runs each command in turn, `runs` times, alternating (so drift on the machine hits both alike). */
function alternateRuns(commands: { cmd: string; args: string[]; env: NodeJS.ProcessEnv }[], runs: number): ProcessRun[][] {
  const out: ProcessRun[][] = commands.map(() => []);
  for (let i = 0; i < runs; i++) commands.forEach((c, k) => out[k].push(runProcess(c.cmd, c.args, c.env)));
  return out;
}

const medianMs = (runs: ProcessRun[]): number => median(runs.map((r) => r.ms));

async function startup(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'doql-bench-'));
  const env = { ...process.env, DOQL_HOME: home, DOQL_TIMINGS: '1' };
  const [nodeRuns, doqlRuns] = alternateRuns(
    [
      { cmd: process.execPath, args: ['-e', '0'], env },
      { cmd: process.execPath, args: [doqlBin, '-o', 'json', 'SHOW SERVICES IN digitalocean'], env },
    ],
    11,
  );
  rmSync(home, { recursive: true, force: true });
  const [node, doql] = [medianMs(nodeRuns), medianMs(doqlRuns)];
  const ratio = doql / node;
  line('cold SHOW SERVICES vs node -e 0', `${doql.toFixed(0)} ms / ${node.toFixed(0)} ms = ${ratio.toFixed(2)}x`, '≤ 2x', ratio <= 2, 16);
  process.stdout.write(`      where it goes: ${whereTimeGoes(doqlRuns)}\n`);
}

function sessionFor(url: string, token: string, cacheTtlMs = 0, concurrency?: number) {
  const catalog = loadCatalog();
  const client = createApiClient({ baseUrl: url, token, concurrency });
  return { session: createSession({ catalog, api: () => client, cacheTtlMs }), client };
}

/** The warm fan-out statement's time at each concurrency: median of 5 runs in one session (connections already open). */
async function warmFanOut(
  sb: { url: string; token: string; resetCounts(): unknown; requests(): { total: number } | Promise<{ total: number }> },
  concurrency: number,
  /** Timed after each of doql's runs, so that both meet the same moment of a shared machine. */
  alongside?: () => Promise<unknown>,
) {
  const sql =
    'SELECT c.name, b.created_at, b.size_gigabytes FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id';
  const { session, client } = sessionFor(sb.url, sb.token, 0, concurrency);
  try {
    await session.execute(sql); // warm connections
    await alongside?.();
    // The median of several runs: one run on a shared 2-core machine says more about the machine than doql.
    const times: number[] = [];
    const others: number[] = [];
    let rows = 0;
    let requests = 0;
    for (let i = 0; i < 5; i++) {
      await sb.resetCounts();
      const t = performance.now();
      const [r] = await session.execute(sql);
      times.push(performance.now() - t);
      rows = r.rows.length;
      requests = (await sb.requests()).total;
      if (alongside) {
        const t2 = performance.now();
        await alongside();
        others.push(performance.now() - t2);
      }
    }
    return { ms: median(times), rows, requests, alongsideMs: alongside ? median(others) : undefined };
  } finally {
    session.close();
    await client.close();
  }
}

/** The warm fan-out as src/bench/fetch-script.ts makes it: clusters, then every cluster's backups at once. */
async function fetchFanOut(url: string, token: string): Promise<number> {
  const headers = { authorization: `Bearer ${token}` };
  const get = async (path: string): Promise<Record<string, unknown>> => (await (await fetch(`${url}${path}`, { headers })).json()) as Record<string, unknown>;
  const clusters = ((await get('/v2/databases')).databases ?? []) as { id: string }[];
  const backups = await Promise.all(clusters.map((c) => get(`/v2/databases/${c.id}/backups`)));
  return backups.reduce((n, b) => n + ((b.backups as unknown[] | undefined)?.length ?? 0), 0);
}

async function fanOut(): Promise<void> {
  // The sandbox answers from a process of its own, as DigitalOcean's API does: run in this process it spent
  // ~20 ms of each statement's CPU on this one thread (answering the 101 requests, most of it in the tail just
  // after the latency ends, when doql reads the responses), and that was counted as doql's. The API's work
  // never runs on a user's thread. Same data as before (seed 7, 100 clusters), same 50 ms latency, plain HTTP.
  const sb = await standaloneSandbox(['--seed', '7', '--count', 'databases.clusters=100', '--latency', String(LATENCY)]);
  try {
    // With --concurrency 100 every cluster's backups go at once: 2 dependent levels (clusters, then backups).
    // With a cap of 64 the 100 backups calls need two waves: 3 levels.
    let doqlMs = 0;
    for (const [concurrency, levels] of [
      [100, 2],
      [64, 3],
    ] as const) {
      // At 100, the same requests as a hand-written script makes them (fetch + Promise.all, no cap), in this
      // warm process too: what the machine and the sandbox allow, the floor doql is read against.
      const { ms, rows, requests, alongsideMs } = await warmFanOut(sb, concurrency, concurrency === 100 ? () => fetchFanOut(sb.url, sb.token) : undefined);
      if (concurrency === 100) doqlMs = ms;
      const lower = levels * LATENCY;
      if (alongsideMs !== undefined) {
        // Read against the script, not against the bare latency floor (2 × 50 ms): the sandbox answers the 100
        // backups requests one after another once their latency ends, so plain fetch itself takes ~1.5x the floor
        // on a 2-core machine. Not one of issue 16's targets (those are the cold lines); the line it had, ≤ 1.5x
        // the floor, is printed beside it.
        const ratio = ms / alongsideMs;
        line(
          `fan-out: 100 clusters → backups, concurrency ${concurrency}`,
          `${ms.toFixed(0)} ms / plain fetch ${alongsideMs.toFixed(0)} ms = ${ratio.toFixed(2)}x (median of 5), ${rows} rows, ${requests} requests`,
          '≤ 1.15x the script',
          ratio <= 1.15,
        );
        process.stdout.write(`      against the latency floor: ${(ms / lower).toFixed(2)}x ${lower} ms (${levels} levels; was a target of ≤ 1.5x)\n`);
      } else {
        process.stdout.write(`      at --concurrency ${concurrency} (${levels} levels, the default before this session): ${ms.toFixed(0)} ms (median of 5), ${rows} rows, ${requests} requests\n`);
      }
    }
    // As earlier sessions measured it, for comparison only: the sandbox in this process, sharing doql's thread.
    const inProcess = await createSandbox({ seed: 7, count: { 'databases.clusters': 100 }, latencyMs: LATENCY, rateLimit: false });
    try {
      const at = async (c: number) => (await warmFanOut(inProcess, c)).ms.toFixed(0);
      process.stdout.write(`      with the sandbox in this process (as measured before): concurrency 100 ${await at(100)} ms, 64 ${await at(64)} ms\n`);
    } finally {
      await inProcess.close();
    }

    // The same report as a user writes it with the official client: list clusters, then backups one by one.
    // Imported by a computed name: the package ships .ts sources that our compiler settings reject.
    const dotsName = '@digitalocean/dots';
    const kiotaName = '@microsoft/kiota-http-fetchlibrary';
    const dots = (await import(dotsName)) as DotsModule;
    const kiota = (await import(kiotaName)) as Pick<DotsModule, 'FetchRequestAdapter'>;
    const adapter = new kiota.FetchRequestAdapter(new dots.DigitalOceanApiKeyAuthenticationProvider(sb.token));
    adapter.baseUrl = sb.url;
    const client2 = dots.createDigitalOceanClient(adapter);
    const t2 = performance.now();
    let rows = 0;
    const list = await client2.v2.databases.get();
    for (const c of (list as { databases?: { id?: string }[] })?.databases ?? []) {
      const b = await client2.v2.databases.byDatabase_cluster_uuid(c.id!).backups.get();
      rows += (b as { backups?: unknown[] })?.backups?.length ?? 0;
    }
    const dotsMs = performance.now() - t2;
    line('fan-out: same report with @digitalocean/dots', `${dotsMs.toFixed(0)} ms, ${rows} rows`, 'doql faster', dotsMs > doqlMs);
    process.stdout.write(`      doql speed-up over the dots loop: ${(dotsMs / doqlMs).toFixed(1)}x\n`);
  } finally {
    await sb.close();
  }
}

interface Standalone {
  url: string;
  token: string;
  /** With --tls: the certificate file the sandbox wrote. */
  certFile?: string;
  requests(): Promise<{ total: number }>;
  connections(): Promise<{ opened: number; used: number; requestsByHttpVersion: Record<string, number> }>;
  resetCounts(): Promise<void>;
  close(): Promise<void>;
}

/** `doql sandbox` in its own process: the simulator's CPU then does not share doql's thread, as with the real API. */
async function standaloneSandbox(args: string[]): Promise<Standalone> {
  const home = mkdtempSync(join(tmpdir(), 'doql-bench-'));
  const certFile = args.includes('--tls') ? join(home, 'sandbox-ca.pem') : undefined;
  if (certFile) args = [...args, '--cert-out', certFile];
  const { url, stop } = await startSandboxProcess(doqlBin, ['--rate-limit', '1000000', ...args], { env: { ...process.env, DOQL_HOME: home } });
  // The admin endpoints are read over a connection of their own that trusts the sandbox's certificate; not kept
  // alive (pipelining 0), since the timed runs block this process for longer than a keep-alive lasts.
  const { Agent, request } = await import('undici');
  const dispatcher = new Agent({ pipelining: 0, connect: certFile ? { ca: readFileSync(certFile, 'utf8') } : undefined });
  const admin = async <T>(path: string, method = 'GET'): Promise<T> => (await (await request(`${url}${path}`, { method, dispatcher })).body.json()) as T;
  return {
    url,
    token: 'doql-sandbox',
    certFile,
    requests: () => admin('/_sandbox/requests'),
    connections: () => admin('/_sandbox/connections'),
    resetCounts: async () => {
      await admin('/_sandbox/reset-counts', 'POST');
    },
    close: async () => {
      await dispatcher.close();
      await stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function droplets10k(): Promise<void> {
  const sb = await standaloneSandbox(['--seed', '3', '--count', 'compute.droplets=10000', '--latency', String(LATENCY)]);
  try {
    const { session, client } = sessionFor(sb.url, sb.token);
    await session.execute('SELECT count(*) FROM digitalocean.compute.droplets'); // warm connections
    await sb.resetCounts();
    const t = performance.now();
    const [r] = await session.execute('SELECT count(*) AS n FROM digitalocean.compute.droplets');
    const ms = performance.now() - t;
    const reqs = (await sb.requests()).total;
    // The ideal client: page 1, then pages 2..50 at once with plain fetch + JSON.parse. The simulator serves
    // on one core, so its CPU for 49 pages (~5 ms each) adds to any client's wall time: that is the floor.
    const auth = { headers: { authorization: `Bearer ${sb.token}` } };
    const ti = performance.now();
    const first = (await (await fetch(`${sb.url}/v2/droplets?per_page=200&page=1`, auth)).json()) as { meta: { total: number } };
    const pages = Math.ceil(first.meta.total / 200);
    await Promise.all(
      Array.from({ length: pages - 1 }, (_, i) => fetch(`${sb.url}/v2/droplets?per_page=200&page=${i + 2}`, auth).then((res) => res.json())),
    );
    const ideal = performance.now() - ti;
    const floor = ideal - 2 * LATENCY;
    line('10,000 droplets: wall time', `${ms.toFixed(0)} ms (${String(r.rows[0][0])} rows)`, `≤ 3 RTT + simulator floor = ${(3 * LATENCY + floor).toFixed(0)} ms`, ms <= 3 * LATENCY + floor);
    process.stdout.write(`      ideal fetch script: ${ideal.toFixed(0)} ms (simulator floor ${floor.toFixed(0)} ms); doql / ideal = ${(ms / ideal).toFixed(2)}x\n`);
    line('10,000 droplets: requests', `${reqs}`, '= 50', reqs === 50);
    // Sequential paging, as a loop following links.pages.next does it.
    const t2 = performance.now();
    let url: string | undefined = `${sb.url}/v2/droplets?per_page=200`;
    let n = 0;
    while (url) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${sb.token}` } });
      const body = (await res.json()) as { droplets: unknown[]; links?: { pages?: { next?: string } } };
      n += body.droplets.length;
      url = body.links?.pages?.next;
    }
    const seqMs = performance.now() - t2;
    line('10,000 droplets: sequential paging', `${seqMs.toFixed(0)} ms (${n} rows)`, 'slower than doql', seqMs > ms);
    process.stdout.write(`      doql speed-up over sequential paging: ${(seqMs / ms).toFixed(1)}x\n`);
    session.close();
    await client.close();
  } finally {
    await sb.close();
  }
}

async function localSql(): Promise<void> {
  const sb = await standaloneSandbox(['--seed', '5', '--count', 'compute.droplets=100000']);
  try {
    const { session, client } = sessionFor(sb.url, sb.token, 600_000);
    await session.execute('SELECT count(*) FROM digitalocean.compute.droplets'); // fills the cache
    const before = (await sb.requests()).total;
    const gc = await watchGc();
    const cpu = process.cpuUsage();
    const t = performance.now();
    const sql = "SELECT region ->> '$.slug' AS region, status, count(*) AS n, sum(memory) AS mem FROM digitalocean.compute.droplets GROUP BY 1, 2 ORDER BY n DESC";
    // Why the first run swings (measured 2 Dec, 14 traced runs, conversion timed inside rows()): no GC ran within it
    // (--trace-gc) and page faults were ~600 in every run. Converting plus ordering by group was steady at 28-38 ms;
    // the rest of the swing was the same machine noise that moves the repeat (75-136 ms in one locked session).
    // The one cause in our code's reach: after a compacting major GC (the count(*) that fills the cache grows the heap
    // to ~350 MB, so one often runs just before; a forced gc() reproduces it every time) the 100,000 items sit
    // scattered, conversion took 34-97 ms, and GC threads sweeping beside it pushed CPU above wall time. Neither
    // --no-flush-bytecode nor --no-concurrent-recompilation changed it. Nothing cheap removes it: the items must be read.
    const [r] = await session.execute(sql);
    const end = performance.now();
    const used = process.cpuUsage(cpu);
    const ms = end - t;
    const gcMs = await gc.within(t, end);
    const cached = (await sb.requests()).total === before;
    line('GROUP BY over 100,000 cached rows', `${ms.toFixed(0)} ms (${r.rows.length} groups${cached ? '' : ', NOT from cache'})`, '≤ 150 ms', ms <= 150 && cached, 16);
    // Where it goes. The columns are converted (rows.ts), and, on the native path (engine/native-rows.ts), encoded
    // and the rows' order by group computed, once per fetch, so a repeat of the statement is the rows crossing the
    // virtual table with three columns each and SQLite grouping them; count(*) is the rows crossing alone, and a
    // scan reading the same three columns without grouping is the crossing with its columns. Medians of 3, alternating.
    const scanSql = "SELECT count(region ->> '$.slug'), count(status), sum(memory) FROM digitalocean.compute.droplets";
    const countSql = 'SELECT count(*) FROM digitalocean.compute.droplets';
    const [again, scan, count] = await alternateStatements(session, [sql, scanSql, countSql], 3);
    const floor = await sqliteAlone(session);
    const fallback = nativeRowsFallback();
    const path = fallback
      ? `better-sqlite3's JavaScript virtual table (${fallback}): one JS call per row and per value; SQLite sorts the rows to group them`
      : 'the native virtual table: one batch per scan, rows already grouped, so SQLite runs no sorter';
    process.stdout.write(
      `      where it goes (rows cross through ${path}):\n` +
        `        the first run used ${((used.user + used.system) / 1000).toFixed(0)} ms of CPU (every thread: JIT and GC work beside it count), ` +
        `of which GC pauses V8 reported ${gcMs.toFixed(0)} ms (not its incremental marking steps);\n` +
        `        converting region/status/memory${fallback ? '' : ', encoding them'} and ordering the rows by group (the first run less a repeat) ${(ms - again).toFixed(0)} ms; a repeat ${again.toFixed(0)} ms =\n` +
        `        100,000 rows crossing into SQLite (count(*)) ${count.toFixed(0)} ms + their three columns ${(scan - count).toFixed(0)} ms ` +
        `+ SQLite grouping${fallback ? ' and sorting' : ''} (the rest) ${(again - scan).toFixed(0)} ms\n` +
        `      SQLite alone, the same GROUP BY over a real table of the same 100,000 rows: ${floor.toFixed(0)} ms\n`,
    );
    session.close();
    await client.close();
  } finally {
    await sb.close();
  }
}

/** Garbage collections as they happen; within() sums the time they took between two moments (performance.now()). */
async function watchGc(): Promise<{ within: (start: number, end: number) => Promise<number> }> {
  const { PerformanceObserver } = await import('node:perf_hooks');
  const seen: { startTime: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => seen.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    within: async (start, end) => {
      // Entries are delivered after the synchronous work that caused them.
      await new Promise((resolve) => setTimeout(resolve, 10));
      observer.disconnect();
      return seen.filter((e) => e.startTime >= start && e.startTime < end).reduce((sum, e) => sum + e.duration, 0);
    },
  };
}

/** Median ms of each statement, run `runs` times in turn. */
async function alternateStatements(session: ReturnType<typeof sessionFor>['session'], sqls: string[], runs: number): Promise<number[]> {
  const times = sqls.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, s] of sqls.entries()) {
      const t = performance.now();
      await session.execute(s);
      times[j].push(performance.now() - t);
    }
  }
  return times.map(median);
}

/**
 * The floor: the statement's GROUP BY run by SQLite alone over a real table holding the same values (read through
 * doql once), no virtual table and no JavaScript per row. Median of 3.
 */
async function sqliteAlone(session: ReturnType<typeof sessionFor>['session']): Promise<number> {
  const { default: Database } = await import('better-sqlite3');
  const [rows] = await session.execute("SELECT region ->> '$.slug' AS region, status, memory FROM digitalocean.compute.droplets");
  const db = new Database(':memory:');
  try {
    db.defaultSafeIntegers(true);
    db.exec('CREATE TABLE droplets(region, status, memory)');
    const insert = db.prepare('INSERT INTO droplets VALUES (?, ?, ?)');
    db.transaction(() => {
      for (const row of rows.rows) insert.run(row[0], row[1], typeof row[2] === 'number' ? BigInt(row[2]) : row[2]);
    })();
    const stmt = db.prepare('SELECT region, status, count(*) AS n, sum(memory) AS mem FROM droplets GROUP BY 1, 2 ORDER BY n DESC');
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      stmt.raw(true).all();
      times.push(performance.now() - t);
    }
    return median(times);
  } finally {
    db.close();
  }
}

async function peakRss(): Promise<void> {
  // A standalone sandbox in another process, so only doql's own memory is measured.
  const sb = await standaloneSandbox(['--count', 'compute.droplets=100000', '--seed', '9']);
  const home = mkdtempSync(join(tmpdir(), 'doql-bench-'));
  const peak = (sql: string) => {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, doqlBin, '--api-url', sb.url, '-o', 'json', sql], {
      env: { ...process.env, DOQL_HOME: home, DIGITALOCEAN_TOKEN: sb.token },
      maxBuffer: 1 << 30,
    });
    return { mb: Number(r.stderr.toString().trim().split('\n').pop()) / 1024, out: r.stdout.toString() };
  };
  try {
    const { mb, out } = peak('SELECT count(*) AS n FROM digitalocean.compute.droplets');
    line('peak RSS listing 100,000 droplets', `${mb.toFixed(0)} MB (${out.replace(/\s+/g, '')})`, '≤ 250 MB', mb <= 250, 16);
    // A listing that prints rows: each page keeps only the columns read (the printed rows add their own size).
    const rows = peak("SELECT id, name, status, region ->> '$.slug' AS region FROM digitalocean.compute.droplets");
    process.stdout.write(`      peak RSS printing id, name, status, region of 100,000 droplets: ${rows.mb.toFixed(0)} MB\n`);
  } finally {
    await sb.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Cold, whole processes, as users meet doql: each run is a new `doql` process against a sandbox in another
 * process, beside the hand-written fetch script (fetch-script.ts) doing the same work, alternating, medians.
 * doql runs with DOQL_TIMINGS=1, so each line also says where its cold time goes (src/timings.ts's marks).
 */
async function cold(): Promise<void> {
  const script = join(root, 'dist', 'bench', 'fetch-script.js');
  const home = mkdtempSync(join(tmpdir(), 'doql-bench-'));
  const counts = ['--count', 'databases.clusters=100', '--count', 'compute.droplets=10000'];
  // Runs per line: all of one sandbox's lines together stay under its 5,000 requests an hour (4,132 at jitter 0).
  const runs = 9;
  for (const jitter of [0, 200]) {
    const sb = await standaloneSandbox(['--seed', '11', ...counts, '--latency', String(LATENCY), '--jitter', String(jitter)]);
    try {
      const env = { ...process.env, DOQL_HOME: home, DIGITALOCEAN_TOKEN: sb.token, DOQL_TIMINGS: '1' };
      const doql = (sql: string) => ({ cmd: process.execPath, args: [doqlBin, '--api-url', sb.url, '-o', 'json', sql], env });
      const plain = (mode: string) => ({ cmd: process.execPath, args: [script, mode, sb.url], env });
      const work = [
        { name: 'fan-out: 100 clusters → backups', mode: 'fanout', sql: 'SELECT c.name, b.created_at, b.size_gigabytes FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id' },
        { name: 'count of 10,000 droplets', mode: 'count', sql: 'SELECT count(*) AS n FROM digitalocean.compute.droplets' },
      ];
      for (const w of jitter ? work.slice(1) : work) {
        const [doqlRuns, scriptRuns] = alternateRuns([doql(w.sql), plain(w.mode)], runs);
        const [d, p] = [medianMs(doqlRuns), medianMs(scriptRuns)];
        const ratio = d / p;
        const target = jitter ? 1.2 : 1.15;
        line(`cold ${w.name}${jitter ? `, jitter ${jitter} ms` : ''}`, `${d.toFixed(0)} ms / script ${p.toFixed(0)} ms = ${ratio.toFixed(2)}x`, `≤ ${target}x the script`, ratio <= target, 16);
        process.stdout.write(`      where doql's time goes: ${whereTimeGoes(doqlRuns)}\n`);
        if (w.mode === 'fanout') {
          // The script sends all 100 backups requests at once, as doql's default cap of 100 does; the old default of
          // 64 needed a second wave of them, shown for comparison.
          const narrow = { ...doql(w.sql), args: [doqlBin, '--concurrency', '64', ...doql(w.sql).args.slice(1)] };
          const [narrowRuns, againRuns] = alternateRuns([narrow, plain(w.mode)], 7);
          const [dn, pn] = [medianMs(narrowRuns), medianMs(againRuns)];
          process.stdout.write(`      with --concurrency 64 (a second wave of backups): ${dn.toFixed(0)} ms / script ${pn.toFixed(0)} ms = ${(dn / pn).toFixed(2)}x\n`);
        }
      }
    } finally {
      await sb.close();
    }
  }
  rmSync(home, { recursive: true, force: true });
}

/**
 * The cold fan-out over TLS, as against the real API: doql (HTTP/2 where offered, --ca trusting the sandbox's
 * self-signed certificate) beside the fetch script (Node's fetch: HTTP/1.1 keep-alive, a connection per
 * request in flight), both whole processes against one `doql sandbox --tls`, alternating; medians, and the
 * connections each opened as the sandbox counted them.
 */
async function tlsFanOut(): Promise<void> {
  const script = join(root, 'dist', 'bench', 'fetch-script.js');
  const home = mkdtempSync(join(tmpdir(), 'doql-bench-'));
  const sb = await standaloneSandbox(['--tls', '--seed', '11', '--count', 'databases.clusters=100', '--latency', String(LATENCY)]);
  try {
    const certFile = sb.certFile!;
    const env = { ...process.env, DOQL_HOME: home, DIGITALOCEAN_TOKEN: sb.token };
    const sql = 'SELECT c.name, b.created_at, b.size_gigabytes FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id';
    const runs = [
      { cmd: process.execPath, args: [doqlBin, '--api-url', sb.url, '--ca', certFile, '-o', 'json', sql], env, ms: [] as number[], used: [] as number[], h2: [] as number[] },
      { cmd: process.execPath, args: [script, 'fanout', sb.url], env: { ...env, NODE_EXTRA_CA_CERTS: certFile }, ms: [] as number[], used: [] as number[], h2: [] as number[] },
    ];
    for (let i = 0; i < 7; i++) {
      for (const r of runs) {
        await sb.resetCounts();
        r.ms.push(timeCommand(r.cmd, r.args, r.env));
        const c = await sb.connections();
        r.used.push(c.used);
        r.h2.push(c.requestsByHttpVersion['2.0'] ?? 0);
      }
    }
    const [d, p] = runs;
    const ratio = median(d.ms) / median(p.ms);
    line(
      'cold fan-out over TLS: doql h2 vs script h1',
      `${median(d.ms).toFixed(0)} ms / ${median(p.ms).toFixed(0)} ms = ${ratio.toFixed(2)}x`,
      '≤ 1.15x the script',
      ratio <= 1.15,
      16,
    );
    line('cold fan-out over TLS: doql connections', `${median(d.used)} (script: ${median(p.used)}); ${median(d.h2)} of 101 requests h2`, '≤ 2', median(d.used) <= 2, 16);
  } finally {
    await sb.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * `doql sync` of 10,000 droplets into each destination against listing them (the same SELECT, rows kept in memory):
 * what writing a snapshot adds to fetching it.
 */
async function syncBench(): Promise<void> {
  const sb = await standaloneSandbox(['--seed', '3', '--count', 'compute.droplets=10000', '--latency', String(LATENCY)]);
  const pgServer = postgresMissing() ? undefined : await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'doql-bench-sync-'));
  try {
    const { session, client } = sessionFor(sb.url, sb.token);
    await session.execute('SELECT count(*) FROM digitalocean.compute.droplets'); // warm connections
    const lists: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await session.execute('SELECT * FROM digitalocean.compute.droplets');
      lists.push(performance.now() - t);
    }
    const list = median(lists);
    process.stdout.write(`      listing 10,000 droplets (all columns): ${list.toFixed(0)} ms\n`);
    const destinations: [string, string | undefined][] = [
      ['SQLite file', join(dir, 'history.db')],
      ['PostgreSQL 15', pgServer?.url],
    ];
    for (const [name, to] of destinations) {
      if (!to) {
        process.stdout.write(`skip  sync of 10,000 droplets to ${name}: ${postgresMissing()}\n`);
        continue;
      }
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < 3; i++) {
        const dest = await openDestination(to);
        const t = performance.now();
        const r = await runSync(session, dest, { patterns: ['compute.droplets'], mode: 'append', context: 'bench', log: () => {} });
        times.push(performance.now() - t);
        await dest.close();
        if (r.failed.length) throw new Error(`sync failed: ${r.failed[0].message}`);
        rows = r.rows;
      }
      const ms = median(times);
      const ratio = ms / list;
      line(`sync of 10,000 droplets to ${name}`, `${ms.toFixed(0)} ms (${rows} rows) = ${ratio.toFixed(2)}x listing`, '≤ 1.5x listing', ratio <= 1.5);
    }
    session.close();
    await client.close();
  } finally {
    await pgServer?.stop();
    rmSync(dir, { recursive: true, force: true });
    await sb.close();
  }
}

/** RSS of a process and its children (a `doql serve` and its session processes), in MB. */
function treeRssMb(pid: number): number {
  const r = spawnSync('ps', ['-o', 'rss=', '--pid', String(pid), '--ppid', String(pid)]);
  return r.stdout.toString().split('\n').filter(Boolean).reduce((sum, kb) => sum + Number(kb), 0) / 1024;
}

/**
 * Reads one simple query's answer off a raw socket, dropping the bytes, a little slowly (a pause per 4 MB), so
 * that the server has to wait for the client. Resolves with the bytes read once ReadyForQuery follows it.
 */
function readQueryAnswer(socket: import('node:net').Socket, sql: string, send: (sql: string) => Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    let pending: Buffer = Buffer.alloc(0);
    let total = 0;
    let sincePause = 0;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      sincePause += chunk.length;
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      // Walk whole messages (type byte, int32 length); keep a partial one for the next chunk.
      let at = 0;
      while (pending.length - at >= 5) {
        const length = pending.readInt32BE(at + 1);
        if (pending.length - at < 1 + length) break;
        const type = pending[at];
        at += 1 + length;
        if (type === 0x45) return finish(new Error(`the query failed: ${pending.toString('utf8', at - length + 4, at)}`));
        if (type === 0x5a) return finish();
      }
      pending = pending.subarray(at);
      if (sincePause >= 4 << 20) {
        sincePause = 0;
        socket.pause();
        setTimeout(() => socket.resume(), 20);
      }
    };
    const finish = (err?: Error): void => {
      socket.off('data', onData);
      if (err) reject(err);
      else resolve(total);
    };
    socket.on('data', onData);
    socket.write(send(sql));
  });
}

async function serveRss(): Promise<void> {
  const net = await import('node:net');
  const { serialize } = await import('pg-protocol');
  const home = mkdtempSync(join(tmpdir(), 'doql-bench-'));
  const { port, child: server } = await startServe(doqlBin, home).catch((err: unknown) => {
    rmSync(home, { recursive: true, force: true });
    throw err;
  });
  try {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    // Startup, then wait for the first ReadyForQuery (the session is up).
    await readQueryAnswer(socket, '', () => serialize.startup({ user: 'bench', database: 'digitalocean' }));
    await readQueryAnswer(socket, 'SELECT 1', (sql) => serialize.query(sql));
    await new Promise((r) => setTimeout(r, 500));
    const idle = treeRssMb(server.pid as number);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, treeRssMb(server.pid as number))), 50);
    // 400,000 rows of ~1 kB of text: ~400 MB on the wire.
    const sql = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 400000) SELECT n, hex(zeroblob(500)) AS pad FROM r';
    const t = performance.now();
    const bytes = await readQueryAnswer(socket, sql, (q) => serialize.query(q));
    const ms = performance.now() - t;
    clearInterval(sampler);
    socket.end(serialize.end());
    const above = peak - idle;
    line(
      'serve: peak RSS above idle, 400 MB result',
      `${above.toFixed(0)} MB (idle ${idle.toFixed(0)} MB; ${(bytes / 1e6).toFixed(0)} MB in ${(ms / 1000).toFixed(1)} s)`,
      '< 300 MB',
      above < 300,
    );
  } finally {
    server.kill('SIGTERM');
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * `doql serve`'s session processes as users meet them (issue 16): every connection that finds no idle process, and
 * every replacement after a cancel, timeout or crash, waits for one to start, on cores that running statements want.
 * A start is measured against a bare forked node (Node's start and the IPC channel, no doql code), alternating.
 */
async function serveStart(): Promise<void> {
  const entry = join(root, 'dist', 'cli', 'session-entry.js');
  const modules = join(root, 'dist', 'cli', 'serve-child.js');
  const [bare, bundled, compiled] = await sessionStarts([entry, modules], 11);
  const cpu = (runs: StartRun[]): number | undefined => (runs.every((r) => r.cpuMs !== undefined) ? median(runs.map((r) => r.cpuMs!)) : undefined);
  const wall = (runs: StartRun[]): number => median(runs.map((r) => r.wallMs));
  const [bareCpu, cpuMs] = [cpu(bare), cpu(bundled)];
  const shown = (runs: StartRun[]): string => `${cpu(runs)?.toFixed(0) ?? '?'} ms CPU (${wall(runs).toFixed(0)} wall)`;
  if (bareCpu !== undefined && cpuMs !== undefined) {
    const ratio = cpuMs / bareCpu;
    line('serve: session process ready vs bare fork', `${shown(bundled)} / ${shown(bare)} = ${ratio.toFixed(2)}x`, '≤ 2x (CPU)', ratio <= 2);
  } else {
    const ratio = wall(bundled) / wall(bare);
    line('serve: session process ready vs bare fork', `${wall(bundled).toFixed(0)} ms / ${wall(bare).toFixed(0)} ms wall = ${ratio.toFixed(2)}x`, '≤ 2x (wall; no CPU figure here)', ratio <= 2);
  }
  process.stdout.write(`      from the compiled modules (no bundle, or a stale one): ${shown(compiled)}\n`);
  const c = await connectionRuns(doqlBin, 7, 4);
  const first = median(c.spareReady);
  line('serve: new connection, first query', `${first.toFixed(0)} ms (median of ${c.spareReady.length}, a process idle)`, '≤ 50 ms', first <= 50);
  process.stdout.write(
    `      ${c.burstSize} new connections at once to a fresh server, a catalog query first: ${median(c.catalogBurst).toFixed(0)} ms (each process started for them opens the pg_catalog emulation kept under DOQL_HOME); ${median(c.catalogBurstBuilding).toFixed(0)} ms when each builds its own (DOQL_PG_CATALOG_CACHE=off, ~250 ms CPU), runs alternating\n`,
  );
}

const BENCHES: Record<string, () => Promise<void>> = { startup, cold, tls: tlsFanOut, fanout: fanOut, droplets: droplets10k, local: localSql, rss: peakRss, serve: serveRss, 'serve-start': serveStart, sync: syncBench };

/** `npm run bench` runs them all; `npm run bench -- local rss serve` runs the named ones. */
async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(w in BENCHES));
  if (unknown.length) throw new Error(`unknown bench ${unknown.join(', ')}; the benches: ${Object.keys(BENCHES).join(', ')}`);
  process.stdout.write(`doql bench (sandbox latency ${LATENCY} ms where it applies)\n`);
  for (const [name, run] of Object.entries(BENCHES)) if (!wanted.length || wanted.includes(name)) await run();
  // Each issue's targets together, from this one run.
  for (const issue of [...new Set(tracked.map((t) => t.issue))]) {
    const mine = tracked.filter((t) => t.issue === issue);
    process.stdout.write(`\nissue ${issue}: ${mine.filter((t) => t.ok).length} of ${mine.length} targets met in this run\n${mine.map((t) => `${t.text}\n`).join('')}`);
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
