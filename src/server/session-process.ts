// Runs the wire server's statements in a small pool of session processes, so that one client's statement never
// stalls the others, and cancel and statement_timeout can stop it whatever it is doing.
//
// Why processes and not worker threads: a worker's terminate() only takes effect when the thread returns to
// JavaScript, and SQLite running `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) SELECT count(*)
// FROM r` never does (measured with better-sqlite3 12.11: terminate() still pending after 3 s, the thread
// spinning on; better-sqlite3 exposes no sqlite3_interrupt or progress handler). Killing a process always works.
//
// Why a pool and not a process per connection: a process costs ~70 MB and ~110 ms of CPU to start (from its bundle,
// cli/session-entry.ts; ~200 ms without), and ~250 ms more for its first catalog query (pg_catalog emulation); one per
// connection made 50 clients connecting at once take 21 s instead of 3 s on a 2-core machine. A session's state
// between statements is only its SET values and its BEGIN block (its SQLite database holds nothing a later
// statement needs), so each statement takes whichever process is idle, with the state, and gives it back.
// Processes are started as statements need them (one kept idle ahead) and the extra ones stopped once idle.
//
// What stays here, in the server: every HTTP request (one API client, so one rate-limit budget and one
// connection pool for every connection) and the 60 s read cache that connections share. A session process asks
// for a resource's rows by message ('fetch') and gets them from the shared cache or one fetch; measured on
// this machine, copying 100,000 rows of 1 kB between processes takes ~0.7 s, against ~1.2 s for SQLite to
// produce them, and a DigitalOcean page of 200 takes 100–300 ms; and a mutation on one connection then
// invalidates what the others read.
import { fork, type ChildProcess } from 'node:child_process';
import { DoqlError } from '../errors.js';
import type { CellValue, ExecuteOptions, ResultColumn, RowStream, Session, StatementResult } from '../engine/types.js';
import { parseDurationMs } from '../engine/session-settings.js';
import type { FromChild, SessionState, ToChild } from './session-messages.js';
import type { ConnectionBackend } from './cancel-registry.js';
import type { SignalKind } from '../engine/backend.js';
import { errorData, errorFromData } from './session-messages.js';
import { VERBOSE_CATALOG_ENV } from '../engine/pg-catalog-file.js';

export interface SessionHostOptions {
  /** The module a session process runs (its entry calls runSessionChild). */
  childModule: string;
  /** Handed to the module's makeSession: must survive structured clone. */
  config: unknown;
  /** Environment variables a session process must not see (the wire password's), beside the API token's. */
  hideEnv?: string[];
  /** Settings every session starts with (statement_timeout from `--statement-timeout`); the config carries them too. */
  settings: Record<string, string>;
  /** Does what a session process asks of the server; `signal` is that session's running statement's. */
  handle(op: string, args: unknown[], signal: AbortSignal): Promise<unknown>;
  log(line: string): void;
  /**
   * Keep a process ready ahead of the next statement (default); false: only one whenever there is none (the
   * command line runs one statement at a time, and a second process would cost it CPU for nothing).
   */
  keepSpare?: boolean;
  /** Log how the first process was loaded and how long it took to be ready (`doql serve --verbose`). */
  verbose?: boolean;
}

/** Where the API token may be found in the environment (api/auth.ts). */
const TOKEN_VARIABLES = new Set(['DIGITALOCEAN_TOKEN', 'DIGITALOCEAN_ACCESS_TOKEN']);

/** After a cancel, how long a statement gets to stop by itself before its process is killed. */
const CANCEL_GRACE_MS = 250;

/** Processes kept idle at most (the rest are stopped); one is always kept ready for the next statement. */
const MAX_IDLE = 4;
/**
 * Statements running at once; more wait for a process. Starting a process per concurrent statement costs more
 * CPU than the statements themselves when many clients arrive together (50 at once: 12 s without a cap, on 2
 * cores), and a machine runs only so many CPU-bound statements at a time anyway.
 */
const MAX_BUSY = 8;

export class SessionHost {
  private readonly idle: SessionProcess[] = [];
  private readonly busy = new Set<SessionProcess>();
  /** Processes started and not yet ready. */
  private starting = 0;
  /** Statements waiting for a process, first come first served. */
  private readonly waiting: { give: (proc: SessionProcess) => void; fail: (err: Error) => void }[] = [];
  private closed = false;
  /** Every process not yet exited, starting ones too: close() kills them all. */
  private readonly started = new Set<SessionProcess>();

