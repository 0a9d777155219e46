// `doql sandbox`: argument parsing, validation, and a server that starts and stops.
import { describe, expect, it } from 'vitest';
import { DoqlError } from '../errors.js';
import { parseSandboxArgs, runSandboxServer, sandboxOptionsFrom } from './command.js';

describe('doql sandbox options', () => {
  it('parses every flag', () => {
    const o = parseSandboxArgs([
      '--host', '0.0.0.0', '--port=8080', '--seed', '7', '--token', 't', '--count', 'compute.droplets=100', '--count', '/v2/vpcs=2',
      '--latency', '20', '--jitter', '5', '--fault-rate', '0.1', '--rate-limit', '10', '--rate-window', '5', '--action-delay', '100',
      '--action-error-rate', '0.25',
    ]);
    const s = sandboxOptionsFrom(o);
    expect(s).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      seed: 7,
      token: 't',
      count: { 'compute.droplets': 100, '/v2/vpcs': 2 },
      latencyMs: 20,
      jitterMs: 5,
      faults: { rate: 0.1 },
      rateLimit: { limit: 10, windowSeconds: 5 },
      actionDelayMs: 100,
      actionErrorRate: 0.25,
    });
    expect(sandboxOptionsFrom(parseSandboxArgs(['--no-rate-limit'])).rateLimit).toBe(false);
  });

  it.each([
    [['--port', 'x']],
    [['--fault-rate', '2']],
    [['--action-error-rate', '-0.1']],
    [['--count', 'droplets']],
    [['--bogus', '1']],
    [['--seed']],
  ])('refuses %j with a usage error', (argv) => {
    let err: unknown;
    try {
      sandboxOptionsFrom(parseSandboxArgs(argv));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DoqlError);
    expect((err as DoqlError).code).toBe('usage');
  });

  it('serves until stopped, printing its URL and token', async () => {
    const { builtInCatalog } = await import('../../test/sandbox/test-catalog.js');
    const out: string[] = [];
    const stop = new AbortController();
    let url = '';
    const running = runSandboxServer(
      { port: 0, token: 'abc', count: { '/v2/droplets': 3 } },
      { out: { write: (t: string) => out.push(t) }, signal: stop.signal, onListening: (u) => (url = u), catalog: builtInCatalog() },
    );
    while (!url) await new Promise((r) => setTimeout(r, 10));
    const r = await fetch(`${url}/v2/droplets`, { headers: { authorization: 'Bearer abc' } });
    expect((await r.json()).meta.total).toBe(3);
    stop.abort();
    await running;
    expect(out.join('')).toContain(`listening on ${url}`);
    expect(out.join('')).toContain('token: abc');
  });
});
