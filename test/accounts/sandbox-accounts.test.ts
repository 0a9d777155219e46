// `doql sandbox --token A --token B`: one URL, an account per token with its own resources, counts and budget;
// any other token gets DigitalOcean's 401, as does a revoked one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { Sandbox } from '../../src/sandbox/index.js';
import { DOQL_BIN } from '../cli/doql-home.js';
import { stopChild } from '../support/run-process.js';
import { buildMissing, doql, tempDir } from '../select/helpers.js';
import { startTwoAccounts, TOKEN_A, TOKEN_B } from './helpers.js';

const get = async (url: string, token: string): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const ids = (body: Record<string, unknown>): unknown[] => (body.droplets as { id: unknown }[]).map((d) => d.id);

describe('a sandbox with two accounts', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startTwoAccounts({ rateLimit: { limit: 2, windowSeconds: 60 } });
  });
  afterAll(() => sb?.close());

  it('gives each token its own resources, counts and rate-limit budget', async () => {
    sb.reset();
    const a = await get(`${sb.url}/v2/droplets`, TOKEN_A);
    const b = await get(`${sb.url}/v2/droplets`, TOKEN_B);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(ids(a.body)).toHaveLength(3);
    expect(ids(b.body)).toHaveLength(3);
    expect(ids(a.body)).not.toEqual(ids(b.body));
    expect(sb.tokens).toEqual([TOKEN_A, TOKEN_B]);
    // A's budget of 2 is spent by A alone: B still has its own.
    expect((await get(`${sb.url}/v2/droplets`, TOKEN_A)).status).toBe(200);
    expect((await get(`${sb.url}/v2/droplets`, TOKEN_A)).status).toBe(429);
    expect((await get(`${sb.url}/v2/droplets`, TOKEN_B)).status).toBe(200);
    expect(sb.requests(TOKEN_A).total).toBe(3);
    expect(sb.requests(TOKEN_B).total).toBe(2);
    expect(sb.requests().total).toBe(5);
    const admin = await (await fetch(`${sb.url}/_sandbox/requests?token=${TOKEN_B}`)).json();
    expect(admin.total).toBe(2);
  });

  it("answers an unknown token, and a revoked one, with DigitalOcean's 401 body", async () => {
    sb.reset();
    const unknown = await get(`${sb.url}/v2/droplets`, 'nobody');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ id: 'unauthorized', message: 'Unable to authenticate you' });
    expect(typeof unknown.body.request_id).toBe('string');
    const revoked = await startTwoAccounts();
    try {
      expect((await get(`${revoked.url}/v2/droplets`, TOKEN_B)).status).toBe(200);
      revoked.revoke(TOKEN_B);
      expect((await get(`${revoked.url}/v2/droplets`, TOKEN_B)).status).toBe(401);
      expect((await get(`${revoked.url}/v2/droplets`, TOKEN_A)).status).toBe(200);
    } finally {
      await revoked.close();
    }
  });
});

describe.skipIf(buildMissing())('doql sandbox --token A --token B', () => {
  let child: ChildProcess | undefined;
  afterAll(() => (child ? stopChild(child) : undefined));

  it('serves both accounts at the one URL it prints', async () => {
    const home = tempDir('doql-home-');
    child = spawn(process.execPath, [DOQL_BIN, 'sandbox', '--port', '0', '--token', 'A', '--token', 'B', '--count', 'compute.droplets=2'], {
      env: { PATH: process.env.PATH ?? '', HOME: home, DOQL_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child!.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m && /token: B/.test(out)) resolve(m[1]);
      });
      child!.on('exit', (code) => reject(new Error(`sandbox exited ${code}: ${out}`)));
    });
    expect(out).toContain('token: A (account 1)');
    expect(out).toContain('token: B (account 2)');
    const a = await get(`${url}/v2/droplets`, 'A');
    const b = await get(`${url}/v2/droplets`, 'B');
    expect(ids(a.body)).toHaveLength(2);
    expect(ids(a.body)).not.toEqual(ids(b.body));
    expect((await get(`${url}/v2/droplets`, 'C')).status).toBe(401);
  });
});

