// The early start of a SELECT's certain requests (engine/early-fetch.ts, sql/tree/certain-scans.ts) sends exactly
// the requests the statement sends without it: for StackQL's example statements, statements that never read the
// table (WHERE false, LIMIT 0, a get by id, a subquery that never runs, errors before any read), several accounts,
// templates and the row cache, the sandbox serves the same requests (as a multiset) with and without it, and a
// failing early request is reported once, as the same request's error is without it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type RequestEvent } from '../../src/api/client.js';
import { createSession } from '../../src/engine/session.js';
import type { EngineApi } from '../../src/engine/fetcher.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { buildMissing, catalog, doqlAt, startSandbox } from './helpers.js';
import { doctlHome, doqlAccounts, startTwoAccounts, TOKEN_A, TOKEN_B } from '../accounts/helpers.js';

const DOCS = join(import.meta.dirname, '..', '..', '..', 'shared', 'stackql-digitalocean', 'docs');

/** StackQL's SELECT examples, each `{{ placeholder }}` filled with 1 (a value the sandbox may or may not know). */
function stackqlSelects(): string[] {
  if (!existsSync(DOCS)) return [];
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.md') ? [p] : [];
    });
  const out: string[] = [];
  for (const file of walk(DOCS).sort()) {
    for (const m of readFileSync(file, 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)) {
      const sql = m[1].trim();
      if (/^SELECT\b/i.test(sql)) out.push(sql.replace(/\{\{\s*[A-Za-z0-9_-]+\s*\}\}/g, '1'));
    }
  }
  return out;
}

const FAN_OUT = 'SELECT c.name, b.created_at, b.size_gigabytes FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id';

/** Statements that read a table whole (started early) and others that may not read it at all. */
const OWN = [
  FAN_OUT,
  'SELECT count(*) AS n FROM digitalocean.compute.droplets',
  'SELECT * FROM digitalocean.compute.droplets',
  "SELECT name, region->>'slug' AS region FROM digitalocean.compute.droplets ORDER BY name",
  "SELECT region->>'slug' AS r, count(*), sum(vcpus) FROM digitalocean.compute.droplets GROUP BY region->>'slug'",
  'SELECT c.name, b.created_at FROM digitalocean.databases.clusters c LEFT JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id',
  'SELECT DISTINCT c.engine FROM digitalocean.databases.clusters c',
  // Never the early request: nothing read, something narrowing the read, or an error before any read.
  'SELECT name FROM digitalocean.compute.droplets WHERE false',
  'SELECT name FROM digitalocean.compute.droplets LIMIT 0',
  'SELECT name FROM digitalocean.compute.droplets LIMIT 1',
  'SELECT name FROM digitalocean.compute.droplets WHERE id = 1',
  "SELECT name FROM digitalocean.databases.clusters WHERE id = 'x'",
  "SELECT c.name FROM digitalocean.databases.clusters c WHERE c.tag_name = 'prod'",
  'SELECT (SELECT count(*) FROM digitalocean.compute.droplets) AS n FROM digitalocean.vpcs.vpcs WHERE false',
  'SELECT CASE WHEN false THEN (SELECT count(*) FROM digitalocean.compute.droplets) END',
  'SELECT v.name FROM digitalocean.vpcs.vpcs v WHERE EXISTS (SELECT 1 FROM digitalocean.compute.droplets d WHERE d.vpc_uuid = v.id)',
  'SELECT d.name FROM digitalocean.compute.droplets d JOIN digitalocean.vpcs.vpcs v ON v.id = d.vpc_uuid',
  'SELECT d.name FROM digitalocean.compute.droplets d, digitalocean.vpcs.vpcs v',
  'SELECT nosuch FROM digitalocean.compute.droplets',
  'SELECT name, nosuch(name) FROM digitalocean.compute.droplets',
  'SELECT 1/0 FROM digitalocean.compute.droplets',
  "SELECT '{bad'::jsonb ->> 'a' FROM digitalocean.compute.droplets",
  "SELECT name::int FROM digitalocean.compute.droplets",
  'SELECT name FROM digitalocean.compute.droplets ORDER BY 5',
  'SELECT c.name FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid > c.id',
  'SELECT name FROM digitalocean.databases.backups',
  'SELECT * FROM digitalocean.compute.droplets UNION ALL SELECT * FROM digitalocean.compute.droplets',
  'WITH d AS (SELECT * FROM digitalocean.compute.droplets) SELECT count(*) FROM d',
];

/** What one statement did: its outcome and every request, as the sandbox and the client saw them. */
interface Trace {
  outcome: string;
  served: Record<string, number>;
  urls: string[];
}

