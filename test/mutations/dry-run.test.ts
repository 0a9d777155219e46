// A session in dry-run mode answers each mutation with the requests it would send (method, full URL, JSON
// body) and sends none; rows needed to find a predicate's targets are still read.
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, DROPLET_IMAGE, DROPLET_SIZE, insertDroplets, objects, routes, sessionOn, startSandbox } from './harness.js';

afterAll(closeAll);

const BASE = 'https://api.digitalocean.com';

describe('dry run', () => {
  it('INSERT of two rows: two POSTs shown with the base URL and their bodies, nothing sent', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb, { dryRun: true, baseUrl: BASE });
    const [r] = await t.run(insertDroplets([{ name: 'd-1', tags: ['web'] }, { name: 'd-2' }]));
    expect(objects(r)).toEqual([
      { method: 'POST', url: `${BASE}/v2/droplets`, body: JSON.stringify({ name: 'd-1', region: 'nyc3', size: DROPLET_SIZE, image: DROPLET_IMAGE, tags: ['web'] }) },
      { method: 'POST', url: `${BASE}/v2/droplets`, body: JSON.stringify({ name: 'd-2', region: 'nyc3', size: DROPLET_SIZE, image: DROPLET_IMAGE, tags: [] }) },
    ]);
    expect(r.notices).toEqual(['dry run: 2 requests not sent']);
    expect(sb.requests().total).toBe(0);
  });

  it('query params are part of the URL shown (DELETE droplets by tag)', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb, { dryRun: true, baseUrl: BASE });
    const [r] = await t.run(`DELETE FROM digitalocean.compute.droplets WHERE tag_name = 'ci'`);
    expect(objects(r)).toEqual([{ method: 'DELETE', url: `${BASE}/v2/droplets?tag_name=ci`, body: null }]);
    expect(sb.requests().total).toBe(0);
  });

  it('a predicate DELETE reads the rows to find its targets but sends no DELETE, and says so', async () => {
    const sb = await startSandbox();
    const live = sessionOn(sb);
    await live.run(insertDroplets([{ name: 'ci-1', tags: ['ci'] }, { name: 'ci-2', tags: ['ci'] }]));
    const ci = (await live.rows(`SELECT id FROM digitalocean.compute.droplets WHERE name LIKE 'ci-%' ORDER BY id`)).map((x) => x.id);
    sb.resetCounts();
    const t = sessionOn(sb, { dryRun: true });
    const [r] = await t.run(`DELETE FROM digitalocean.compute.droplets WHERE tag_name = 'ci' AND created_at < '2100-01-01'`);
    expect(objects(r).map((x) => x.url).sort()).toEqual(ci.map((id) => `/v2/droplets/${id}`).sort());
    expect(r.notices).toEqual(['dry run: 2 requests not sent (rows were read to find them)']);
    expect(routes(sb)).toEqual({ 'GET /v2/droplets': 1 });
  });

  it('EXEC with AWAIT in a dry run neither sends the action nor waits', async () => {
    const sb = await startSandbox({ actionDelayMs: 60_000 });
    const t = sessionOn(sb, { dryRun: true });
    const id = sb.ids('/v2/droplets')[0];
    const [r] = await t.run(`EXEC /*+ AWAIT */ digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id='${id}' @@json='{"type":"power_off"}'`);
    expect(objects(r)).toEqual([{ method: 'POST', url: `/v2/droplets/${id}/actions`, body: '{"type":"power_off"}' }]);
    expect(sb.requests().total).toBe(0);
  });
});
