// What a failed attempt means: may it be retried, and which error does the user see if not.
// The rule that protects accounts: only GET/HEAD are retried after the request may have reached the server.
import { ApiError, DoqlError } from '../errors.js';
import { parseRetryAfter } from './backoff.js';
import { safeCause, safeLine } from './redact.js';

export interface FailureContext {
  /** Upper case. */
  method: string;
  /** The path only: query strings stay out of errors. */
  path: string;
  token: string;
  /** Where the token came from (see auth.ts describeAuthSource), for a 401's hint. */
  tokenSource?: { where: string; fix: string };
}

export interface Failure {
  retryable: boolean;
  /** The HTTP status, 0 when no answer came. */
  status: number;
  /** One token-free line for the request event. */
  summary: string;
  /** A 429: pace every request, not just this one. */
  rateLimited: boolean;
  /** From Retry-After, when the answer had one. */
  retryAfterMs?: number;
  /** The error to throw when this is the last attempt. */
  build(attempts: number): DoqlError;
}

/** GET and HEAD change nothing, so repeating them is always safe. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

function attemptsNote(attempts: number): string {
  return attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
}

/** How to find out what a mutation of unknown outcome did, by method. */
export function checkAdvice(method: string): string {
  switch (method) {
    case 'POST':
      return 'List the resource to see whether it was created before retrying.';
    case 'PUT':
    case 'PATCH':
      return 'Get the resource to see whether the change was applied before retrying.';
    case 'DELETE':
      return 'Get or list the resource to see whether it still exists before retrying.';
    default:
      return 'Check the resource before retrying.';
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** x-request-id, else the request_id DigitalOcean puts in error bodies. */
export function requestIdOf(headers: Record<string, string>, body: unknown): string | undefined {
  const header = headers['x-request-id'];
  if (header) return header;
  const fromBody = record(body)?.['request_id'];
  return typeof fromBody === 'string' && fromBody !== '' ? fromBody : undefined;
}

const STATUS_HINTS: Record<number, string> = {
  401: 'The token was rejected: check DIGITALOCEAN_TOKEN, or run `doctl auth init`.',
  403: 'The token is not allowed to do this: check its scopes.',
};

/** A non-2xx answer. */
export function statusFailure(
  ctx: FailureContext,
  res: { status: number; headers: Record<string, string>; body: unknown; contentType?: string },
  now: number,
): Failure {
  const { status } = res;
  const body = record(res.body);
  const apiId = typeof body?.['id'] === 'string' ? body['id'] : undefined;
  const requestId = requestIdOf(res.headers, res.body);
  let serverMessage: string | undefined;
  if (typeof body?.['message'] === 'string') serverMessage = safeLine(body['message'], ctx.token);
  else if (typeof res.body === 'string' && res.contentType?.startsWith('text/plain')) {
    serverMessage = safeLine(res.body, ctx.token, 200) || undefined;
  }
  const rateLimited = status === 429;
  const serverError = status >= 500;
  const safe = isSafeMethod(ctx.method);
  // 429 means the request was not carried out, whatever the method.
  const retryable = rateLimited || (serverError && safe);
  const retryAfterMs =
    rateLimited || status === 503 ? parseRetryAfter(res.headers['retry-after'], now) : undefined;

  const build = (attempts: number): DoqlError => {
    const base = serverMessage ?? `HTTP ${status}`;
    if (serverError && !safe) {
      const advice = checkAdvice(ctx.method);
      return new ApiError({
        status,
        method: ctx.method,
        path: ctx.path,
        apiId,
        apiMessage: `${base}${attemptsNote(attempts)}; the outcome is unknown: the request may or may not have been applied. ${advice}`,
        requestId,
        code: 'unknown_outcome',
        hint: advice,
      });
    }
    // A 429 was refused before anything happened: say so, so nobody goes looking for a half-made resource.
    const notApplied = rateLimited && !safe ? '; the request was not applied' : '';
    return new ApiError({
      status,
      method: ctx.method,
      path: ctx.path,
      apiId,
      apiMessage: `${base}${attemptsNote(attempts)}${notApplied}`,
      requestId,
      hint: rateLimited
        ? 'Rate limited by DigitalOcean: wait a minute and try again.'
        : status === 401 && ctx.tokenSource
          ? `the token from ${ctx.tokenSource.where} was rejected: ${ctx.tokenSource.fix}`
          : STATUS_HINTS[status],
    });
  };
  return { retryable, status, rateLimited, retryAfterMs, summary: `HTTP ${status}${serverMessage ? `: ${serverMessage}` : ''}`, build };
}

/** The first string `code` on the error, its cause chain or its aggregated errors (happy-eyeballs connects). */
export function networkCode(err: unknown, depth = 0): string | undefined {
  if (depth > 4 || err === null || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') return e.code;
  const fromCause = networkCode(e.cause, depth + 1);
  if (fromCause) return fromCause;
  if (Array.isArray(e.errors)) for (const inner of e.errors) {
    const code = networkCode(inner, depth + 1);
    if (code) return code;
  }
  return undefined;
}

/** Failures of the connection itself: the request never reached the server. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

function isTlsFailure(code: string): boolean {
  return code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL');
}

/** The server's certificate does not chain to a CA doql trusts (self-signed, a private CA): `--ca` is the fix. */
const UNTRUSTED_CERT = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

function tlsHint(code: string): string {
  if (UNTRUSTED_CERT.has(code)) return 'if you trust this server, pass its CA certificate with --ca FILE or NODE_EXTRA_CA_CERTS=FILE';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return "the certificate is for another host name: check the API URL's host";
  return 'The TLS connection failed: check the API URL and the system clock.';
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was dropped',
  EPIPE: 'the connection was dropped',
  UND_ERR_SOCKET: 'the connection was dropped',
  UND_ERR_CLOSED: 'the connection was closed',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  UND_ERR_CONNECT_TIMEOUT: 'could not connect in time',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'the response was cut short',
  ETIMEDOUT: 'the connection timed out',
};

function reasonOf(err: unknown, code: string | undefined, token: string): string {
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  if (code && UNTRUSTED_CERT.has(code)) return `the server's TLS certificate is not trusted (${code})`;
  if (code?.startsWith('HPE_')) return `the server sent malformed HTTP (${code})`;
  const message = err instanceof Error ? err.message : String(err);
  return `${safeLine(message, token, 200) || 'network error'}${code ? ` (${code})` : ''}`;
}

/**
 * No complete answer: the connection failed, dropped, or the body broke off. `requestId` when headers came.
 */
export function networkFailure(ctx: FailureContext, err: unknown, requestId?: string): Failure {
  const code = networkCode(err);
  const reason = reasonOf(err, code, ctx.token);
  const neverSent = code !== undefined && (NEVER_CONNECTED.has(code) || isTlsFailure(code));
  const safe = isSafeMethod(ctx.method);
  const tls = code !== undefined && isTlsFailure(code);
  // A refused connection is the one failure where a mutation provably did not happen and may be retried.
  const retryable = tls ? false : safe || code === 'ECONNREFUSED';
  const build = (attempts: number): DoqlError => {
    const cause = safeCause(err, ctx.token);
    if (!safe && !neverSent) return unknownOutcome(ctx, reason, requestId, attempts, cause);
    const notSent = !safe ? '; the request was not sent' : '';
    return new DoqlError('network', `${ctx.method} ${ctx.path}: ${reason}${notSent}${attemptsNote(attempts)}`, {
      hint: tls ? tlsHint(code) : 'Check the network connection and the API URL.',
      cause,
    });
  };
  return { retryable, status: 0, rateLimited: false, summary: reason, build };
}

export function timeoutFailure(ctx: FailureContext, timeoutMs: number, requestId?: string): Failure {
  const reason = `no complete answer within ${timeoutMs} ms`;
  const safe = isSafeMethod(ctx.method);
  const build = (attempts: number): DoqlError => {
    if (!safe) return unknownOutcome(ctx, reason, requestId, attempts);
    return new DoqlError('network', `${ctx.method} ${ctx.path}: ${reason}${attemptsNote(attempts)}`, {
      hint: 'The API is slow or unreachable; try again, or raise the timeout.',
    });
  };
  return { retryable: safe, status: 0, rateLimited: false, summary: reason, build };
}

/** A 2xx whose JSON does not parse: a GET is fetched again; a mutation happened but we cannot say what it made. */
export function badBodyFailure(ctx: FailureContext, status: number, requestId?: string): Failure {
  const reason = `HTTP ${status} with a truncated or invalid JSON body`;
  const safe = isSafeMethod(ctx.method);
  const build = (attempts: number): DoqlError => {
    if (!safe) {
      const advice = checkAdvice(ctx.method);
      const rid = requestId ? ` (request id ${requestId})` : '';
      return new DoqlError(
        'unknown_outcome',
        `${ctx.method} ${ctx.path}: the API answered ${status} but the body was unreadable${rid}; the request was probably applied, but its result is unknown. ${advice}`,
        { hint: advice },
      );
    }
    return new ApiError({
      status,
      method: ctx.method,
      path: ctx.path,
      apiMessage: `the response body was truncated or not valid JSON${attemptsNote(attempts)}`,
      requestId,
      code: 'network',
    });
  };
  return { retryable: safe, status, rateLimited: false, summary: reason, build };
}

function unknownOutcome(
  ctx: FailureContext,
  reason: string,
  requestId: string | undefined,
  attempts: number,
  cause?: Error,
): DoqlError {
  const advice = checkAdvice(ctx.method);
  const rid = requestId ? ` (request id ${requestId})` : '';
  return new DoqlError(
    'unknown_outcome',
    `${ctx.method} ${ctx.path}: the outcome is unknown: ${reason} after the request was sent${rid}${attemptsNote(attempts)}; it may or may not have been applied. ${advice}`,
    { hint: advice, cause },
  );
}