async function trace(sb: Sandbox, sql: string, early: boolean, options: { vars?: Record<string, string>; cacheTtlMs?: number; repeat?: number } = {}): Promise<Trace> {
  const urls: string[] = [];
  const client = createApiClient({ baseUrl: sb.url, token: sb.token, retries: 0, onRequest: (ev: RequestEvent) => urls.push(`${ev.method} ${ev.url.slice(sb.url.length)} ${ev.status}`) });
  const session = createSession({ catalog: catalog(), api: () => client, vars: options.vars, cacheTtlMs: options.cacheTtlMs });
  sb.resetCounts();
  const before = process.env.DOQL_NO_PREFETCH;
  if (early) delete process.env.DOQL_NO_PREFETCH;
  else process.env.DOQL_NO_PREFETCH = '1';
  let outcome = '';
  try {
    for (let i = 0; i < (options.repeat ?? 1); i++) {
      const [r] = await session.execute(sql);
      outcome += `${r!.command} `;
    }
  } catch (err) {
    outcome += `error: ${sansRequestId((err as Error).message)}`;
  } finally {
    if (before === undefined) delete process.env.DOQL_NO_PREFETCH;
    else process.env.DOQL_NO_PREFETCH = before;
    session.close();
    await client.close();
  }
  return { outcome, served: sb.requests().byRouteStatus, urls: urls.sort() };
}

/** Each response has its own request id. */
const sansRequestId = (text: string): string => text.replace(/request id [0-9a-f-]+/g, 'request id …');

const unhandled: unknown[] = [];
const onUnhandled = (err: unknown): void => {
  unhandled.push(err);
};

describe.skipIf(buildMissing())('early start of the requests a SELECT is certain to make', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    sb = await startSandbox({ seed: 61, count: { 'databases.clusters': 5, 'compute.droplets': 7 } });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await sb.close();
  });
  afterEach(() => {
    sb.setFaults(undefined);
    expect(unhandled).toEqual([]);
  });

  const corpus = [...OWN, ...stackqlSelects()];

  it('reads StackQL example statements too (../shared is there)', () => {
    expect(corpus.length).toBeGreaterThan(OWN.length + 50);
  });

  it.each(corpus.map((sql) => [sql]))('the same requests with and without the early start: %s', async (sql) => {
    const without = await trace(sb, sql, false);
    const withEarly = await trace(sb, sql, true);
    expect(withEarly).toEqual(without);
  });

  it('starts the certain request before SQLite runs the statement, and only that one', async () => {
    const order: string[] = [];
    const client = createApiClient({ baseUrl: sb.url, token: sb.token });
    const api: EngineApi = {
      request: (req) => (order.push(`GET ${req.path}`), client.request(req)),
      list: (req) => (order.push(`GET ${req.path}`), client.list(req)),
    };
    const session = createSession({ catalog: catalog(), api: () => api, blocking: (work) => (order.push('sqlite'), work()) });
    try {
      await session.execute(FAN_OUT);
      expect(order.slice(0, 2)).toEqual(['GET /v2/databases', 'sqlite']);
      order.length = 0;
      await session.execute('SELECT name FROM digitalocean.compute.droplets WHERE id > 0');
      expect(order.slice(0, 2)).toEqual(['sqlite', 'GET /v2/droplets']);
    } finally {
      session.close();
      await client.close();
    }
  });

  it('the row cache still serves a repeated statement (no request the second time)', async () => {
    const without = await trace(sb, FAN_OUT, false, { cacheTtlMs: 60_000, repeat: 2 });
    const withEarly = await trace(sb, FAN_OUT, true, { cacheTtlMs: 60_000, repeat: 2 });
    expect(withEarly).toEqual(without);
    expect(withEarly.served['GET /v2/databases 200']).toBe(1);
  });

  it('templates expand before the statement is read', async () => {
    const sql = "SELECT name, '{{ label }}' AS label FROM digitalocean.compute.droplets";
    const withEarly = await trace(sb, sql, true, { vars: { label: 'x' } });
    expect(withEarly).toEqual(await trace(sb, sql, false, { vars: { label: 'x' } }));
    expect(withEarly.outcome).toBe('SELECT 7 ');
  });

  it('a 500 on the early request fails the statement once, as without it', async () => {
    sb.setFaults({ rate: 1, kinds: ['500'] });
    const without = await trace(sb, FAN_OUT, false);
    const withEarly = await trace(sb, FAN_OUT, true);
    expect(withEarly).toEqual(without);
    expect(withEarly.outcome).toMatch(/^error: .*500/);
    expect(withEarly.served).toEqual({ 'GET /v2/databases 500': 1 });
  });

  it('a 404 and a 401 on the early request too', async () => {
    const at = (base: string, token: string) => ({ ...sb, url: base, token }) as Sandbox;
    for (const target of [at(`${sb.url}/nowhere`, sb.token), at(sb.url, 'not-a-token')]) {
      const without = await trace(target, 'SELECT count(*) FROM digitalocean.compute.droplets', false);
      const withEarly = await trace(target, 'SELECT count(*) FROM digitalocean.compute.droplets', true);
      expect(withEarly).toEqual(without);
      expect(withEarly.outcome).toMatch(/^error: /);
      expect(withEarly.urls).toHaveLength(1);
      expect(withEarly.urls[0]).toMatch(/ (404|401)$/);
    }
  });

  it('an abort stops the early request, and the statement says it was cancelled', async () => {
    sb.setLatency(400);
    try {
      for (const early of [false, true]) {
        if (early) delete process.env.DOQL_NO_PREFETCH;
        else process.env.DOQL_NO_PREFETCH = '1';
        const client = createApiClient({ baseUrl: sb.url, token: sb.token });
        const session = createSession({ catalog: catalog(), api: () => client });
        sb.resetCounts();
        const stop = new AbortController();
        setTimeout(() => stop.abort(), 150);
        const started = performance.now();
        await expect(session.execute('SELECT count(*) FROM digitalocean.compute.droplets', { signal: stop.signal })).rejects.toMatchObject({ code: 'cancelled' });
        expect(performance.now() - started).toBeLessThan(390);
        session.close();
        await client.close();
      }
    } finally {
      delete process.env.DOQL_NO_PREFETCH;
      sb.setLatency(0);
    }
  });
});

