// A session process's side of the wire server: runs statements as `doql serve` asks, each as the connection
// whose session state comes with it, streams their rows a batch per request, and reaches the server (API,
// shared cache) through `call`.
import { DoqlError } from '../errors.js';
import type { DoqlSession } from '../engine/session.js';
import type { RowStream } from '../engine/types.js';
import type { BackendView } from '../engine/backend.js';
import type { FromChild, ToChild } from './session-messages.js';
import { errorData, errorFromData } from './session-messages.js';
import { preloadParser } from '../sql/tree/parse.js';

/** Rows per batch sent to the server (fewer when they are wide: see select.ts). */
const BATCH_ROWS = 2000;

/** Asks the server to do something only it may do (an HTTP request, a shared-cache read). */
export type ServerCall = (op: string, ...args: unknown[]) => Promise<unknown>;

/** `backend`: the connection whose statement runs now (pg_backend_pid, pg_stat_activity, pg_cancel_backend). */
export type MakeSession = (config: unknown, call: ServerCall, backend: () => BackendView | undefined) => Promise<DoqlSession>;

/** Serves `doql serve`'s messages on the IPC channel until it disconnects. */
export function runSessionChild(makeSession: MakeSession): void {
  const send = (message: FromChild): void => {
    process.send?.(message);
  };
  let session: DoqlSession | undefined;
  const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextCall = 1;
  const call: ServerCall = (op, ...args) =>
    new Promise((resolve, reject) => {
      const id = nextCall++;
      calls.set(id, { resolve, reject });
      send({ t: 'call', call: id, op, args });
    });
  let backend: BackendView | undefined;
  /** The statement running now: its id, its cancel switch, and the stream waiting for 'more' or 'close'. */
  let running: { id: number; controller: AbortController; demand?: (more: boolean) => void } | undefined;

  const streamBatches = async (id: number, stream: RowStream, controller: AbortController): Promise<void> => {
    try {
      for (;;) {
        const more = await new Promise<boolean>((resolve) => {
          if (running?.id !== id) return resolve(false);
          running.demand = resolve;
        });
        if (!more || controller.signal.aborted) return;
        const rows = await stream.next();
        send({ t: 'rows', id, rows: rows ?? null });
        if (!rows) return;
      }
    } finally {
      stream.close();
    }
  };

  const exec = async (message: Extract<ToChild, { t: 'exec' }>): Promise<void> => {
    const live = session as DoqlSession;
    const controller = new AbortController();
    running = { id: message.id, controller };
    live.restoreState(message.state);
    // Called from inside SQLite (a synchronous function): the request goes out now, its answer is not awaited.
    backend = message.backend && { ...message.backend, signal: (pid, how) => void call('signal', pid, how).catch(() => {}) };
    try {
      await live.executeEach(message.sql, { params: message.params, signal: controller.signal, batchRows: BATCH_ROWS }, async (result) => {
        const { stream, ...head } = result;
        send({ t: 'result', id: message.id, head, streaming: stream !== undefined });
        if (stream) await streamBatches(message.id, stream, controller);
        if (controller.signal.aborted) throw new DoqlError('cancelled', 'statement cancelled', { sqlState: '57014' });
      });
      send({ t: 'done', id: message.id, state: live.sessionState() });
    } catch (err) {
      send({ t: 'error', id: message.id, error: errorData(err), state: live.sessionState() });
    } finally {
      running = undefined;
      backend = undefined;
    }
  };

  process.on('message', (message: ToChild) => {
    switch (message.t) {
      case 'init':
        // Almost every statement a wire client sends is parsed into libpg-query's tree: a process is ready only once
        // its parser is loaded, so one that takes over a session (after a timeout) answers as fast as the first and
        // its first statement's statement_timeout does not pay for the load (a spare loads it while it waits). Compiled
        // as used: a session process has no other work for the main thread meanwhile (parse.ts's ParserCompile).
        void Promise.all([preloadParser('on-use').catch(() => undefined), makeSession(message.config, call, () => backend)]).then(
          ([, made]) => {
            session = made;
            send({ t: 'ready' });
          },
          (err: unknown) => {
            process.stderr.write(`doql session process: ${err instanceof Error ? err.message : String(err)}\n`);
            process.exit(1);
          },
        );
        return;
      case 'exec':
        void exec(message);
        return;
      case 'more':
      case 'close':
        if (running?.id === message.id && running.demand) {
          const demand = running.demand;
          running.demand = undefined;
          demand(message.t === 'more');
        }
        return;
      case 'cancel':
        if (running?.id === message.id) {
          running.controller.abort();
          running.demand?.(false);
        }
        return;
      case 'reply': {
        const pending = calls.get(message.call);
        calls.delete(message.call);
        if (message.error) pending?.reject(errorFromData(message.error));
        else pending?.resolve(message.value);
        return;
      }
    }
  });
  // The server went away (or killed us): nothing is left to serve.
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C on a terminal reaches the whole process group: the parent decides what it stops (a statement, via
  // 'cancel' or a kill), so that it can say what was cancelled.
  process.on('SIGINT', () => {});
}
