// The sandbox through HTTP, as a client sees it: auth, paging, filters, CRUD with parents and
// children, validation, actions and lifecycles, rate limits, faults, counts, state files, scale.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from './index.js';
import type { Sandbox, SandboxOptions } from './index.js';
import { builtInCatalog } from '../../test/sandbox/test-catalog.js';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any; // any: tests read whatever the response holds
}

async function call(sb: Sandbox, method: string, path: string, body?: unknown, init: { token?: string | null; raw?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = init.token === undefined ? sb.token : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${sb.url}${path}`, { method, headers, body: init.raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const open: Sandbox[] = [];
async function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sb = await createSandbox({ catalog: builtInCatalog(), rateLimit: false, actionDelayMs: 50, ...options });
  open.push(sb);
  return sb;
}
afterAll(async () => {
  await Promise.all(open.map((sb) => sb.close()));
});

const NEW_DROPLET = { name: 'web-1', region: 'nyc3', size: 's-1vcpu-1gb', image: 'ubuntu-20-04-x64' };

describe('sandbox: auth and errors', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await sandbox({ rateLimit: { limit: 1000, windowSeconds: 60 } });
  });

  it.each([
    ['no token', null],
    ['a wrong token', 'nope'],
  ])('answers 401 to %s, in DigitalOcean error shape with a request id', async (_name, token) => {
    const r = await call(sb, 'GET', '/v2/droplets', undefined, { token });
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ id: 'unauthorized', message: 'Unable to authenticate you' });
    expect(r.json.request_id).toBe(r.headers.get('x-request-id'));
    expect(r.headers.get('ratelimit-limit')).toBe('1000');
  });

  it('puts x-request-id and rate-limit headers on every response', async () => {
    for (const path of ['/v2/droplets', '/v2/nope', '/v2/account']) {
      const r = await call(sb, 'GET', path);
      expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number(r.headers.get('ratelimit-remaining'))).toBeGreaterThan(0);
      expect(Number(r.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
    }
  });

  it('answers 404 for an unknown path and 405 for a wrong method on a known one', async () => {
    const unknown = await call(sb, 'GET', '/v2/no-such-thing');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ id: 'not_found', message: 'The resource you requested could not be found.' });
    const wrong = await call(sb, 'DELETE', '/v2/regions');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toContain('GET');
  });

  it('answers 404 for an id that does not exist, and the object for one that does', async () => {
    expect((await call(sb, 'GET', '/v2/droplets/123')).json).toMatchObject({ id: 'not_found' });
    const id = sb.ids('/v2/droplets')[0];
    const r = await call(sb, 'GET', `/v2/droplets/${id}`);
    expect(r.status).toBe(200);
    expect(String(r.json.droplet.id)).toBe(id);
  });

  it('answers 400 to malformed JSON and 422 naming the fields a body gets wrong', async () => {
    const bad = await call(sb, 'POST', '/v2/droplets', undefined, { raw: '{"name": ' });
    expect(bad.status).toBe(400);
    expect(bad.json.id).toBe('bad_request');
    const missing = await call(sb, 'POST', '/v2/droplets', { name: 'x' });
    expect(missing.status).toBe(422);
    expect(missing.json.id).toBe('unprocessable_entity');
    expect(missing.json.message).toMatch(/size/);
    expect(missing.json.message).toMatch(/image/);
    const wrongType = await call(sb, 'POST', '/v2/droplets', { ...NEW_DROPLET, size: 5 });
    expect(wrongType.status).toBe(422);
    expect(wrongType.json.message).toMatch(/size must be string/);
  });

  it('serves non-JSON responses in their documented content type', async () => {
    const cluster = sb.ids('/v2/kubernetes/clusters')[0];
    const yaml = await fetch(`${sb.url}/v2/kubernetes/clusters/${cluster}/kubeconfig`, { headers: { authorization: `Bearer ${sb.token}` } });
    expect(yaml.headers.get('content-type')).toBe('application/yaml');
    expect(await yaml.text()).toContain('kind: Config');
    const invoice = sb.ids('/v2/customers/my/invoices')[0];
    const pdf = await fetch(`${sb.url}/v2/customers/my/invoices/${invoice}/pdf`, { headers: { authorization: `Bearer ${sb.token}` } });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('sandbox: lists', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await sandbox({ count: { '/v2/droplets': 45 } });
  });

  it('pages like DigitalOcean: 20 by default, absolute links, no first/prev on page 1, no next/last on the last', async () => {
    const first = await call(sb, 'GET', '/v2/droplets');
    expect(first.json.droplets).toHaveLength(20);
    expect(first.json.meta).toEqual({ total: 45 });
    expect(first.json.links.pages).toEqual({
      next: `${sb.url}/v2/droplets?page=2&per_page=20`,
      last: `${sb.url}/v2/droplets?page=3&per_page=20`,
    });
    const last = await call(sb, 'GET', '/v2/droplets?page=3');
    expect(last.json.droplets).toHaveLength(5);
    expect(last.json.links.pages).toEqual({
      first: `${sb.url}/v2/droplets?page=1&per_page=20`,
      prev: `${sb.url}/v2/droplets?page=2&per_page=20`,
    });
    const ids = [first, await call(sb, 'GET', '/v2/droplets?page=2'), last].flatMap((r) => r.json.droplets.map((d: { id: number }) => d.id));
    expect(new Set(ids).size).toBe(45);
  });

  it('gives a single page no page links, and clamps per_page to 200', async () => {
    const all = await call(sb, 'GET', '/v2/droplets?per_page=100');
    expect(all.json.droplets).toHaveLength(45);
    expect(all.json.links).toEqual({});
    const big = await sandbox({ count: { '/v2/droplets': 250 } });
    const clamped = await call(big, 'GET', '/v2/droplets?per_page=1000');
    expect(clamped.json.droplets).toHaveLength(200);
    expect(clamped.json.links.pages.next).toBe(`${big.url}/v2/droplets?page=2&per_page=200`);
  });

  it('filters by tag_name (tags containing it) and by name (equality), keeping filters in page links', async () => {
    const everything = (await call(sb, 'GET', '/v2/droplets?per_page=200')).json.droplets as { name: string; tags: string[] }[];
    const tag = everything.flatMap((d) => d.tags)[0];
    expect(tag).toBeDefined();
    const tagged = await call(sb, 'GET', `/v2/droplets?tag_name=${encodeURIComponent(tag)}&per_page=1`);
    const expected = everything.filter((d) => d.tags.includes(tag)).length;
    expect(tagged.json.meta.total).toBe(expected);
    expect(tagged.json.droplets[0].tags).toContain(tag);
    if (expected > 1) expect(tagged.json.links.pages.next).toContain(`tag_name=${encodeURIComponent(tag)}`);
    const named = await call(sb, 'GET', `/v2/droplets?name=${encodeURIComponent(everything[3].name)}`);
    expect(named.json.droplets.map((d: { name: string }) => d.name)).toEqual([everything[3].name]);
  });

  it('keys collections by list path or by catalog resource id', async () => {
    const droplets = Object.values(builtInCatalog().catalog.services)
      .flatMap((s) => Object.values(s.resources))
      .find((r) => r.methods.some((m) => m.httpMethod === 'get' && m.path === '/v2/droplets'));
    const byResource = await sandbox({ count: { [droplets!.id.replace(/^digitalocean\./, '')]: 7 } });
    expect(byResource.ids('/v2/droplets')).toHaveLength(7);
    expect(byResource.ids(droplets!.id)).toHaveLength(7);
  });
});

describe('sandbox: creates, actions and lifecycles', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await sandbox({ actionDelayMs: 500 });
  });

  it('creates a droplet: 202, new, links.actions; the action completes and the droplet becomes active', async () => {
    const created = await call(sb, 'POST', '/v2/droplets', NEW_DROPLET);
    expect(created.status).toBe(202);
    const d = created.json.droplet;
    expect(d).toMatchObject({ name: 'web-1', status: 'new', size_slug: 's-1vcpu-1gb', region: { slug: 'nyc3' } });
    const [link] = created.json.links.actions;
    expect(link).toMatchObject({ rel: 'create', href: `${sb.url}/v2/actions/${link.id}` });
    const running = await call(sb, 'GET', `/v2/actions/${link.id}`);
    expect(running.json.action).toMatchObject({ status: 'in-progress', type: 'create', resource_id: d.id, resource_type: 'droplet', completed_at: null });
    expect((await call(sb, 'GET', `/v2/droplets/${d.id}`)).json.droplet.status).toBe('new');
    await sleep(600);
    const done = await call(sb, 'GET', `/v2/actions/${link.id}`);
    expect(done.json.action.status).toBe('completed');
    expect(done.json.action.completed_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect((await call(sb, 'GET', `/v2/droplets/${d.id}`)).json.droplet.status).toBe('active');
    const own = await call(sb, 'GET', `/v2/droplets/${d.id}/actions`);
    expect(own.json.actions.map((a: { id: number }) => a.id)).toContain(link.id);
  });

  it('creates several droplets from names', async () => {
    const r = await call(sb, 'POST', '/v2/droplets', { ...NEW_DROPLET, name: undefined, names: ['a-1', 'a-2'] });
    expect(r.status).toBe(202);
    expect(r.json.droplets.map((d: { name: string }) => d.name)).toEqual(['a-1', 'a-2']);
    expect(r.json.links.actions).toHaveLength(2);
  });

  it('records droplet actions, reported by /v2/actions and applied to the droplet', async () => {
    const id = sb.ids('/v2/droplets')[0];
    const r = await call(sb, 'POST', `/v2/droplets/${id}/actions`, { type: 'power_off' });
    expect(r.status).toBe(201);
    expect(r.json.action).toMatchObject({ type: 'power_off', status: 'in-progress' });
    expect((await call(sb, 'GET', `/v2/actions/${r.json.action.id}`)).status).toBe(200);
    const log = await call(sb, 'GET', '/v2/actions?per_page=200');
    expect(log.json.actions.map((a: { id: number }) => a.id)).toContain(r.json.action.id);
    expect((await call(sb, 'GET', `/v2/droplets/${id}`)).json.droplet.status).toBe('off');
  });

  it('updates by merging body fields, and deletes with 204', async () => {
    const id = sb.ids('/v2/vpcs')[0];
    const r = await call(sb, 'PATCH', `/v2/vpcs/${id}`, { name: 'renamed-vpc', description: 'changed' });
    expect(r.status).toBe(200);
    expect(r.json.vpc).toMatchObject({ id, name: 'renamed-vpc', description: 'changed' });
    expect((await call(sb, 'GET', `/v2/vpcs/${id}`)).json.vpc.name).toBe('renamed-vpc');
    expect((await call(sb, 'DELETE', `/v2/vpcs/${id}`)).status).toBe(204);
    expect((await call(sb, 'GET', `/v2/vpcs/${id}`)).status).toBe(404);
  });

  it('serves children only under parents that exist, and deletes them with the parent', async () => {
    expect((await call(sb, 'GET', '/v2/databases/00000000-0000-4000-8000-000000000000/backups')).status).toBe(404);
    const cluster = sb.ids('/v2/databases')[0];
    expect((await call(sb, 'GET', `/v2/databases/${cluster}/backups`)).json.backups.length).toBeGreaterThan(0);

    const made = await call(sb, 'POST', `/v2/databases/${cluster}/dbs`, { name: 'analytics' });
    expect(made.status).toBe(201);
    expect(made.json.db).toEqual({ name: 'analytics' });
    const names = (await call(sb, 'GET', `/v2/databases/${cluster}/dbs`)).json.dbs.map((d: { name: string }) => d.name);
    expect(names).toContain('analytics');
    expect((await call(sb, 'POST', `/v2/databases/${cluster}/dbs`, { name: 'analytics' })).status).toBe(422);
    expect((await call(sb, 'GET', `/v2/databases/${cluster}/dbs/analytics`)).status).toBe(200);
    expect((await call(sb, 'DELETE', `/v2/databases/${cluster}/dbs/analytics`)).status).toBe(204);
    expect((await call(sb, 'GET', `/v2/databases/${cluster}/dbs/analytics`)).status).toBe(404);

    expect((await call(sb, 'DELETE', `/v2/databases/${cluster}`)).status).toBe(204);
    expect((await call(sb, 'GET', `/v2/databases/${cluster}/dbs`)).status).toBe(404);
    expect(sb.ids('/v2/databases')).not.toContain(cluster);
  });

  it('starts a created cluster without children and settles its status', async () => {
    const r = await call(sb, 'POST', '/v2/databases', { name: 'orders', engine: 'pg', num_nodes: 1, size: 'db-s-1vcpu-1gb', region: 'nyc3' });
    expect(r.status).toBe(201);
    expect(r.json.database).toMatchObject({ name: 'orders', engine: 'pg', status: 'creating' });
    expect((await call(sb, 'GET', `/v2/databases/${r.json.database.id}/dbs`)).json.dbs).toEqual([]);
    await sleep(600);
    expect((await call(sb, 'GET', `/v2/databases/${r.json.database.id}`)).json.database.status).toBe('online');
  });
});

describe('sandbox: rate limits', () => {
  it('counts down in the headers and answers 429 with retry-after past the limit', async () => {
    const sb = await sandbox({ rateLimit: { limit: 3, windowSeconds: 1 } });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(sb, 'GET', '/v2/account');
      expect(r.status).toBe(200);
      expect(r.headers.get('ratelimit-limit')).toBe('3');
      remaining.push(r.headers.get('ratelimit-remaining') ?? '');
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const refused = await call(sb, 'GET', '/v2/account');
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ id: 'too_many_requests', message: 'API Rate limit exceeded.' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${sb.url}/_sandbox/requests`)).status).toBe(200); // admin is never limited
    await sleep(1100);
    expect((await call(sb, 'GET', '/v2/account')).status).toBe(200);
  });

  it('enforces the hourly limit too', async () => {
    const sb = await sandbox({ rateLimit: { limit: 100, windowSeconds: 60, hourly: 2 } });
    expect((await call(sb, 'GET', '/v2/account')).status).toBe(200);
    const second = await call(sb, 'GET', '/v2/account');
    expect(second.headers.get('ratelimit-limit')).toBe('2');
    expect((await call(sb, 'GET', '/v2/account')).status).toBe(429);
  });
});