describe.skipIf(buildMissing())('early start in the CLI', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 62, count: { 'databases.clusters': 20 } });
  });
  afterAll(async () => {
    await sb.close();
  });
  /** `-v`'s request lines without their times, sorted: the requests the process sent. */
  const requestLines = (stderr: string): string[] =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('GET '))
      .map((l) => l.replace(/ \d+ ms.*$/, ''))
      .sort();

  it('sends the same requests and prints the same rows with and without DOQL_NO_PREFETCH', async () => {
    const runs = [];
    for (const env of [{ DOQL_NO_PREFETCH: '1' }, {}]) {
      sb.resetCounts();
      const r = await doqlAt(sb, ['-v', '-o', 'json', FAN_OUT], env);
      expect(r.code).toBe(0);
      runs.push({ stdout: r.stdout, requests: requestLines(r.stderr), served: sb.requests().byRouteStatus });
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[1]!.requests).toHaveLength(21);
  });

  it('an early request that fails is reported once, exit 1', async () => {
    sb.setFaults({ rate: 1, kinds: ['500'] });
    try {
      const runs = [];
      for (const env of [{ DOQL_NO_PREFETCH: '1' }, {}]) {
        const r = await doqlAt(sb, ['--retries', '0', FAN_OUT], env);
        runs.push({ code: r.code, stderr: sansRequestId(r.stderr), stdout: r.stdout });
      }
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[1]!.code).toBe(1);
      expect(runs[1]!.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      sb.setFaults(undefined);
    }
  });
});

describe.skipIf(buildMissing())('early start over several accounts (--context a,b)', () => {
  let sb: Sandbox;
  let home: string;
  beforeAll(async () => {
    sb = await startTwoAccounts({ count: { 'compute.droplets': 3, 'databases.clusters': 4 } });
    home = doctlHome();
  });
  afterAll(async () => {
    await sb.close();
  });

  // (A join of clusters to backups would ask each account for the other's clusters' backups: 404s in either order.)
  it.each([
    ['SELECT name FROM digitalocean.databases.clusters ORDER BY name'],
    ['SELECT context, count(*) FROM digitalocean.compute.droplets GROUP BY context'],
    ['SELECT count(*) FROM digitalocean.compute.droplets'],
  ])(
    'each account sends the same requests with and without it: %s',
    async (sql) => {
      const runs = [];
      for (const env of [{ DOQL_NO_PREFETCH: '1' }, {}]) {
        sb.resetCounts();
        const r = await doqlAccounts(sb, home, ['--context', 'a,b', '-o', 'json', sql], env);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        runs.push({ stdout: r.stdout, a: sb.requests(TOKEN_A).byRoute, b: sb.requests(TOKEN_B).byRoute });
      }
      expect(runs[1]).toEqual(runs[0]);
    },
  );
});
