// DigitalOcean's rate limits: a per-window limit (250 per minute) and an hourly one (5,000), reported
// in ratelimit-limit / -remaining / -reset (epoch seconds) on every response; 429 with retry-after past them.

export interface RateLimitOptions {
  limit: number;
  windowSeconds: number;
  /** Requests per hour; default 5000; 0 turns the hourly limit off. */
  hourly?: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { limit: 250, windowSeconds: 60, hourly: 5000 };

interface Window {
  limit: number;
  ms: number;
  start: number;
  count: number;
}

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
  /** Seconds until a request would be allowed again (only when refused). */
  retryAfter?: number;
}

export class RateLimiter {
  private windows: Window[];

  constructor(options: RateLimitOptions) {
    const hourly = options.hourly ?? DEFAULT_RATE_LIMIT.hourly ?? 0;
    this.windows = [{ limit: options.limit, ms: options.windowSeconds * 1000, start: 0, count: 0 }];
    if (hourly > 0) this.windows.push({ limit: hourly, ms: 3_600_000, start: 0, count: 0 });
  }

  private roll(now: number): void {
    // Fixed windows that open with the first request after the previous one closed.
    for (const w of this.windows) if (now >= w.start + w.ms) Object.assign(w, { start: now, count: 0 });
  }

  /** The window with the least room decides what the headers say. */
  private binding(): Window {
    return this.windows.reduce((a, b) => (b.limit - b.count < a.limit - a.count ? b : a));
  }

  private headers(): Record<string, string> {
    const w = this.binding();
    return {
      'ratelimit-limit': String(w.limit),
      'ratelimit-remaining': String(Math.max(0, w.limit - w.count)),
      'ratelimit-reset': String(Math.ceil((w.start + w.ms) / 1000)),
    };
  }

  /** Headers for a response that is not counted (a refused login). */
  peek(now: number): Record<string, string> {
    this.roll(now);
    return this.headers();
  }

  /** Counts a request if there is room. */
  take(now: number): RateDecision {
    this.roll(now);
    const full = this.windows.filter((w) => w.count >= w.limit);
    if (full.length) {
      const until = Math.max(...full.map((w) => w.start + w.ms));
      return { allowed: false, headers: this.headers(), retryAfter: Math.max(1, Math.ceil((until - now) / 1000)) };
    }
    for (const w of this.windows) w.count++;
    return { allowed: true, headers: this.headers() };
  }

  reset(): void {
    for (const w of this.windows) Object.assign(w, { start: 0, count: 0 });
  }
}