describe('sandbox: latency and faults', () => {
  async function statuses(seed: number, n: number): Promise<number[]> {
    const sb = await sandbox({ seed, faults: { rate: 0.5, kinds: ['500', '503'] } });
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await call(sb, 'GET', '/v2/account')).status);
    return out;
  }

  it('faults the same requests under the same seed, in DigitalOcean error shape', async () => {
    const a = await statuses(7, 24);
    expect(a).toEqual(await statuses(7, 24));
    expect(a).not.toEqual(await statuses(8, 24));
    expect(new Set(a)).toEqual(new Set([200, 500, 503]));
  });

  it('drops connections, truncates JSON and answers too slowly when asked to', async () => {
    const sb = await sandbox({ faults: { rate: 1, kinds: ['drop'] } });
    await expect(call(sb, 'GET', '/v2/account')).rejects.toThrow();
    sb.setFaults({ rate: 1, kinds: ['truncate'] });
    const cut = await call(sb, 'GET', '/v2/account');
    expect(cut.status).toBe(200);
    expect(() => JSON.parse(cut.text)).toThrow();
    sb.setFaults({ rate: 1, kinds: ['slow'], slowMs: 2000 });
    await expect(fetch(`${sb.url}/v2/account`, { headers: { authorization: `Bearer ${sb.token}` }, signal: AbortSignal.timeout(150) })).rejects.toThrow();
    expect((await fetch(`${sb.url}/_sandbox/requests`)).status).toBe(200); // admin is never faulted
    sb.setFaults(undefined);
    expect((await call(sb, 'GET', '/v2/account')).status).toBe(200);
  });

  it('adds latency', async () => {
    const sb = await sandbox({ latencyMs: 60 });
    const t = Date.now();
    await call(sb, 'GET', '/v2/account');
    expect(Date.now() - t).toBeGreaterThanOrEqual(55);
    sb.setLatency(0);
    const t2 = Date.now();
    await call(sb, 'GET', '/v2/account');
    expect(Date.now() - t2).toBeLessThan(55);
  });
});