  constructor(readonly options: SessionHostOptions) {}

  /**
   * Starts the first process and waits until it is ready, so that the first client does not wait for one and
   * a session process that cannot start fails `doql serve` at once.
   * @throws DoqlError `internal` when it cannot start.
   */
  async start(): Promise<void> {
    const started = performance.now();
    const first = this.startOne();
    await first.ready;
    if (this.options.verbose) {
      const { from, codeCache } = first.loaded ?? { from: 'an unknown module', codeCache: 'none' };
      const how = `from ${from}${codeCache === 'none' ? '' : `, its code cache ${codeCache}`}`;
      this.options.log(`session processes start ${how}; the first was ready in ${Math.round(performance.now() - started)} ms`);
    }
  }

  /** `backend`: the wire connection the session serves (absent on the command line). */
  newSession(backend?: ConnectionBackend): RemoteSession {
    if (this.closed) throw new DoqlError('internal', 'the server is shutting down');
    return new RemoteSession(this, backend);
  }

  /**
   * A process for one statement: an idle one, else the first to be freed or started (one is started when fewer
   * than MAX_BUSY run: a freed one is often sooner than a new one). Give it back with release() or discard().
   * @throws DoqlError `cancelled` when `signal` fires while it waits.
   */
  async acquire(signal?: AbortSignal): Promise<SessionProcess> {
    if (this.closed) throw new DoqlError('internal', 'the server is shutting down');
    let proc = this.idle.shift();
    while (proc?.exited) proc = this.idle.shift();
    if (proc) {
      this.busy.add(proc);
      this.keepOneAhead();
      return proc;
    }
    return new Promise<SessionProcess>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(new DoqlError('cancelled', 'canceling statement due to user request', { sqlState: '57014' }));
      };
      const waiter = {
        give: (given: SessionProcess): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(given);
        },
        fail: (err: Error): void => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      if (this.busy.size + this.starting < MAX_BUSY) this.startOne();
    });
  }

  release(proc: SessionProcess): void {
    this.busy.delete(proc);
    if (proc.exited) this.startForWaiting();
    else this.offer(proc);
  }

  /** Kills a process whose statement would not stop (or that died); a new one is started as needed. */
  discard(proc: SessionProcess): void {
    this.busy.delete(proc);
    proc.kill();
    this.startForWaiting();
    this.keepOneAhead();
  }

  /** A ready process goes to the first waiting statement, else to the idle ones (up to MAX_IDLE). */
  private offer(proc: SessionProcess): void {
    const next = this.waiting.shift();
    if (next) {
      this.busy.add(proc);
      next.give(proc);
    } else if (this.closed || this.idle.length >= MAX_IDLE) {
      proc.kill();
    } else {
      this.idle.push(proc);
    }
  }

  private startOne(): SessionProcess {
    const proc = new SessionProcess(this.options);
    this.started.add(proc);
    proc.child.once('exit', () => this.started.delete(proc));
    this.starting++;
    proc.ready.then(
      () => {
        this.starting--;
        this.offer(proc);
      },
      (err: Error) => {
        this.starting--;
        if (!this.closed) this.options.log(`a session process could not start: ${err.message}`);
        this.waiting.shift()?.fail(err);
      },
    );
    return proc;
  }

  private startForWaiting(): void {
    if (!this.closed && this.waiting.length > this.starting && this.busy.size + this.starting < MAX_BUSY) this.startOne();
  }

  /** One process idle or starting ahead, so that the next statement does not wait for a start. */
  private keepOneAhead(): void {
    const spare = this.options.keepSpare !== false || this.busy.size === 0;
    if (spare && !this.closed && this.idle.length === 0 && this.starting === 0 && this.busy.size < MAX_BUSY) this.startOne();
  }

  /** Kills every session process (what runs is abandoned: the server is stopping). */
  close(): void {
    this.closed = true;
    for (const proc of [...this.started]) proc.kill();
    this.idle.length = 0;
    this.busy.clear();
    for (const waiter of this.waiting.splice(0)) waiter.fail(new DoqlError('internal', 'the server is shutting down'));
  }
}

