// With no cache TTL (the CLI's one-shot runs), a listing keeps only the columns its statement reads,
// converted page by page as pages arrive in any order: the rows must be exactly the API's, in its order,
// and a later statement that reads other columns must never see the dropped ones as nulls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { directList, sessionFor, startSandbox } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  // 6 pages, and jitter so pages 2..6 finish out of order.
  sb = await startSandbox({ seed: 21, count: { 'compute.droplets': 1_050 }, latencyMs: 5, jitterMs: 40 });
});
afterAll(() => sb.close());

describe('one-shot listings keep only the columns read', () => {
  it('returns every row in the API order with the values read, envelope and whole-item columns included', async () => {
    const t = sessionFor(sb);
    try {
      const want = await directList(sb, '/v2/droplets', 'droplets');
      const rows = await t.rows("SELECT id, name, region ->> '$.slug', droplets ->> '$.status', meta ->> '$.total' FROM digitalocean.compute.droplets");
      expect(rows).toEqual(want.map((d) => [d.id, d.name, (d.region as { slug: string }).slug, d.status, 1_050]));
      expect(await t.rows('SELECT count(*) FROM digitalocean.compute.droplets')).toEqual([[1_050]]);
    } finally {
      t.session.close();
      await t.client.close();
    }
  });

  it('a later statement reading other columns fetches again, even once the TTL is raised', async () => {
    const t = sessionFor(sb);
    try {
      const want = await directList(sb, '/v2/droplets', 'droplets');
      await t.rows('SELECT id FROM digitalocean.compute.droplets');
      t.session.cache.ttlMs = 600_000;
      const before = t.urls.length;
      const rows = await t.rows('SELECT id, status, memory FROM digitalocean.compute.droplets');
      expect(rows).toEqual(want.map((d) => [d.id, d.status, d.memory]));
      expect(t.urls.length - before).toBe(6);
    } finally {
      t.session.close();
      await t.client.close();
    }
  });
});
