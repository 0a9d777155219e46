// Optional query parameters go to the API (tag_name=x) and the rows still satisfy the WHERE;
// a WHERE on the get method's parameter makes exactly one GET by id, and a 404 there is an empty result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { buildMissing, directGet, directList, doqlAt, routes, sessionFor, startSandbox } from './helpers.js';

const GET_DROPLET = 'GET /v2/droplets/{droplet_id}';
const LIST_DROPLETS = 'GET /v2/droplets';
const missingBuild = buildMissing();

type Droplet = { id: number; name: string; tags: string[]; status: string; memory: number };

describe('optional filters pushed to the API, get by id, and 404s', () => {
  let sb: Sandbox;
  let droplets: Droplet[];
  /** A tag on some droplets but fewer than one page's worth, and another one. */
  let tag: string;
  let otherTag: string;

  beforeAll(async () => {
    sb = await startSandbox({ seed: 21, count: { 'compute.droplets': 250, 'databases.clusters': 6 } });
    droplets = (await directList(sb, '/v2/droplets', 'droplets')) as unknown as Droplet[];
    expect(droplets).toHaveLength(250);
    const counts = new Map<string, number>();
    for (const d of droplets) for (const x of d.tags) counts.set(x, (counts.get(x) ?? 0) + 1);
    const usable = [...counts].filter(([, n]) => n > 1 && n < 200).sort((a, b) => b[1] - a[1]);
    expect(usable.length).toBeGreaterThanOrEqual(2);
    [tag, otherTag] = [usable[0]![0], usable[1]![0]];
  });
  afterAll(() => sb.close());

  const tagged = (x: string): Droplet[] => droplets.filter((d) => d.tags.includes(x));
  const ids = (ds: Droplet[]): number[] => ds.map((d) => d.id).sort((a, b) => a - b);

  it("WHERE tag_name = 'x' sends tag_name=x, fetches one page instead of two, and every row carries the tag", async () => {
    sb.resetCounts();
    const t = sessionFor(sb);
    const rows = await t.objects(`SELECT id, tags FROM digitalocean.compute.droplets WHERE tag_name = '${tag}' ORDER BY id`);
    expect(t.urls).toEqual([`/v2/droplets?tag_name=${encodeURIComponent(tag)}&per_page=200`]);
    expect(rows.map((r) => r.id)).toEqual(ids(tagged(tag)));
    for (const r of rows) expect(JSON.parse(r.tags as string)).toContain(tag);
    expect(rows.length).toBeLessThan(droplets.length);
    // Listing everything takes two pages: the filter really went to the API.
    const all = sessionFor(sb);
    await all.rows('SELECT count(*) FROM digitalocean.compute.droplets');
    expect(all.urls).toHaveLength(2);
  });

  it('tag_name IN (a, b) sends one filtered list per tag; each row pairs a droplet with a tag it has', async () => {
    const t = sessionFor(sb);
    const rows = await t.rows(`SELECT tag_name, id FROM digitalocean.compute.droplets WHERE tag_name IN ('${tag}', '${otherTag}') ORDER BY 1, 2`);
    expect([...t.urls].sort()).toEqual(
      [tag, otherTag].map((x) => `/v2/droplets?tag_name=${encodeURIComponent(x)}&per_page=200`).sort(),
    );
    const expected = [tag, otherTag]
      .sort()
      .flatMap((x) => ids(tagged(x)).map((id) => [x, id]));
    expect(rows).toEqual(expected);
  });

  it('tag_name on database clusters is pushed down too', async () => {
    const clusters = (await directGet(sb, '/v2/databases')).databases as { id: string; tags: string[] | null }[];
    const ctag = clusters.flatMap((c) => c.tags ?? [])[0];
    expect(ctag).toBeDefined();
    const t = sessionFor(sb);
    const rows = await t.rows(`SELECT id FROM digitalocean.databases.clusters WHERE tag_name = '${ctag}' ORDER BY id`);
    expect(t.urls).toEqual([`/v2/databases?tag_name=${encodeURIComponent(ctag!)}`]);
    expect(rows.map((r) => r[0])).toEqual(clusters.filter((c) => (c.tags ?? []).includes(ctag!)).map((c) => c.id).sort());
  });

  it("WHERE name = 'x' (a real column, also an API filter) returns exactly the droplets of that name", async () => {
    const name = droplets[17]!.name;
    const t = sessionFor(sb);
    const rows = await t.rows(`SELECT id, name FROM digitalocean.compute.droplets WHERE name = '${name}' ORDER BY id`);
    expect(rows).toEqual(ids(droplets.filter((d) => d.name === name)).map((id) => [id, name]));
  });

  it.each([
    ['private = true', 'private=true'],
    ['private = 1', 'private=true'],
    ['private = false', 'private=false'],
    ["private = 'true'", 'private=true'],
  ])('a boolean query parameter (%s) is sent as true/false, not 1/0', async (where, sent) => {
    const t = sessionFor(sb);
    await t.rows(`SELECT count(*) FROM digitalocean.compute.images WHERE ${where}`);
    expect(t.urls).toEqual([`/v2/images?${sent}&per_page=200`]);
  });

  it('a filter that matches nothing gives an empty result, not an error', async () => {
    const t = sessionFor(sb);
    expect(await t.rows("SELECT id FROM digitalocean.compute.droplets WHERE tag_name = 'no-such-tag-anywhere'")).toEqual([]);
    expect(t.urls).toEqual(['/v2/droplets?tag_name=no-such-tag-anywhere&per_page=200']);
  });

  it('WHERE droplet_id = <id> makes exactly one GET /v2/droplets/{droplet_id} and no list', async () => {
    sb.resetCounts();
    const d = droplets[42]!;
    const t = sessionFor(sb);
    const rows = await t.objects(`SELECT id, name, status, memory FROM digitalocean.compute.droplets WHERE droplet_id = ${d.id}`);
    expect(rows).toEqual([{ id: d.id, name: d.name, status: d.status, memory: d.memory }]);
    expect(routes(sb)).toEqual({ [GET_DROPLET]: 1 });
  });

  it('WHERE droplet_id = <unknown id>: one GET, a 404, and an empty result', async () => {
    sb.resetCounts();
    const t = sessionFor(sb);
    expect(await t.rows('SELECT id FROM digitalocean.compute.droplets WHERE droplet_id = 12345')).toEqual([]);
    expect(sb.requests().byRouteStatus).toEqual({ [`${GET_DROPLET} 404`]: 1 });
  });

  it('droplet_id IN (two ids and a missing one): three GETs, two rows', async () => {
    sb.resetCounts();
    const [a, b] = [droplets[3]!, droplets[200]!];
    const t = sessionFor(sb);
    const rows = await t.rows(`SELECT id FROM digitalocean.compute.droplets WHERE droplet_id IN (${a.id}, 777, ${b.id}) ORDER BY id`);
    expect(rows).toEqual(ids([a, b]).map((id) => [id]));
    expect(routes(sb)).toEqual({ [GET_DROPLET]: 3 });
  });

  it('database_cluster_uuid = … on clusters uses the get, not the list', async () => {
    sb.resetCounts();
    const c = ((await directGet(sb, '/v2/databases')).databases as { id: string; name: string }[])[2]!;
    sb.resetCounts();
    const t = sessionFor(sb);
    expect(await t.rows(`SELECT id, name FROM digitalocean.databases.clusters WHERE database_cluster_uuid = '${c.id}'`)).toEqual([[c.id, c.name]]);
    expect(routes(sb)).toEqual({ 'GET /v2/databases/{database_cluster_uuid}': 1 });
  });

  it('a get-by-id combined with a filter the get cannot send fails clearly instead of ignoring the filter', async () => {
    sb.resetCounts();
    const untagged = droplets.find((d) => !d.tags.includes(tag))!;
    const t = sessionFor(sb);
    await expect(t.rows(`SELECT id FROM digitalocean.compute.droplets WHERE droplet_id = ${untagged.id} AND tag_name = '${tag}'`)).rejects.toThrow(
      'digitalocean.compute.droplets cannot filter by tag_name together with droplet_id: no API call takes them all; leave one out',
    );
    expect(sb.requests().total).toBe(0);
  });

  describe.skipIf(Boolean(missingBuild))('through the CLI with -v (each request printed)', () => {
    it('droplet_id = <id>: one request line, for /v2/droplets/<id>, and the row on stdout', async () => {
      const d = droplets[7]!;
      const r = await doqlAt(sb, ['-v', '-o', 'json', `SELECT id, name FROM digitalocean.compute.droplets WHERE droplet_id = ${d.id}`]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([{ id: d.id, name: d.name }]);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^GET ${sb.url}/v2/droplets/${d.id} → 200 \\d+ ms$`));
    });

    it('a 404 get: empty result, exit code 0', async () => {
      const r = await doqlAt(sb, ['-v', '-o', 'json', 'SELECT id FROM digitalocean.compute.droplets WHERE droplet_id = 424242']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([]);
      expect(r.stderr).toMatch(new RegExp(`^GET ${sb.url}/v2/droplets/424242 → 404 \\d+ ms\\n$`));
    });

    it("tag_name = 'x': the one URL printed carries tag_name=x", async () => {
      const r = await doqlAt(sb, ['-v', '-o', 'json', `SELECT id FROM digitalocean.compute.droplets WHERE tag_name = '${tag}'`]);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { id: number }[]).map((x) => x.id).sort((a, b) => a - b)).toEqual(ids(tagged(tag)));
      expect(r.stderr).toMatch(new RegExp(`^GET ${sb.url}/v2/droplets\\?tag_name=${encodeURIComponent(tag)}&per_page=200 → 200 \\d+ ms\\n$`));
    });
  });
});
