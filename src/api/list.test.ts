import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, DoqlError } from '../errors.js';
import { createApiClient } from './client.js';
import type { ApiClient } from './types.js';
import { listHandler, sendJson, startFakeServer } from '../../test/api/fake-do-server.js';
import type { FakeServer, Handler } from '../../test/api/fake-do-server.js';

const TOKEN = 'dop_v1_' + 'a'.repeat(64);
let server: FakeServer | undefined;
let client: ApiClient | undefined;

async function setup(handler: Handler, opts: { retries?: number } = {}): Promise<{ server: FakeServer; client: ApiClient }> {
  server = await startFakeServer(handler);
  client = createApiClient({ baseUrl: server.url, token: TOKEN, backoffBaseMs: 5, retries: opts.retries ?? 3 });
  return { server, client };
}

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

const ids = (n: number): unknown[] => Array.from({ length: n }, (_, i) => ({ id: i }));

describe('list: every page', () => {
  it('fetches pages 2..N at once after page 1 reveals the total: per_page=200, 2 round trips', async () => {
    // Round trips counted by the server, not by a clock (a loaded machine stretches any timing): page 1 is
    // answered alone; pages 2..6 are each held until all five are waiting at once, then answered together.
    // A client that sent a later page before page 1's answer, or held one back until another came, fails.
    const pages = listHandler({ total: 1150, key: 'droplets' });
    const held: (() => void)[] = [];
    let page1Answered = false;
    let sentBeforePage1 = 0;
    let allFiveWaited = false;
    let gaveUp = false;
    // Past this the pages were not all sent at once: answer everything from now on, and fail below.
    const giveUp = setTimeout(() => {
      gaveUp = true;
      held.splice(0).forEach((answer) => answer());
    }, 10_000);
    const { server, client } = await setup(async (req, res, raw) => {
      if ((req.query.get('page') ?? '1') === '1') {
        await pages(req, res, raw);
        page1Answered = true;
        return;
      }
      if (!page1Answered) sentBeforePage1++;
      if (!gaveUp) await new Promise<void>((resolve) => {
        held.push(resolve);
        if (held.length === 5) {
          allFiveWaited = true;
          held.splice(0).forEach((answer) => answer());
        }
      });
      await pages(req, res, raw);
    });
    try {
      const out = await client.list({ path: '/v2/droplets', listKey: 'droplets' });
      expect(out.items).toEqual(ids(1150));
      expect(out.pages).toBe(6);
    } finally {
      clearTimeout(giveUp);
    }
    expect(server.count()).toBe(6);
    expect(server.requests.every((r) => r.query.get('per_page') === '200')).toBe(true);
    expect(server.requests.map((r) => r.query.get('page') ?? '1').sort()).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(sentBeforePage1).toBe(0);
    expect(allFiveWaited).toBe(true);
    expect(server.maxConcurrent).toBe(5);
    expect(client.stats()).toMatchObject({ requests: 6, pages: 6, retries: 0, inFlight: 0, done: 6 });
  }, 30_000);

  it.each([
    ['meta.total only', { withLast: false }],
    ['links.pages.last only', { withTotal: false }],
  ])('knows the page count from %s', async (_name, extra) => {
    const { server, client } = await setup(listHandler({ total: 401, key: 'keys', ...extra }));
    const out = await client.list({ path: '/v2/account/keys', listKey: 'keys' });
    expect(out.items).toEqual(ids(401));
    expect(server.count()).toBe(3);
  });

  it('follows links.pages.next one page at a time when there is no total', async () => {
    const { server, client } = await setup(listHandler({ total: 450, key: 'volumes', withTotal: false, withLast: false }));
    const out = await client.list({ path: '/v2/volumes', listKey: 'volumes' });
    expect(out.items).toEqual(ids(450));
    expect(out.pages).toBe(3);
    expect(server.maxConcurrent).toBe(1);
    expect(server.requests.map((r) => r.query.get('page') ?? '1')).toEqual(['1', '2', '3']);
  });

  it('loses no page when the server caps per_page below 200', async () => {
    const { server, client } = await setup(listHandler({ total: 120, key: 'tags', maxPerPage: 50, withLast: false }));
    const out = await client.list({ path: '/v2/tags', listKey: 'tags' });
    expect(out.items).toEqual(ids(120));
    expect(server.count()).toBe(3);
  });

  it('keeps going past the counted last page when that page still links to a next one', async () => {
    // meta.total says 200 (one page) but the list grew: page 1 links to page 2.
    const { client } = await setup((req, res) => {
      const page = Number(req.query.get('page') ?? 1);
      const items = page === 1 ? ids(200) : [{ id: 200 }];
      const pages = page === 1 ? { next: `http://${req.headers.host}${req.path}?page=2&per_page=200` } : {};
      sendJson(res, 200, { images: items, links: { pages }, meta: { total: 200 } });
    });
    const out = await client.list({ path: '/v2/images', listKey: 'images' });
    expect(out.items).toEqual(ids(201));
  });

  it('follows cursor links (page_token) in order', async () => {
    const { server, client } = await setup((req, res) => {
      const tok = req.query.get('page_token');
      const n = tok === null ? 0 : Number(tok.slice(1));
      const next = n < 2 ? `https://api.digitalocean.com${req.path}?page_token=t${n + 1}` : undefined;
      sendJson(res, 200, { repositories: [{ id: n }], links: { pages: next ? { next } : {} }, meta: { total: 3 } });
    });
    const out = await client.list({ path: '/v2/registry/r/repositoriesV2', listKey: 'repositories' });
    expect(out.items).toEqual(ids(3));
    expect(server.requests.map((r) => r.query.get('page_token'))).toEqual([null, 't1', 't2']);
  });

  it('sends links that point at another origin to the configured base, never elsewhere', async () => {
    const { server, client } = await setup(
      listHandler({ total: 500, key: 'domains', withTotal: false, withLast: false, linkOrigin: 'https://api.digitalocean.com' }),
    );
    const out = await client.list({ path: '/v2/domains', listKey: 'domains' });
    expect(out.items).toHaveLength(500);
    expect(server.count()).toBe(3);
    expect(server.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('fetches just the pinned page when the caller gives page/per_page', async () => {
    const { server, client } = await setup(listHandler({ total: 1000, key: 'droplets' }));
    const out = await client.list({ path: '/v2/droplets', listKey: 'droplets', query: { page: 3, per_page: 10 } });
    expect(out.items).toEqual(ids(30).slice(20));
    expect(out.pages).toBe(1);
    expect(server.count()).toBe(1);
    expect(server.requests[0]!.query.toString()).toBe('page=3&per_page=10');
  });

  it('passes filters on every page and keeps items in page order', async () => {
    const { server, client } = await setup(listHandler({ total: 600, key: 'droplets', latencyMs: 5 }));
    const out = await client.list({ path: '/v2/droplets', listKey: 'droplets', query: { tag_name: 'web', x: undefined } });
    expect(out.items).toEqual(ids(600));
    expect(server.requests.every((r) => r.query.get('tag_name') === 'web' && !r.query.has('x'))).toBe(true);
  });

  it.each([
    ['absent', {}],
    ['null', { backups: null }],
  ])('returns no items when the list key is %s', async (_name, body) => {
    const { client } = await setup((_req, res) => sendJson(res, 200, { ...body, links: {}, meta: { total: 0 } }));
    expect((await client.list({ path: '/v2/x', listKey: 'backups' })).items).toEqual([]);
  });
});

describe('list: never partial', () => {
  it('fails the whole list when one page keeps failing, after retrying it', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.query.get('page') === '3') return sendJson(res, 503, { id: 'service_unavailable', message: 'try later' });
      return listHandler({ total: 1000, key: 'droplets' })(req, res, undefined as never);
    }, { retries: 2 });
    const err = await client.list({ path: '/v2/droplets', listKey: 'droplets' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(503);
    expect((err as ApiError).message).toContain('gave up after 3 attempts');
    expect(server.requests.filter((r) => r.query.get('page') === '3')).toHaveLength(3);
  });

  it('fails the list on a 4xx page without retrying it', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.query.get('page') === '2') return sendJson(res, 404, { id: 'not_found', message: 'gone' });
      return listHandler({ total: 300, key: 'droplets' })(req, res, undefined as never);
    });
    await expect(client.list({ path: '/v2/droplets', listKey: 'droplets' })).rejects.toMatchObject({ status: 404 });
    expect(server.count()).toBe(2);
  });

  it('completes when a failing page succeeds on retry', async () => {
    let failures = 0;
    const { client } = await setup((req, res) => {
      if (req.query.get('page') === '4' && failures++ < 2) return sendJson(res, 500, { id: 'server_error', message: 'oops' });
      return listHandler({ total: 1000, key: 'droplets' })(req, res, undefined as never);
    });
    expect((await client.list({ path: '/v2/droplets', listKey: 'droplets' })).items).toEqual(ids(1000));
  });

  it('refuses a next link that loops', async () => {
    const { client } = await setup((req, res) =>
      sendJson(res, 200, { things: [{ id: 1 }], links: { pages: { next: `http://${req.headers.host}/v2/things?page=2&per_page=200` } } }),
    );
    const err = await client.list({ path: '/v2/things', listKey: 'things' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DoqlError);
    expect((err as DoqlError).message).toMatch(/loop/);
  });

  it('refuses a body that is not an object with the list', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 200, [1, 2]));
    await expect(client.list({ path: '/v2/x', listKey: 'xs' })).rejects.toMatchObject({ code: 'api' });
  });
});