/** One child process and the messages it sends, delivered to the statement it runs. */
export class SessionProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  /** Messages of the statement running now ('result', 'rows', 'done', 'error'). */
  onStatementMessage?: (message: FromChild) => void;
  /** Set while a statement runs: the server-side work it asked for is aborted with it. */
  calls = new AbortController();
  exited = false;
  /** How its code was loaded, once it says (cli/session-entry.ts). */
  loaded?: Omit<Extract<FromChild, { t: 'loaded' }>, 't'>;
  onExit?: () => void;
  /** Set while a statement runs: its pg_cancel_backend / pg_terminate_backend calls. */
  onSignal?: (pid: number, how: SignalKind) => void;

  constructor(private readonly options: SessionHostOptions) {
    // 'advanced' serialization is structured clone: bigint cells and Buffers arrive as they were sent.
    // The API token stays in the server, which makes every request: a session process has no use for it (nor for
    // the wire password).
    const hidden = new Set([...TOKEN_VARIABLES, ...(options.hideEnv ?? [])]);
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !hidden.has(name)));
    // Under --verbose a process says where its emulated pg_catalog came from (built, or opened from the kept file).
    if (options.verbose) env[VERBOSE_CATALOG_ENV] = '1';
    this.child = fork(options.childModule, [], { env, serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let markReady: () => void = () => {};
    let markFailed: (err: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    this.ready.catch(() => {}); // awaited by acquire(); a spare that dies unused must not be unhandled
    this.child.on('message', (message: FromChild) => {
      if (message.t === 'ready') markReady();
      else if (message.t === 'loaded') this.loaded = { from: message.from, codeCache: message.codeCache };
      else if (message.t === 'call') void this.serve(message);
      else this.onStatementMessage?.(message);
    });
    this.child.on('exit', () => {
      this.exited = true;
      markFailed(new DoqlError('internal', 'the session process could not start'));
      this.onExit?.();
    });
    this.child.on('error', (err) => options.log(`session process: ${err.message}`));
    this.send({ t: 'init', config: options.config });
  }

  send(message: ToChild): void {
    if (!this.exited && this.child.connected) this.child.send(message);
  }

  private async serve(message: Extract<FromChild, { t: 'call' }>): Promise<void> {
    if (message.op === 'signal') {
      // The connection's own business, not the server's: the statement running here asks for it.
      this.onSignal?.(Number(message.args[0]), message.args[1] === 'terminate' ? 'terminate' : 'cancel');
      this.send({ t: 'reply', call: message.call, value: null });
      return;
    }
    try {
      const value = await this.options.handle(message.op, message.args, this.calls.signal);
      this.send({ t: 'reply', call: message.call, value });
    } catch (err) {
      this.send({ t: 'reply', call: message.call, error: errorData(err) });
    }
  }

  kill(): void {
    this.calls.abort();
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/** A statement's stream of rows, read from the session process a batch per request (that is the backpressure). */
class RemoteStream implements RowStream {
  private waiting?: (rows: CellValue[][] | null) => void;
  private failed?: (err: Error) => void;
  ended = false;
  private markEnded: () => void = () => {};
  /** Resolves once the process has no more rows to send (read to the end, closed, or failed). */
  readonly whenEnded = new Promise<void>((resolve) => (this.markEnded = resolve));

  constructor(
    private readonly proc: SessionProcess,
    private readonly id: number,
  ) {}

  deliver(rows: CellValue[][] | null): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    this.failed = undefined;
    if (rows === null) this.end();
    waiting?.(rows);
  }

  fail(err: Error): void {
    const failed = this.failed;
    this.waiting = undefined;
    this.failed = undefined;
    this.end();
    failed?.(err);
  }

  private fetch(): Promise<CellValue[][] | null> {
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
      this.proc.send({ t: 'more', id: this.id });
    });
  }

  /** The batch asked for while the last one was being sent (the process reads while the socket writes). */
  private ahead?: Promise<CellValue[][] | null>;

  async next(): Promise<CellValue[][] | undefined> {
    const pending = this.ahead ?? this.fetch();
    this.ahead = undefined;
    const rows = await pending;
    if (rows) {
      this.ahead = this.fetch();
      this.ahead.catch(() => {}); // a failure is seen by the next next()
    }
    return rows ?? undefined;
  }

  close(): void {
    if (this.ended) return;
    this.proc.send({ t: 'close', id: this.id });
    this.end();
    this.waiting?.(null);
  }

  private end(): void {
    this.ended = true;
    this.markEnded();
  }
}

