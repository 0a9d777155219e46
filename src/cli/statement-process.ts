// The command line's session process: SELECTs run in a child (server/session-process.ts, as `doql serve` runs its
// connections'), so that Ctrl-C stops one even while SQLite computes. A signal handler cannot: SQLite holds the
// event loop until the statement ends, and better-sqlite3 has no interrupt. The parent keeps the terminal, the
// session (variables, settings) and the read cache; the child asks it for rows and API requests (server-calls.ts).
//
// A child costs ~130 ms of CPU to start (cli/session-entry.ts): the shell starts it when it starts (behind the
// user's typing) and runs every SELECT there; a one-shot `doql "…"` starts it only for a SELECT that reads no resource (SQL computed
// locally, the kind that can spin), so that SHOW and a SELECT over resources start as fast as before.
import { fileURLToPath } from 'node:url';
import { DoqlError, isDoqlError } from '../errors.js';
import type { ExecuteOptions, StatementResult } from '../engine/types.js';
import type { RemoteSession, SessionHost } from '../server/session-process.js';
import type { ConnectionBackend } from '../server/cancel-registry.js';
import { ownActivity } from '../engine/backend.js';
import type { RunContext } from './context.js';
import type { RunOptions } from './options.js';
import type { ServeChildConfig } from './serve-child.js';
import { serverCalls } from './server-calls.js';

export class StatementProcess {
  private host?: SessionHost;
  private closed = false;
  /** Cancels the statement running now (pg_cancel_backend(pg_backend_pid()) from that statement). */
  private cancelRunning?: () => void;
  private readonly started = new Date().toISOString();
  private session?: RemoteSession;
  private ready?: Promise<void>;

  /**
   * `which`: every SELECT (the shell) or only those that read no resource (one-shot). `ctx` is read at each call:
   * the shell's `.context` replaces it.
   */
  constructor(
    private readonly opts: RunOptions,
    private readonly which: 'every' | 'local',
    private readonly ctx: () => RunContext,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts the child in the background (the shell, at its start); a failure is reported by the first SELECT. */
  start(): Promise<void> {
    // Loaded on first use: a command that never runs a SELECT here does not pay for it.
    this.ready ??= import('../server/session-process.js').then(({ SessionHost }) => {
      const host = new SessionHost({
        childModule: fileURLToPath(new URL('./session-entry.js', import.meta.url)),
        config: {
          spec: this.opts.spec,
          vars: {},
          // SELECTs only: mutations run in the parent, which can ask on the terminal.
          mutation: { dryRun: true, yes: false, waitTimeoutMs: 0 },
          allowRegistry: true,
          servesEveryPath: this.opts.sandbox,
          settings: {},
          askBeforeFetch: true,
        } satisfies ServeChildConfig,
        settings: {},
        keepSpare: false,
        handle: (op, args, signal) => serverCalls(this.ctx())(op, args, signal),
        log: (line) => this.log(`doql: ${line}`),
      });
      this.host = host;
      this.session = host.newSession(this.backend());
      if (this.closed) host.close(); // closed while the module loaded
      return host.start();
    });
    this.ready.catch(() => {}); // seen by the statement that awaits it
    return this.ready;
  }

  /** The session's offloadSelect hook (engine/session.ts). */
  readonly offload = async (text: string, local: () => Promise<boolean>, options: ExecuteOptions): Promise<StatementResult | undefined> => {
    if (this.which === 'local' && !(await local())) return undefined;
    return this.run(text, options);
  };

  /**
   * The command line as a backend: this process's pid for pg_backend_pid() whichever session process runs the
   * statement (the shell replaces one that was stopped), and pg_stat_activity's one row.
   */
  private backend(): ConnectionBackend {
    const user = 'doql';
    return {
      pid: process.pid,
      user,
      activity: () => [{ ...ownActivity(this.started), usename: user }],
      began: () => {},
      ended: () => {},
      signal: () => this.cancelRunning?.(),
    };
  }

  private async run(text: string, options: ExecuteOptions): Promise<StatementResult> {
    await this.start();
    const own = new AbortController();
    if (options.signal?.aborted) own.abort();
    else options.signal?.addEventListener('abort', () => own.abort(), { once: true });
    this.cancelRunning = () => own.abort();
    try {
      const [result] = await (this.session as RemoteSession).execute(text, { params: options.params, signal: own.signal });
      if (!result) throw new DoqlError('internal', 'the session process returned no result');
      return result;
    } catch (err) {
      // The server's words for it (`canceling statement due to user request`) are the wire's; the CLI says this.
      if (isDoqlError(err) && err.code === 'cancelled') throw new DoqlError('cancelled', 'statement cancelled', { sqlState: '57014', cause: err });
      throw err;
    } finally {
      this.cancelRunning = undefined;
    }
  }

  /** Stops the child (a statement still running there is abandoned). */
  close(): void {
    this.closed = true;
    this.session?.close();
    this.host?.close();
  }
}
