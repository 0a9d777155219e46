import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient } from './client.js';
import { RateLimitPacer, resetToLocal } from './rate-limit.js';
import type { ApiClient, ApiClientOptions } from './types.js';
import { sendJson, startFakeServer } from '../../test/api/fake-do-server.js';
import type { FakeServer, Handler } from '../../test/api/fake-do-server.js';

const TOKEN = 'dop_v1_' + 'c'.repeat(64);
const servers: FakeServer[] = [];
const clients: ApiClient[] = [];

async function setup(handler: Handler, opts: Partial<ApiClientOptions> = {}): Promise<{ server: FakeServer; client: ApiClient }> {
  const server = await startFakeServer(handler);
  servers.push(server);
  const client = createApiClient({ baseUrl: server.url, token: TOKEN, backoffBaseMs: 5, ...opts });
  clients.push(client);
  return { server, client };
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** DigitalOcean's limiter in miniature: `limit` requests per window ending at an epoch second; 429 past it. */
function rateLimited(limit: number): { handler: Handler; violations: () => number; resets: number[]; arrivals: number[] } {
  let remaining = 0;
  let reset = 0;
  let violations = 0;
  const resets: number[] = [];
  const arrivals: number[] = [];
  const handler: Handler = (_req, res) => {
    const now = Date.now();
    arrivals.push(now);
    if (now >= reset * 1000) {
      remaining = limit;
      // The next whole second at least 300 ms away: keeps the test under ~1.3 s.
      reset = Math.ceil((now + 300) / 1000);
      resets.push(reset);
    }
    const headers = { 'ratelimit-limit': String(limit), 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset) };
    if (remaining === 0) {
      violations++;
      return sendJson(res, 429, { id: 'too_many_requests', message: 'API Rate limit exceeded.' }, {
        ...headers,
        'retry-after': String(Math.ceil((reset * 1000 - now) / 1000)),
      });
    }
    remaining--;
    sendJson(res, 200, { ok: true }, { ...headers, 'ratelimit-remaining': String(remaining) });
  };
  return { handler, violations: () => violations, resets, arrivals };
}

describe('pacing by ratelimit headers', () => {
  it('waits for the reset when remaining runs out, instead of earning a 429', async () => {
    const limiter = rateLimited(3);
    const { server, client } = await setup(limiter.handler);
    await client.request({ method: 'GET', path: '/v2/a' });
    const firstReset = limiter.resets[0]!;
    const results = await Promise.all(Array.from({ length: 4 }, () => client.request({ method: 'GET', path: '/v2/a' })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(limiter.violations()).toBe(0);
    expect(server.count()).toBe(5);
    // The 4th and 5th requests went out only after the window reset.
    expect(limiter.arrivals.slice(0, 3).every((t) => t < firstReset * 1000)).toBe(true);
    expect(limiter.arrivals.slice(3).every((t) => t >= firstReset * 1000)).toBe(true);
    expect(client.stats().rateLimitWaits).toBe(2);
    expect(limiter.resets).toHaveLength(2);
    expect(limiter.resets[1]!).toBeGreaterThan(firstReset);
  });

  it('holds every request after a 429 until retry-after has passed', async () => {
    let first = true;
    let throttledAt = 0;
    const { server, client } = await setup((req, res) => {
      if (first) {
        first = false;
        throttledAt = req.at;
        return sendJson(res, 429, { id: 'too_many_requests', message: 'slow down' }, { 'retry-after': '1' });
      }
      sendJson(res, 200, { ok: true });
    });
    const a = client.request({ method: 'GET', path: '/v2/a' });
    await new Promise((r) => setTimeout(r, 50));
    const b = client.request({ method: 'GET', path: '/v2/b' });
    await Promise.all([a, b]);
    const later = server.requests.slice(1);
    expect(later).toHaveLength(2);
    for (const r of later) expect(r.at - throttledAt).toBeGreaterThanOrEqual(950);
  });

  it('cancels a request waiting for the reset', async () => {
    const reset = Math.ceil(Date.now() / 1000) + 60;
    const { server, client } = await setup((_q, res) =>
      sendJson(res, 200, {}, { 'ratelimit-limit': '250', 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset) }),
    );
    await client.request({ method: 'GET', path: '/v2/a' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = performance.now();
    await expect(client.request({ method: 'GET', path: '/v2/a', signal: ac.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(server.count()).toBe(1);
  });
});

describe('RateLimitPacer', () => {
  function fakeClock(start = 1_700_000_000_000): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
    let t = start;
    const slept: number[] = [];
    return {
      now: () => t,
      sleep: async (ms) => {
        slept.push(ms);
        t += ms;
      },
      slept,
    };
  }

  it('lets requests through while the budget lasts, counting those in flight', async () => {
    const clock = fakeClock();
    const pacer = new RateLimitPacer(clock);
    expect(await pacer.acquire()).toBe(false);
    pacer.release({ 'ratelimit-limit': '10', 'ratelimit-remaining': '2', 'ratelimit-reset': String(clock.now() / 1000 + 30) });
    expect(await pacer.acquire()).toBe(false);
    expect(await pacer.acquire()).toBe(false);
    // Two on their way spend the last two: the third waits for the reset, then for their answers.
    const third = pacer.acquire();
    pacer.release({ 'ratelimit-remaining': '1', 'ratelimit-reset': String(clock.now() / 1000 - 1) });
    expect(await third).toBe(true);
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(30_000);
  });

  it('after a reset sends one probe, then trusts its answer', async () => {
    const clock = fakeClock();
    const pacer = new RateLimitPacer(clock);
    await pacer.acquire();
    pacer.release({ 'ratelimit-remaining': '0', 'ratelimit-reset': String(clock.now() / 1000 + 1) });
    expect(await pacer.acquire()).toBe(true); // the probe, after the reset
    let second = false;
    const waiting = pacer.acquire().then(() => (second = true));
    await Promise.resolve();
    expect(second).toBe(false);
    pacer.release({ 'ratelimit-remaining': '40', 'ratelimit-reset': String(clock.now() / 1000 + 60) });
    await waiting;
    expect(second).toBe(true);
    expect(await pacer.acquire()).toBe(false);
  });

  it('reads reset on the server clock when the clocks disagree', () => {
    const now = Date.parse('2025-01-01T12:00:00Z');
    const serverDate = new Date(now - 3_600_000).toUTCString(); // server an hour behind
    const reset = (now - 3_600_000) / 1000 + 20;
    expect(resetToLocal(reset, serverDate, now)).toBe(now + 20_000);
    expect(resetToLocal(reset + 3_600, new Date(now).toUTCString(), now)).toBe(now + 20_000);
    expect(resetToLocal(5, undefined, now)).toBe(now + 5_000); // delta-seconds form
  });

  it('lets Retry-After override a remaining=0 from the same answer', async () => {
    const clock = fakeClock();
    const pacer = new RateLimitPacer(clock);
    await pacer.acquire();
    pacer.release({ 'ratelimit-limit': '250', 'ratelimit-remaining': '0', 'ratelimit-reset': String(clock.now() / 1000 + 3_000) });
    expect(pacer.throttled(2_000)).toBe(2_000);
    expect(await pacer.acquire()).toBe(true);
    expect(clock.slept).toEqual([2_000]);
  });

  it('ignores an answer from a window that is already over', async () => {
    const clock = fakeClock();
    const pacer = new RateLimitPacer(clock);
    await pacer.acquire();
    pacer.release({ 'ratelimit-remaining': '0', 'ratelimit-reset': String(clock.now() / 1000 - 1) });
    expect(await pacer.acquire()).toBe(false);
  });
});