/** A connection's Session: each statement runs in a process of the pool, with the session's state; see the top of this file. */
export class RemoteSession implements Session {
  private state: SessionState;
  private nextId = 1;
  /** Streams still being read (extended-protocol portals), each holding its process; closed with the session. */
  private readonly openStreams = new Set<RemoteStream>();
  /** One statement at a time; a later one waits for the one before. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** The process that holds this session's open cursors (their rows live there); others run anywhere. */
  private pinned?: SessionProcess;

  constructor(
    private readonly host: SessionHost,
    private readonly backend?: ConnectionBackend,
  ) {
    // The client's startup application_name is the session's, until SET (and again after RESET).
    const app = backend?.applicationName;
    this.state = { settings: {}, ...(app ? { startup: { application_name: app } } : {}) };
  }

  transactionStatus(): 'I' | 'T' | 'E' {
    const block = this.state.block;
    return block ? (block.failed ? 'E' : 'T') : 'I';
  }

  applicationName(): string {
    return this.state.settings.application_name ?? this.state.startup?.application_name ?? '';
  }

  /** The next statement's process takes the failed block with the state. */
  failBlock(): void {
    const block = this.state.block;
    if (block && !block.failed) this.state = { ...this.state, block: { ...block, failed: true } };
  }

  /** An open cursor's columns, as its process last reported them. */
  describeCursor(name: string): ResultColumn[] | undefined {
    return this.state.cursors?.[name];
  }

  /**
   * Runs every statement and returns their results. With `batchRows`, a result that streams keeps its stream
   * and the call returns at once (the extended protocol's one statement, read by Execute after Execute);
   * otherwise streams are read to the end here.
   */
  async execute(sql: string, options: ExecuteOptions = {}): Promise<StatementResult[]> {
    const results: StatementResult[] = [];
    let returned = false;
    let letNextRun: () => void = () => {};
    const streaming = new Promise<void>((resolve) => (letNextRun = resolve));
    return new Promise<StatementResult[]>((resolve, reject) => {
      this.enqueue(sql, options, async (result) => {
        if (result.stream && options.batchRows && !returned) {
          returned = true;
          results.push(result);
          resolve(results);
          // The caller reads the stream, in its own process: the session's next statement need not wait
          // (a streaming SELECT changes no session state).
          letNextRun();
          await (result.stream as RemoteStream).whenEnded;
          return;
        }
        if (result.stream && !returned) {
          const rows = [...result.rows];
          for (let batch = await result.stream.next(); batch; batch = await result.stream.next()) rows.push(...batch);
          results.push({ ...result, rows, stream: undefined, command: recount(result.command, rows.length) });
          return;
        }
        if (!returned) results.push(result);
      }, streaming).then(
        () => {
          if (!returned) resolve(results);
        },
        (err: unknown) => {
          if (!returned) reject(err);
        },
      );
    });
  }

  /** Runs the statements one by one; `onResult` gets each result (and may read its stream) before the next runs. */
  executeEach(sql: string, options: ExecuteOptions, onResult: (result: StatementResult) => void | Promise<void>): Promise<void> {
    return this.enqueue(sql, options, onResult);
  }

  /** Runs after the session's previous statement (or once `sooner` resolves, if first). */
  private enqueue(
    sql: string,
    options: ExecuteOptions,
    onResult: (result: StatementResult) => void | Promise<void>,
    sooner?: Promise<void>,
  ): Promise<void> {
    const run = this.queue.then(() => this.run(sql, options, onResult));
    const done = run.catch(() => {});
    this.queue = sooner ? Promise.race([done, sooner]) : done;
    return run;
  }

