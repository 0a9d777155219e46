// The messages between `doql serve` and a session process that runs its connections' statements, and how errors cross.
import { ApiError, DoqlError, type ErrorCode } from '../errors.js';
import type { CellValue, StatementResult } from '../engine/types.js';
import type { SessionState } from '../engine/session.js';
import type { BackendView } from '../engine/backend.js';

export type { SessionState } from '../engine/session.js';

/** A result without its stream: `streaming` says whether more batches follow. */
export type ResultHead = Omit<StatementResult, 'stream'>;

export type ToChild =
  | { t: 'init'; config: unknown }
  /** Run `sql` as the session whose state this is, for the connection `backend` (absent: none, the command line). */
  | { t: 'exec'; id: number; sql: string; params?: unknown[]; state: SessionState; backend?: BackendSnapshot }
  /** Send the next batch of the streaming result. */
  | { t: 'more'; id: number }
  /** Stop the streaming result. */
  | { t: 'close'; id: number }
  | { t: 'cancel'; id: number }
  | { t: 'reply'; call: number; value?: unknown; error?: ErrorData };

export type FromChild =
  /** How the process's code was loaded (cli/session-entry.ts): from the bundle, and whether V8 took its code cache. */
  | { t: 'loaded'; from: string; codeCache: 'accepted' | 'rejected' | 'none' }
  | { t: 'ready' }
  | { t: 'result'; id: number; head: ResultHead; streaming: boolean }
  | { t: 'rows'; id: number; rows: CellValue[][] | null }
  | { t: 'done'; id: number; state: SessionState }
  | { t: 'error'; id: number; error: ErrorData; state: SessionState }
  /** A call into the server: an API request, a shared-cache fetch, an invalidation. */
  | { t: 'call'; call: number; op: string; args: unknown[] };

/** The connection a statement runs for, as its process sees it (BackendView without the way back to the server). */
export type BackendSnapshot = Omit<BackendView, 'signal'>;

export interface ErrorData {
  message: string;
  code?: ErrorCode;
  hint?: string;
  sqlState?: string;
  api?: { status: number; method: string; path: string; apiId?: string; requestId?: string };
}

export function errorData(err: unknown): ErrorData {
  if (err instanceof ApiError) {
    const { status, method, path, apiId, requestId, code, hint, message } = err;
    return { message, code, hint, api: { status, method, path, apiId, requestId } };
  }
  if (err instanceof DoqlError) return { message: err.message, code: err.code, hint: err.hint, sqlState: err.sqlState };
  return { message: err instanceof Error ? err.message : String(err) };
}

/** The error again, as the class it was (an ApiError keeps its status: 404 on a get is an empty result). */
export function errorFromData(data: ErrorData): Error {
  if (data.api) {
    const err = new ApiError({ ...data.api, code: data.code, hint: data.hint });
    err.message = data.message;
    return err;
  }
  if (data.code) return new DoqlError(data.code, data.message, { hint: data.hint, sqlState: data.sqlState });
  return new Error(data.message);
}
