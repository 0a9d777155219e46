// Identical requests within a statement are made once; the read cache serves later statements only
// within its TTL; with TTL 0 every statement (and every session) sees the API's current data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { buildMissing, directGet, doqlAt, routes, sessionFor, startSandbox } from './helpers.js';

const missingBuild = buildMissing();
const LIST = 'GET /v2/droplets';
const COUNT = 'SELECT count(*) FROM digitalocean.compute.droplets';

describe('dedupe within a statement and the read cache across statements', () => {
  let sb: Sandbox;
  let ids: number[];

  beforeAll(async () => {
    // 450 droplets: 3 pages per listing, so "listed once" means exactly 3 requests.
    sb = await startSandbox({ seed: 51, count: { 'compute.droplets': 450 } });
    ids = sb.ids('compute.droplets').map(Number);
  });
  afterAll(() => sb.close());

  async function createDroplet(name: string): Promise<void> {
    const res = await fetch(`${sb.url}/v2/droplets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sb.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name, region: 'nyc3', size: 's-1vcpu-1gb', image: 'ubuntu-22-04-x64' }),
    });
    expect(res.status).toBe(202);
  }

  it.each([
    ['a self-join of droplets', 'SELECT count(*) FROM digitalocean.compute.droplets a JOIN digitalocean.compute.droplets b ON a.id = b.id', 450],
    [
      'the listing in a subquery and the outer query',
      'SELECT count(*) FROM digitalocean.compute.droplets WHERE id IN (SELECT id FROM digitalocean.compute.droplets WHERE memory > 0)',
      450,
    ],
    ['UNION ALL of the same listing', `${COUNT} UNION ALL ${COUNT}`, null],
  ])('%s lists the droplets once (3 pages)', async (_name, sql, expected) => {
    sb.resetCounts();
    const t = sessionFor(sb);
    const rows = await t.rows(sql);
    if (expected !== null) expect(rows).toEqual([[expected]]);
    else expect(rows).toEqual([[450], [450]]);
    expect(routes(sb)).toEqual({ [LIST]: 3 });
  });

  it('the same get reached twice in one statement is made once', async () => {
    sb.resetCounts();
    const t = sessionFor(sb);
    const rows = await t.rows(
      `SELECT a.id FROM digitalocean.compute.droplets a WHERE droplet_id = ${ids[9]} UNION ALL SELECT id FROM digitalocean.compute.droplets WHERE droplet_id IN (${ids[9]}, ${ids[9]})`,
    );
    expect(rows).toEqual([[ids[9]], [ids[9]]]);
    expect(routes(sb)).toEqual({ 'GET /v2/droplets/{droplet_id}': 1 });
  });

  it('TTL 0: ten identical statements in one session make ten listings', async () => {
    sb.resetCounts();
    const t = sessionFor(sb);
    for (let i = 0; i < 10; i++) await t.rows('SELECT count(*) FROM digitalocean.compute.droplets WHERE per_page = 5');
    expect(routes(sb)).toEqual({ [LIST]: 10 });
    expect(t.session.cache.hits).toBe(0);
  });

  it('TTL 0: a second session sharing the cache, and the first one, see a droplet created in between', async () => {
    const a = sessionFor(sb);
    const before = (await a.rows(COUNT))[0]![0] as number;
    await createDroplet('fresh-after-first-read');
    const b = sessionFor(sb, { cache: a.session.cache });
    expect(await b.rows(COUNT)).toEqual([[before + 1]]);
    expect(await a.rows(COUNT)).toEqual([[before + 1]]);
    expect(await b.rows("SELECT count(*) FROM digitalocean.compute.droplets WHERE name = 'fresh-after-first-read'")).toEqual([[1]]);
  });

  it('TTL 60 s: a later statement in the session is served from the cache (no request, stale by design)', async () => {
    const t = sessionFor(sb, { cacheTtlMs: 60_000 });
    const before = (await t.rows(COUNT))[0]![0] as number;
    sb.resetCounts();
    await createDroplet('made-while-cached');
    expect(await t.rows(COUNT)).toEqual([[before]]);
    expect(routes(sb)).toEqual({ 'POST /v2/droplets': 1 });
    expect(t.session.cache.hits).toBe(1);
    // A fresh session with its own cache sees the new droplet.
    expect(await sessionFor(sb).rows(COUNT)).toEqual([[before + 1]]);
  });

  describe.skipIf(Boolean(missingBuild))('the CLI, several statements in one run', () => {
    const script = `${COUNT}; SELECT count(DISTINCT id) FROM digitalocean.compute.droplets;`;

    it('--cache-ttl 60: the second statement is served from the cache (one listing in all, cache hits 1)', async () => {
      const total = ((await directGet(sb, '/v2/droplets?per_page=1')).meta as { total: number }).total;
      sb.resetCounts();
      const r = await doqlAt(sb, ['--cache-ttl', '60', '--stats', '-o', 'json', script]);
      expect(r.code).toBe(0);
      // Two result sets in one JSON document, columns named as Postgres names them: count, not count(*).
      expect(JSON.parse(r.stdout)).toEqual([[{ count: total }], [{ count: total }]]);
      expect(routes(sb)).toEqual({ [LIST]: 3 });
      expect(r.stderr).toMatch(/^stats: requests 3, pages 3, retries 0, rate-limit waits 0, bytes \d+, cache hits 1, rounds \d+, time \d+ ms\n$/);
    });

    it('the default (TTL 0): each statement lists again', async () => {
      sb.resetCounts();
      const r = await doqlAt(sb, ['--stats', '-o', 'json', script]);
      expect(r.code).toBe(0);
      expect(routes(sb)).toEqual({ [LIST]: 6 });
      expect(r.stderr).toMatch(/^stats: requests 6, pages 6, .*cache hits 0, /);
    });
  });
});

describe('concurrency of the fan-out', () => {
  it('30 clusters → backups at 100 ms a request: fetched concurrently (well under the 3.1 s of one at a time)', async () => {
    const sb = await startSandbox({ seed: 52, count: { 'databases.clusters': 30 }, latencyMs: 100 });
    try {
      const t = sessionFor(sb);
      const started = performance.now();
      const rows = await t.rows(
        'SELECT count(DISTINCT c.id) FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id',
      );
      const ms = performance.now() - started;
      expect(rows).toEqual([[30]]);
      expect(routes(sb)).toEqual({ 'GET /v2/databases': 1, 'GET /v2/databases/{database_cluster_uuid}/backups': 30 });
      expect(ms).toBeLessThan(1_500);
    } finally {
      await sb.close();
    }
  });
});