  private async run(sql: string, options: ExecuteOptions, onResult: (result: StatementResult) => void | Promise<void>): Promise<void> {
    if (this.closed) throw new DoqlError('internal', 'the session is closed');
    if (options.signal?.aborted) throw new DoqlError('cancelled', 'canceling statement due to user request', { sqlState: '57014' });
    const proc = this.pinned ?? (await this.host.acquire(options.signal));
    // Ids grow with each run: a portal's stream may end after a later statement ran, and its (older) state then
    // must not replace the later one's.
    const id = this.nextId++;
    proc.calls = new AbortController();
    const results: Extract<FromChild, { t: 'result' }>[] = [];
    let end: Extract<FromChild, { t: 'done' | 'error' }> | undefined;
    let killed = false;
    let stop: Error | undefined;
    let stream: RemoteStream | undefined;
    let wake: (() => void) | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const poke = (): void => wake?.();

    const interrupt = (error: Error): void => {
      if (stop) return;
      stop = error;
      proc.calls.abort();
      proc.send({ t: 'cancel', id });
      stream?.fail(error);
      // A statement busy in SQLite reads no messages: give it a moment to stop, then kill its process.
      killTimer = setTimeout(() => {
        killed = true;
        this.host.discard(proc);
        poke();
      }, CANCEL_GRACE_MS);
      poke();
    };
    proc.onStatementMessage = (message) => {
      if (!('id' in message) || message.id !== id) return;
      if (message.t === 'rows') return stream?.deliver(message.rows);
      if (message.t === 'result') results.push(message);
      else if (message.t === 'done' || message.t === 'error') {
        if (id === this.nextId - 1) {
          // A Describe's probe that failed leaves the block as it was (its process marked it failed).
          const [before, after] = [this.state.block, message.state.block];
          const keep = message.t === 'error' && options.probe && before && after;
          this.state = keep ? { ...message.state, block: { ...after, failed: before.failed } } : message.state;
        }
        end = message;
      }
      poke();
    };
    proc.onSignal = (pid, how) => this.backend?.signal(pid, how);
    proc.onExit = () => {
      interrupt(new DoqlError('internal', 'the process running the statement ended unexpectedly'));
      killed = true;
      this.host.discard(proc);
      poke();
    };
    const timeoutMs = parseDurationMs(this.state.local?.statement_timeout ?? this.state.settings.statement_timeout ?? this.host.options.settings.statement_timeout ?? '0') ?? 0;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => interrupt(new DoqlError('timeout', 'canceling statement due to statement timeout', { sqlState: '57014' })), timeoutMs)
        : undefined;
    const onAbort = (): void => interrupt(new DoqlError('cancelled', 'canceling statement due to user request', { sqlState: '57014' }));
    options.signal?.addEventListener('abort', onAbort);
    const backend = this.backend;
    backend?.began(sql);
    try {
      proc.send({
        t: 'exec',
        id,
        sql,
        params: options.params,
        state: this.state,
        backend: backend && { pid: backend.pid, user: backend.user, activity: backend.activity() },
      });
      for (;;) {
        const head = results.shift();
        if (head) {
          if (stop) continue;
          const result: StatementResult = { ...head.head };
          if (head.streaming) {
            stream = new RemoteStream(proc, id);
            result.stream = stream;
            const open = stream;
            this.openStreams.add(open);
            void open.whenEnded.then(() => this.openStreams.delete(open));
          }
          try {
            await onResult(result);
          } catch (err) {
            // The socket went, or a value could not be encoded: stop the statement (and what follows it).
            interrupt(err instanceof Error ? err : new Error(String(err)));
          }
          if (stream && !stream.ended) stream.close();
          stream = undefined;
          continue;
        }
        if (end || killed) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      if (stop) throw stop;
      if (end?.t === 'error') throw errorFromData(end.error);
    } finally {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      backend?.ended(this.transactionStatus(), this.state.settings.application_name ?? this.state.startup?.application_name);
      proc.onStatementMessage = undefined;
      proc.onExit = undefined;
      proc.onSignal = undefined;
      if (killed) {
        // Its cursors died with it: a later FETCH says the cursor does not exist.
        this.pinned = undefined;
        if (this.state.cursors) this.state = { ...this.state, cursors: undefined };
      } else if (this.state.cursors && !this.closed) {
        this.pinned = proc;
      } else {
        this.pinned = undefined;
        this.host.release(proc);
      }
    }
  }

  /** The connection ended: a statement still running was cancelled with it (QueryProtocol aborts it). */
  close(): void {
    this.closed = true;
    for (const stream of this.openStreams) stream.close(); // a portal still reading holds a process
    // A process kept for this session's cursors goes back to the pool (the next session's state clears them),
    // unless a statement still runs on it: that statement's end releases it.
    const pinned = this.pinned;
    this.pinned = undefined;
    if (pinned) void this.queue.then(() => this.host.release(pinned));
  }
}

/** `SELECT 2000` → `SELECT 12000`: a streamed result's tag counts every row. */
export function recount(command: string, rows: number): string {
  return command.replace(/\d+$/, String(rows));
}
