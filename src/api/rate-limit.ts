// Rate-limit pacing: track ratelimit-limit/remaining/reset and hold requests back instead of earning 429s.
import { DoqlError } from '../errors.js';
import { wait } from './cancel.js';
import type { SleepFn } from './cancel.js';

/** A wait on the rate limit, as reported to whoever shows it. */
export interface RateLimitWait {
  ms: number;
  /** Local epoch ms when it ends. */
  until: number;
  /** ratelimit-limit, when the API sent it. */
  limit?: number;
}

/** A wait is reported again only when it ends this much later than the last one reported (many requests share one wait). */
const REPORT_STEP_MS = 1_000;

/** Sent just after the window resets, not on the edge of it: reset has one-second resolution. */
const RESET_MARGIN_MS = 100;
/** Clock differences below this are ignored; above it, reset is read on the server's clock (its Date header). */
const SKEW_TOLERANCE_MS = 5_000;

export interface RateLimitState {
  limit?: number;
  remaining?: number;
  /** Local epoch ms when the window resets. */
  resetAt?: number;
  /** Local epoch ms until which nothing is sent (after a 429). */
  blockedUntil: number;
  /** Requests sent whose answers have not updated the budget yet. */
  sending: number;
}

export class RateLimitPacer {
  private limit?: number;
  private remaining?: number;
  private resetAt?: number;
  private blockedUntil = 0;
  private sending = 0;
  private wakers: Array<() => void> = [];

  private reportedUntil = 0;
  private waitingUntil = 0;
  /** Requests waiting right now: a wait woken early by a fresher budget is over, whatever it was told. */
  private waiting = 0;

  constructor(
    private readonly options: {
      now?: () => number;
      sleep?: SleepFn;
      /** A wait longer than this fails at once with the time the limit resets (default: wait however long). */
      maxWaitMs?: number;
      /** A new wait begins (reported once however many requests share it). */
      onWait?: (wait: RateLimitWait) => void;
    } = {},
  ) {}

  /** Local epoch ms the current wait ends, or 0 when nothing waits: for a progress line. */
  waitingUntilMs(): number {
    return this.waiting > 0 && this.waitingUntil > this.now() ? this.waitingUntil : 0;
  }

  /** Counts a wait while it lasts; when the last one ends, nothing is waiting any more. */
  private async waitFor(waiting: Promise<void>): Promise<void> {
    this.waiting++;
    try {
      await waiting;
    } finally {
      if (--this.waiting === 0) this.waitingUntil = 0;
    }
  }

