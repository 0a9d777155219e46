// Rate limiting and faults, on a fake clock and a fixed seed.
import { describe, expect, it } from 'vitest';
import { FaultInjector } from './faults.js';
import { RateLimiter } from './rate-limit.js';

describe('RateLimiter', () => {
  it('refuses past the window limit until the window resets, reporting epoch-second resets', () => {
    const limiter = new RateLimiter({ limit: 2, windowSeconds: 10, hourly: 0 });
    const t0 = 1_700_000_000_000;
    expect(limiter.take(t0).headers).toEqual({ 'ratelimit-limit': '2', 'ratelimit-remaining': '1', 'ratelimit-reset': String(t0 / 1000 + 10) });
    expect(limiter.take(t0 + 1).allowed).toBe(true);
    const refused = limiter.take(t0 + 2000);
    expect(refused).toMatchObject({ allowed: false, retryAfter: 8 });
    expect(limiter.take(t0 + 10_000).allowed).toBe(true);
  });

  it('applies the hourly limit across windows', () => {
    const limiter = new RateLimiter({ limit: 5, windowSeconds: 1, hourly: 3 });
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 3; i++) expect(limiter.take(t0 + i * 1000).allowed).toBe(true);
    const refused = limiter.take(t0 + 5000);
    expect(refused.allowed).toBe(false);
    expect(refused.headers['ratelimit-limit']).toBe('3');
    expect(refused.retryAfter).toBeGreaterThan(3000);
  });
});

describe('FaultInjector', () => {
  it('draws the same faults for the same seed, at about the rate asked', () => {
    const draw = (seed: number): (string | undefined)[] => {
      const f = new FaultInjector(seed, { rate: 0.25 });
      return Array.from({ length: 400 }, () => f.draw());
    };
    const a = draw(3);
    expect(a).toEqual(draw(3));
    expect(a).not.toEqual(draw(4));
    const hits = a.filter(Boolean).length;
    expect(hits).toBeGreaterThan(60);
    expect(hits).toBeLessThan(140);
  });

  it('rejects rates outside 0..1 and unknown kinds', () => {
    const f = new FaultInjector(1);
    expect(() => f.set({ rate: 2 })).toThrow(RangeError);
    expect(() => f.set({ rate: 0.1, kinds: ['418' as never] })).toThrow(RangeError);
  });
});