describe('sandbox: counts, reset and state', () => {
  it('counts requests by route template, in process and at /_sandbox/requests, and resets them', async () => {
    const sb = await sandbox();
    const id = sb.ids('/v2/droplets')[0];
    await call(sb, 'GET', '/v2/droplets');
    await call(sb, 'GET', '/v2/droplets?page=2');
    await call(sb, 'GET', `/v2/droplets/${id}`);
    await call(sb, 'GET', '/v2/droplets/1');
    const counts = sb.requests();
    expect(counts.total).toBe(4);
    expect(counts.byRoute).toEqual({ 'GET /v2/droplets': 2, 'GET /v2/droplets/{droplet_id}': 2 });
    expect(counts.byRouteStatus['GET /v2/droplets/{droplet_id} 404']).toBe(1);
    expect(await (await fetch(`${sb.url}/_sandbox/requests`)).json()).toEqual(counts);
    sb.resetCounts();
    expect(sb.requests().total).toBe(0);
  });

  it('POST /_sandbox/reset puts counts and state back to the seed', async () => {
    const sb = await sandbox();
    const before = sb.ids('/v2/droplets');
    await call(sb, 'POST', '/v2/droplets', NEW_DROPLET);
    expect(sb.ids('/v2/droplets')).toHaveLength(before.length + 1);
    expect((await fetch(`${sb.url}/_sandbox/reset`, { method: 'POST' })).status).toBe(200);
    expect(sb.ids('/v2/droplets')).toEqual(before);
    expect(sb.requests().total).toBe(0);
  });

  it('gives the same data for the same seed', async () => {
    const a = await sandbox({ seed: 42 });
    const b = await sandbox({ seed: 42 });
    const c = await sandbox({ seed: 43 });
    const body = async (sb: Sandbox): Promise<string> => (await call(sb, 'GET', '/v2/droplets')).text.replaceAll(sb.url, '');
    expect(await body(a)).toBe(await body(b));
    expect(await body(a)).not.toBe(await body(c));
    const cluster = a.ids('/v2/databases')[0];
    expect((await call(a, 'GET', `/v2/databases/${cluster}/backups`)).text).toBe((await call(b, 'GET', `/v2/databases/${cluster}/backups`)).text);
  });

  it('keeps state in a state file across processes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doql-sandbox-'));
    try {
      const stateFile = join(dir, 'state.json');
      const first = await createSandbox({ catalog: builtInCatalog(), rateLimit: false, stateFile });
      const made = await call(first, 'POST', '/v2/droplets', { ...NEW_DROPLET, name: 'kept' });
      expect(made.status).toBe(202);
      const firstVpc = await call(first, 'POST', '/v2/vpcs', { name: 'kept-vpc', region: 'nyc3' });
      expect(firstVpc.status).toBe(201);
      const vpc = first.ids('/v2/vpcs')[0];
      await call(first, 'DELETE', `/v2/vpcs/${vpc}`);
      await first.close();
      const second = await createSandbox({ catalog: builtInCatalog(), rateLimit: false, stateFile });
      open.push(second);
      expect((await call(second, 'GET', `/v2/droplets/${made.json.droplet.id}`)).json.droplet.name).toBe('kept');
      expect((await call(second, 'GET', `/v2/vpcs/${vpc}`)).status).toBe(404);
      // The second process mints new ids, not the first one's again.
      const again = await call(second, 'POST', '/v2/vpcs', { name: 'later-vpc', region: 'nyc3' });
      expect(again.json.vpc.id).not.toBe(firstVpc.json.vpc.id);
      expect(second.ids('/v2/vpcs')).toEqual(expect.arrayContaining([firstVpc.json.vpc.id, again.json.vpc.id]));
      second.reset();
      expect((await call(second, 'GET', `/v2/droplets/${made.json.droplet.id}`)).status).toBe(404);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sandbox: data', () => {
  it('points cross-references at items that exist', async () => {
    const sb = await sandbox();
    const vpcs = new Set(sb.ids('/v2/vpcs'));
    const regions = new Set(sb.ids('/v2/regions'));
    const droplets = (await call(sb, 'GET', '/v2/droplets')).json.droplets as { vpc_uuid: string; region: { slug: string } }[];
    for (const d of droplets) {
      expect(vpcs).toContain(d.vpc_uuid);
      expect(regions).toContain(d.region.slug);
    }
  });

  it("agrees with itself: a droplet's numbers are its size's, an action's region is its droplet's, a new item holds nothing yet", async () => {
    const sb = await sandbox();
    const sizes = new Map(((await call(sb, 'GET', '/v2/sizes')).json.sizes as { slug: string; memory: number; vcpus: number; disk: number }[]).map((x) => [x.slug, x]));
    type Droplet = { id: number; memory: number; vcpus: number; disk: number; size: { slug: string }; region: { slug: string }; backup_ids: number[]; snapshot_ids: number[] };
    for (const d of (await call(sb, 'GET', '/v2/droplets')).json.droplets as Droplet[]) {
      expect({ memory: d.memory, vcpus: d.vcpus, disk: d.disk }).toMatchObject({ memory: d.size.memory, vcpus: d.size.vcpus, disk: d.size.disk } as object);
    }
    const size = [...sizes.values()][1]!;
    const created = (await call(sb, 'POST', '/v2/droplets', { ...NEW_DROPLET, size: size.slug })).json.droplet as Droplet;
    expect(created).toMatchObject({ memory: size.memory, vcpus: size.vcpus, disk: size.disk, size: { slug: size.slug }, backup_ids: [], snapshot_ids: [] });
    const action = (await call(sb, 'POST', `/v2/droplets/${created.id}/actions`, { type: 'reboot' })).json.action;
    expect(action.region_slug).toBe(created.region.slug);
    expect(action.region).toEqual(created.region);
    const tag = (await call(sb, 'POST', '/v2/tags', { name: 'brand-new' })).json.tag;
    expect(tag.resources.count).toBe(0);
    expect(tag.resources.droplets.count).toBe(0);
  });

  it('seeds 10,000 droplets fast', async () => {
    const t = Date.now();
    const sb = await sandbox({ count: { '/v2/droplets': 10_000 } });
    const ms = Date.now() - t;
    console.log(`sandbox: 10,000 droplets seeded and served in ${ms} ms`);
    expect(ms).toBeLessThan(4000);
    expect((await call(sb, 'GET', '/v2/droplets?per_page=1')).json.meta.total).toBe(10_000);
  });

  it('gives a sample request for any path template', async () => {
    const sb = await sandbox();
    const s = sb.sample('/v2/databases/{database_cluster_uuid}/dbs/{database_name}');
    expect(s?.path).toMatch(/^\/v2\/databases\/[0-9a-f-]{36}\/dbs\/[^/]+$/);
    expect((await call(sb, 'GET', s!.path)).status).toBe(200);
  });
});