  /** Fails a wait longer than maxWaitMs; otherwise reports it (once) and records it for the progress line. */
  private beginWait(ms: number, now: number): void {
    const until = now + ms;
    const limit = this.limit;
    if (this.options.maxWaitMs !== undefined && ms > this.options.maxWaitMs) {
      throw new DoqlError(
        'api',
        `DigitalOcean's rate limit${limitText(limit, ms)} is used up until ${clockTime(until)} (in ${duration(ms)}); doql waits at most ${duration(this.options.maxWaitMs)}`,
        { hint: 'try again after it resets, or allow a longer wait with --max-wait SECONDS', sqlState: '53400' },
      );
    }
    this.waitingUntil = Math.max(this.waitingUntil, until);
    if (until > this.reportedUntil + REPORT_STEP_MS) {
      this.reportedUntil = until;
      try {
        this.options.onWait?.({ ms, until, limit });
      } catch {
        // A failing listener must not fail the request that waits.
      }
    }
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  state(): RateLimitState {
    return {
      limit: this.limit,
      remaining: this.remaining,
      resetAt: this.resetAt,
      blockedUntil: this.blockedUntil,
      sending: this.sending,
    };
  }

  /**
   * Waits until one more request fits the known budget, then counts it as sending; true when it had to wait.
   * The budget is `remaining` minus the requests already on their way, since those will spend it too.
   */
  async acquire(signal?: AbortSignal): Promise<boolean> {
    let waited = false;
    for (;;) {
      const now = this.now();
      if (this.blockedUntil > now) {
        waited = true;
        this.beginWait(this.blockedUntil - now, now);
        await this.waitFor(wait(this.blockedUntil - now, signal, { sleep: this.options.sleep }));
        continue;
      }
      if (this.resetAt !== undefined && now >= this.resetAt) this.probe();
      if (this.remaining === undefined || this.resetAt === undefined || this.remaining - this.sending > 0) {
        this.sending++;
        return waited;
      }
      waited = true;
      // An answer still on its way may report a fresher budget, so wake on it as well as on the reset.
      const wake = this.sending > 0 ? this.nextChange() : undefined;
      this.beginWait(this.resetAt - now + RESET_MARGIN_MS, now);
      await this.waitFor(wait(this.resetAt - now + RESET_MARGIN_MS, signal, { sleep: this.options.sleep, wake }));
    }
  }

  /** A sent request is over; `headers` (when an answer came) update the budget. */
  release(headers?: Record<string, string>): void {
    if (this.sending > 0) this.sending--;
    if (headers) this.observe(headers);
    this.notify();
  }

  /**
   * A 429: hold every request until Retry-After, or else until the window resets.
   * Returns how long to wait, or undefined when the answer said neither (the caller backs off).
   */
  throttled(retryAfterMs: number | undefined): number | undefined {
    const now = this.now();
    let until: number | undefined;
    if (retryAfterMs !== undefined) {
      until = now + retryAfterMs;
      // The server named the moment to retry; a remaining=0 from the same answer must not override it.
      this.probe();
    } else if (this.resetAt !== undefined && this.resetAt > now) {
      until = this.resetAt + RESET_MARGIN_MS;
    }
    if (until === undefined) return undefined;
    this.blockedUntil = Math.max(this.blockedUntil, until);
    this.notify();
    return until - now;
  }

  /**
   * After a reset or a Retry-After, send one request and let its answer tell the budget. DigitalOcean's
   * window is rolling (reset is when the oldest counted request expires), so a reset may free a single
   * slot: assuming the full limit would send a burst straight into 429s.
   */
  private probe(): void {
    this.remaining = 1;
    this.resetAt = Number.POSITIVE_INFINITY;
  }

  private observe(headers: Record<string, string>): void {
    const limit = intHeader(headers['ratelimit-limit']);
    const remaining = intHeader(headers['ratelimit-remaining']);
    const reset = numHeader(headers['ratelimit-reset']);
    if (limit !== undefined) this.limit = limit;
    if (remaining === undefined) {
      // An answer without the headers: this server does not count, so stop probing.
      if (this.resetAt === Number.POSITIVE_INFINITY) this.remaining = this.resetAt = undefined;
      return;
    }
    if (reset === undefined) {
      this.remaining = remaining;
      if (this.resetAt === Number.POSITIVE_INFINITY) this.resetAt = undefined;
      return;
    }
    const now = this.now();
    const resetAt = resetToLocal(reset, headers['date'], now);
    if (resetAt <= now) {
      // Nothing to wait for (a window already over, or a server that sends `now`): no gate, unless a
      // live window is being paced, which this late answer from an older one must not undo.
      if (this.resetAt === undefined || this.resetAt === Number.POSITIVE_INFINITY || this.resetAt <= now) {
        this.remaining = this.resetAt = undefined;
      }
      return;
    }
    if (this.resetAt !== undefined && Math.abs(resetAt - this.resetAt) < 1 && this.remaining !== undefined) {
      // Answers arrive out of order; within one window the smallest remaining is the truest.
      this.remaining = Math.min(this.remaining, remaining);
    } else {
      this.remaining = remaining;
      this.resetAt = resetAt;
    }
  }

  private nextChange(): Promise<void> {
    return new Promise<void>((resolve) => this.wakers.push(resolve));
  }

  private notify(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }
}

/** ` (250/min)`: DigitalOcean has a per-minute and an hourly limit, and only a wait past a minute can be the hourly one. */
export function limitText(limit: number | undefined, ms: number): string {
  return limit === undefined ? '' : ` (${limit}/${ms > 60_000 ? 'hour' : 'min'})`;
}

/** `42 s`, `24 min`, `1 h 5 min`. */
export function duration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.ceil(s / 60);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h${min % 60 ? ` ${min % 60} min` : ''}`;
}

/** Local wall-clock time, `14:05:09`. */
function clockTime(epochMs: number): string {
  return new Date(epochMs).toTimeString().slice(0, 8);
}

/**
 * ratelimit-reset as local epoch ms. DigitalOcean sends epoch seconds; small values are read as
 * delta-seconds (the IETF draft's form) and huge ones as epoch ms, so a proxy's variant still paces.
 */
export function resetToLocal(reset: number, dateHeader: string | undefined, now: number): number {
  if (reset < 1e9) return now + reset * 1000;
  let at = reset > 1e11 ? reset : reset * 1000;
  const serverNow = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  if (!Number.isNaN(serverNow) && Math.abs(serverNow - now) > SKEW_TOLERANCE_MS) at += now - serverNow;
  return at;
}

function intHeader(value: string | undefined): number | undefined {
  const n = numHeader(value);
  return n === undefined ? undefined : Math.floor(n);
}

function numHeader(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
