// Pagination: without page/per_page in WHERE every page is fetched at per_page=200; with them pinned,
// exactly that one page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { directGet, directList, routes, sessionFor, startSandbox } from './helpers.js';

const query = (url: string): Record<string, string> => Object.fromEntries(new URL(url, 'http://x').searchParams);

describe('pagination', () => {
  let sb: Sandbox;
  let allIds: number[];

  beforeAll(async () => {
    sb = await startSandbox({ seed: 41, count: { 'compute.droplets': 1000 } });
    allIds = (await directList(sb, '/v2/droplets', 'droplets')).map((d) => d.id as number).sort((a, b) => a - b);
    expect(new Set(allIds).size).toBe(1000);
  });
  afterAll(() => sb.close());

  it('1,000 droplets: 5 requests at per_page=200 (pages 1–5), 1,000 distinct ids, the same as the API holds', async () => {
    sb.resetCounts();
    const t = sessionFor(sb);
    const rows = await t.rows('SELECT id FROM digitalocean.compute.droplets ORDER BY id');
    expect(rows.map((r) => r[0])).toEqual(allIds);
    expect(routes(sb)).toEqual({ 'GET /v2/droplets': 5 });
    expect(t.urls.map(query).sort((a, b) => Number(a.page ?? 1) - Number(b.page ?? 1))).toEqual([
      { per_page: '200' },
      { per_page: '200', page: '2' },
      { per_page: '200', page: '3' },
      { per_page: '200', page: '4' },
      { per_page: '200', page: '5' },
    ]);
    expect(t.client.stats().pages).toBe(5);
  });

  it('count(*) and count(DISTINCT id) agree at 1,000', async () => {
    const t = sessionFor(sb);
    expect(await t.rows('SELECT count(*), count(DISTINCT id) FROM digitalocean.compute.droplets')).toEqual([[1000, 1000]]);
  });

  it.each([
    ['page = 2 AND per_page = 50', { page: '2', per_page: '50' }],
    ['page = 3 (the API default page size)', { page: '3' }],
    ['per_page = 7 (page 1)', { per_page: '7' }],
    ['page = 5 AND per_page = 200 (the last page)', { page: '5', per_page: '200' }],
    ['page = 9 AND per_page = 200 (past the end)', { page: '9', per_page: '200' }],
  ])('pinned %s fetches just that page, in one request', async (where, pinned) => {
    sb.resetCounts();
    const t = sessionFor(sb);
    const cond = Object.entries(pinned)
      .map(([k, v]) => `${k} = ${v}`)
      .join(' AND ');
    const rows = await t.rows(`SELECT id FROM digitalocean.compute.droplets WHERE ${cond}`);
    const qs = new URLSearchParams(pinned).toString();
    const expected = ((await directGet(sb, `/v2/droplets?${qs}`)).droplets as { id: number }[]).map((d) => [d.id]);
    expect(rows).toEqual(expected);
    expect(t.urls).toHaveLength(1);
    expect(query(t.urls[0]!)).toEqual(pinned);
    expect(routes(sb)).toEqual({ 'GET /v2/droplets': 2 }); // ours and the direct one
    expect(where).toBeTruthy();
  });

  it('a pinned page together with a filter sends both', async () => {
    const tag = ((await directGet(sb, '/v2/droplets?per_page=200')).droplets as { tags: string[] }[]).flatMap((d) => d.tags)[0]!;
    const t = sessionFor(sb);
    const rows = await t.rows(`SELECT id FROM digitalocean.compute.droplets WHERE tag_name = '${tag}' AND per_page = 10 AND page = 2`);
    expect(t.urls.map(query)).toEqual([{ tag_name: tag, per_page: '10', page: '2' }]);
    const expected = ((await directGet(sb, `/v2/droplets?tag_name=${encodeURIComponent(tag)}&per_page=10&page=2`)).droplets as { id: number }[]).map((d) => [d.id]);
    expect(rows).toEqual(expected);
    expect(rows).toHaveLength(10);
  });
});
