// Lists are served from cached row texts (row-texts.ts): every change must show in the very next list
// and get, including right after warm listings that filled the cache. Run twice: with cache hits served
// as they are (what a user gets), and with hits re-derived and compared (a stale text is then a 500).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from './index.js';
import type { Sandbox, SandboxOptions } from './index.js';
import { builtInCatalog } from '../../test/sandbox/test-catalog.js';

type Row = Record<string, unknown> & { id: number | string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any; // any: tests read whatever the response holds

// Long enough for two warm listings of 450 droplets (re-derived on every hit in the checking run) to finish
// before a new droplet turns active: the current spec's droplets are larger rows than the 2023 spec's.
const DELAY_MS = 1000;
const DROPLETS = 450; // three pages of 200
const NEW_DROPLET = { name: 'fresh-1', region: 'nyc3', size: 's-1vcpu-1gb', image: 'ubuntu-20-04-x64' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function call(sb: Sandbox, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${sb.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${sb.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Every row of a list, page by page at per_page=200, as a client pages through it. */
async function listAll(sb: Sandbox, path: string, key: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (let page = 1; ; page++) {
    const r = await call(sb, 'GET', `${path}?page=${page}&per_page=200`);
    expect(r.status).toBe(200);
    rows.push(...(r.json[key] as Row[]));
    if (!r.json.links?.pages?.next) return rows;
  }
}

/** Lists twice: the first fills the cache, the second is served from it. */
async function warm(sb: Sandbox, path: string, key: string): Promise<Row[]> {
  const first = await listAll(sb, path, key);
  const second = await listAll(sb, path, key);
  expect(second).toEqual(first);
  return second;
}

const byId = (rows: Row[], id: unknown): Row | undefined => rows.find((r) => r.id === id);

describe.each([
  ['served as cached', '0'],
  ['re-derived and compared on every hit', '1'],
])('lists after changes (cache hits %s)', (_mode, check) => {
  let sb: Sandbox;
  let ids: string[];
  const home = mkdtempSync(join(tmpdir(), 'doql-list-freshness-'));
  const open = async (options: SandboxOptions = {}): Promise<Sandbox> => {
    const before = process.env.DOQL_SANDBOX_CHECK_CACHE;
    process.env.DOQL_SANDBOX_CHECK_CACHE = check; // read when the store is made
    try {
      return await createSandbox({ catalog: builtInCatalog(), rateLimit: false, actionDelayMs: DELAY_MS, count: { 'compute.droplets': DROPLETS }, ...options });
    } finally {
      if (before === undefined) delete process.env.DOQL_SANDBOX_CHECK_CACHE;
      else process.env.DOQL_SANDBOX_CHECK_CACHE = before;
    }
  };
  beforeAll(async () => {
    sb = await open();
    ids = sb.ids('/v2/droplets');
  });
  afterAll(async () => {
    await sb.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('shows a rename and a resize done by actions', async () => {
    const [a, b] = [Number(ids[0]), Number(ids[250])];
    await warm(sb, '/v2/droplets', 'droplets');
    expect((await call(sb, 'POST', `/v2/droplets/${a}/actions`, { type: 'rename', name: 'renamed-by-action' })).status).toBe(201);
    expect((await call(sb, 'POST', `/v2/droplets/${b}/actions`, { type: 'resize', size: 's-2vcpu-2gb' })).status).toBe(201);
    const rows = await listAll(sb, '/v2/droplets', 'droplets');
    expect(byId(rows, a)?.name).toBe('renamed-by-action');
    expect(byId(rows, b)).toMatchObject({ size_slug: 's-2vcpu-2gb', size: { slug: 's-2vcpu-2gb' } });
    expect((await call(sb, 'GET', `/v2/droplets/${a}`)).json.droplet.name).toBe('renamed-by-action');
    expect((await call(sb, 'GET', `/v2/droplets/${b}`)).json.droplet.size_slug).toBe('s-2vcpu-2gb');
  });

  it('shows a power_off', async () => {
    const id = Number(ids[5]);
    await warm(sb, '/v2/droplets', 'droplets');
    await call(sb, 'POST', `/v2/droplets/${id}/actions`, { type: 'power_off' });
    expect(byId(await listAll(sb, '/v2/droplets', 'droplets'), id)?.status).toBe('off');
  });

  it('shows PATCH and PUT updates, top-level and in a child list', async () => {
    const vpc = (await warm(sb, '/v2/vpcs', 'vpcs'))[0];
    expect((await call(sb, 'PATCH', `/v2/vpcs/${vpc.id}`, { name: 'patched-vpc' })).status).toBe(200);
    expect(byId(await listAll(sb, '/v2/vpcs', 'vpcs'), vpc.id)?.name).toBe('patched-vpc');
    expect((await call(sb, 'PUT', `/v2/vpcs/${vpc.id}`, { name: 'put-vpc' })).status).toBe(200);
    expect(byId(await listAll(sb, '/v2/vpcs', 'vpcs'), vpc.id)?.name).toBe('put-vpc');

    const domain = (await warm(sb, '/v2/domains', 'domains'))[0].name as string;
    const records = `/v2/domains/${encodeURIComponent(domain)}/records`;
    const record = (await warm(sb, records, 'domain_records'))[0];
    expect((await call(sb, 'PATCH', `${records}/${record.id}`, { type: record.type, data: 'patched.example.com.' })).status).toBe(200);
    expect(byId(await listAll(sb, records, 'domain_records'), record.id)?.data).toBe('patched.example.com.');
  });

  it('shows a change to a stored item other rows embed (an image renamed, in every droplet that has it)', async () => {
    const rows = await warm(sb, '/v2/droplets', 'droplets');
    const imageId = (rows[0].image as { id: number }).id;
    const sharing = rows.filter((r) => (r.image as { id: number }).id === imageId).map((r) => r.id);
    expect((await call(sb, 'PUT', `/v2/images/${imageId}`, { name: 'renamed-image' })).status).toBe(200);
    const after = await listAll(sb, '/v2/droplets', 'droplets');
    for (const id of sharing) expect((byId(after, id)?.image as { name: string }).name).toBe('renamed-image');
  });

  it('shows a created droplet, and its new → active transition after actionDelayMs', async () => {
    const before = await warm(sb, '/v2/droplets', 'droplets');
    const created = await call(sb, 'POST', '/v2/droplets', NEW_DROPLET);
    expect(created.status).toBe(202);
    const id = created.json.droplet.id;
    const listed = await warm(sb, '/v2/droplets', 'droplets');
    expect(listed).toHaveLength(before.length + 1);
    expect(byId(listed, id)).toMatchObject({ name: 'fresh-1', status: 'new' });
    await sleep(DELAY_MS + 100);
    // Settled lazily by the next request: a list straight after the cache was filled with `new`.
    expect(byId(await listAll(sb, '/v2/droplets', 'droplets'), id)?.status).toBe('active');
    expect((await call(sb, 'GET', `/v2/droplets/${id}`)).json.droplet.status).toBe('active');
  });

  it("shows an action's completion, in the account's log and under its droplet", async () => {
    const id = Number(ids[7]);
    const action = (await call(sb, 'POST', `/v2/droplets/${id}/actions`, { type: 'reboot' })).json.action;
    const own = `/v2/droplets/${id}/actions`;
    expect(byId(await warm(sb, '/v2/actions', 'actions'), action.id)).toMatchObject({ status: 'in-progress', completed_at: null });
    expect(byId(await warm(sb, own, 'actions'), action.id)).toMatchObject({ status: 'in-progress' });
    await sleep(DELAY_MS + 100);
    const done = byId(await listAll(sb, '/v2/actions', 'actions'), action.id);
    expect(done).toMatchObject({ status: 'completed' });
    expect(done?.completed_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(byId(await listAll(sb, own, 'actions'), action.id)).toMatchObject({ status: 'completed' });
    expect((await call(sb, 'GET', `/v2/actions/${action.id}`)).json.action.status).toBe('completed');
  });

  it('drops a deleted droplet, from its page and from the pages after it', async () => {
    const rows = await warm(sb, '/v2/droplets', 'droplets');
    const gone = rows[10].id;
    expect((await call(sb, 'DELETE', `/v2/droplets/${gone}`)).status).toBe(204);
    const after = await listAll(sb, '/v2/droplets', 'droplets');
    expect(after.map((r) => r.id)).toEqual(rows.map((r) => r.id).filter((x) => x !== gone));
    expect((await call(sb, 'GET', `/v2/droplets/${gone}`)).status).toBe(404);
  });

  it('goes back to the seed on reset, and continues a state file in a new sandbox', async () => {
    const stateFile = join(home, 'state.json');
    const saved = await open({ stateFile });
    try {
      const id = Number(saved.ids('/v2/droplets')[3]);
      const seeded = byId(await warm(saved, '/v2/droplets', 'droplets'), id);
      await call(saved, 'POST', `/v2/droplets/${id}/actions`, { type: 'rename', name: 'kept-in-state' });
      expect(byId(await warm(saved, '/v2/droplets', 'droplets'), id)?.name).toBe('kept-in-state');
      await saved.close();
      const next = await open({ stateFile });
      try {
        expect(byId(await warm(next, '/v2/droplets', 'droplets'), id)?.name).toBe('kept-in-state');
        next.reset();
        expect(byId(await listAll(next, '/v2/droplets', 'droplets'), id)).toEqual(seeded);
      } finally {
        await next.close();
      }
    } finally {
      await saved.close();
    }
  });
});
