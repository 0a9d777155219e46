// Cancellation: the one `cancelled` error and waits that end the moment the caller aborts.
import { EventEmitter, setMaxListeners } from 'node:events';
import { DoqlError } from '../errors.js';

export function cancelledError(what?: string): DoqlError {
  return new DoqlError('cancelled', what ? `${what}: cancelled` : 'cancelled');
}

/** Requests cancelled before any byte of them left (queued for a slot or for the rate limit): see notSent. */
const NEVER_SENT = new WeakSet<Error>();

/** A cancel that caught a request before it was sent: nothing happened, a mutation may say so. */
export function cancelledUnsent(what: string): DoqlError {
  const err = cancelledError(what);
  NEVER_SENT.add(err);
  return err;
}

/** Whether `err` is a request's cancel from before it was sent. */
export function notSent(err: unknown): boolean {
  return err instanceof Error && NEVER_SENT.has(err);
}

export function throwIfCancelled(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw cancelledError(what);
}

export type SleepFn = (ms: number) => Promise<void>;

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Waits `ms`, or less when `wake` settles first; rejects with `cancelled` as soon as `signal` aborts.
 * A custom `sleep` (tests) cannot be interrupted, so it is raced instead.
 */
export function wait(
  ms: number,
  signal: AbortSignal | undefined,
  options: { sleep?: SleepFn; wake?: Promise<void>; what?: string } = {},
): Promise<void> {
  if (signal?.aborted) return Promise.reject(cancelledError(options.what));
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (err?: DoqlError): void => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = (): void => finish(cancelledError(options.what));
    signal?.addEventListener('abort', onAbort, { once: true });
    // An infinite wait ends only on `wake` or abort; long ones are cut to what setTimeout can hold
    // (callers loop and wait again).
    if (Number.isFinite(ms)) {
      const capped = Math.min(Math.max(0, ms), MAX_TIMER_MS);
      if (options.sleep) options.sleep(capped).then(() => finish(), () => finish());
      else timer = setTimeout(() => finish(), capped);
    }
    options.wake?.then(() => finish(), () => finish());
  });
}

const followers = new WeakMap<AbortSignal, AbortSignal>();

/**
 * A signal that aborts with `signal`, with no listener cap. Every request, queue slot and wait listens
 * for abort; hundreds of pages sharing one caller signal would otherwise trip Node's leak warning,
 * and the caller's own signal gets just one listener from us.
 */
export function follow(signal: AbortSignal | undefined): AbortSignal | undefined {
  if (!signal) return undefined;
  let child = followers.get(signal);
  if (!child) {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    if (signal.aborted) controller.abort();
    else signal.addEventListener('abort', () => controller.abort(), { once: true });
    child = controller.signal;
    followers.set(signal, child);
  }
  return child;
}

/** An AbortController whose signal has no listener cap (it is shared by many requests). */
export function sharedController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/**
 * One request attempt's abort, as undici takes it (its request `signal` is an AbortSignal or an EventEmitter).
 * Node 20's AbortController with a listener added and removed costs ~20-45 µs a request, an emitter ~1.5;
 * with ~100 requests in a fan-out it showed in the CPU profile.
 */
export class AttemptAbort extends EventEmitter {
  aborted = false;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}

const watchers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `onAbort` when `signal` aborts, until the returned function is called. Many requests share a
 * signal: it gets one listener of its own, and each request only joins a set (adding and removing
 * listeners on an EventTarget costs more than the rest of a request's bookkeeping).
 */
export function whenAborted(signal: AbortSignal | undefined, onAbort: () => void): () => void {
  if (!signal) return noop;
  let set = watchers.get(signal);
  if (!set) {
    const fresh = new Set<() => void>();
    set = fresh;
    watchers.set(signal, fresh);
    signal.addEventListener('abort', () => {
      for (const fn of [...fresh]) fn();
      fresh.clear();
    }, { once: true });
  }
  if (signal.aborted) {
    onAbort();
    return noop;
  }
  const joined = set;
  joined.add(onAbort);
  return () => joined.delete(onAbort);
}

function noop(): void {}