describe.skipIf(buildMissing())('doql --sandbox --context a,b', () => {
  // One DOQL_HOME for the runs: the in-process sandbox keeps each context's account there between them.
  const home = tempDir('doql-sandbox-contexts-');
  const run = async (args: string[]): Promise<Record<string, unknown>[]> => {
    const r = await doql(['--sandbox', '-o', 'json', ...args], { DOQL_HOME: home });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>[]) : [];
  };
  const counts = (contexts: string): Promise<Record<string, unknown>[]> =>
    run(['--context', contexts, 'SELECT context, count(*) AS n FROM digitalocean.compute.droplets GROUP BY context ORDER BY context']);

  it("keeps every context's account between runs, each its own, the same when named alone", async () => {
    const plainCount = (): Promise<Record<string, unknown>[]> => run(['SELECT count(*) AS n FROM digitalocean.compute.droplets']);
    const plainBefore = await plainCount();
    const before = await counts('a,b');
    const [a, b] = before.map((r) => Number(r.n));
    const [victim] = await run(['--context', 'a,b', "SELECT id FROM digitalocean.compute.droplets WHERE context = 'b' ORDER BY id LIMIT 1"]);
    await run(['--context', 'a,b', `DELETE FROM digitalocean.compute.droplets WHERE context = 'b' AND droplet_id = ${String(victim.id)}`]);
    // The next run sees b's change, and a as it was.
    expect(await counts('a,b')).toEqual([
      { context: 'a', n: a },
      { context: 'b', n: b - 1 },
    ]);
    // Named alone, b is the same account; a change made there shows in the next run over both.
    expect(await counts('b')).toEqual([{ context: 'b', n: b - 1 }]);
    const [other] = await run(['--context', 'a', 'SELECT id FROM digitalocean.compute.droplets ORDER BY id LIMIT 1']);
    await run(['--context', 'a', `DELETE FROM digitalocean.compute.droplets WHERE droplet_id = ${String(other.id)}`]);
    expect(await counts('a,b')).toEqual([
      { context: 'a', n: a - 1 },
      { context: 'b', n: b - 1 },
    ]);
    // The plain --sandbox account is none of them: the deletes in a and b left it as it was.
    expect(await plainCount()).toEqual(plainBefore);
    // `doql sandbox reset` forgets them all.
    const reset = await doql(['sandbox', 'reset'], { DOQL_HOME: home });
    expect(reset.code).toBe(0);
    expect(await counts('a,b')).toEqual(before);
  }, 180_000);

  it('an account is the same whichever contexts it is named with, and differs from the others', async () => {
    const ids = async (dir: string, contexts: string): Promise<Map<string, unknown[]>> => {
      const r = await doql(['--sandbox', '-o', 'json', '--context', contexts, 'SELECT context, id FROM digitalocean.compute.droplets ORDER BY id LIMIT 1000'], { DOQL_HOME: dir });
      expect(r.code).toBe(0);
      const byContext = new Map<string, unknown[]>();
      for (const row of JSON.parse(r.stdout) as { context: string; id: unknown }[]) byContext.set(row.context, [...(byContext.get(row.context) ?? []), row.id]);
      return byContext;
    };
    // b created first (alone), then a beside it; and in another home, a and b created together.
    const first = tempDir('doql-sandbox-order-');
    const bAlone = (await ids(first, 'b')).get('b');
    const later = await ids(first, 'a,b');
    const together = await ids(tempDir('doql-sandbox-order-'), 'a,b');
    expect(bAlone?.length).toBeGreaterThan(0);
    expect(later.get('b')).toEqual(bAlone);
    expect(together.get('b')).toEqual(bAlone);
    expect(together.get('a')).toEqual(later.get('a'));
    // Ids are unique across accounts, as across DigitalOcean.
    const a = new Set(later.get('a'));
    expect(bAlone?.some((id) => a.has(id))).toBe(false);
  }, 120_000);
});
