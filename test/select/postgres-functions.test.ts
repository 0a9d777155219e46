// The Postgres functions people bring from Postgres or Steampipe, in queries over resources: date_trunc,
// extract/date_part, json_agg & co., jsonb_array_elements[_text] beside the table it reads (lateral), and
// jsonb_extract_path_text. Checked against the sandbox's own data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { directGet, sessionFor, startSandbox } from './helpers.js';

interface Droplet {
  name: string;
  created_at: string;
  tags: string[];
  region: { slug: string; features: string[] };
}

describe('Postgres functions over resources', () => {
  let sb: Sandbox;
  let droplets: Droplet[];

  beforeAll(async () => {
    sb = await startSandbox({ seed: 21, count: { 'compute.droplets': 40 } });
    droplets = (await directGet(sb, '/v2/droplets?per_page=200')).droplets as Droplet[];
  });
  afterAll(() => sb.close());

  it('date_trunc and extract group by month and year as the timestamps say', async () => {
    const t = sessionFor(sb);
    const months = new Map<string, number>();
    for (const d of droplets) {
      const m = `${d.created_at.slice(0, 7)}-01T00:00:00Z`;
      months.set(m, (months.get(m) ?? 0) + 1);
    }
    const rows = await t.objects("SELECT date_trunc('month', created_at) AS month, count(*) AS n FROM digitalocean.compute.droplets GROUP BY 1 ORDER BY 1");
    expect(rows).toEqual([...months].sort(([a], [b]) => a.localeCompare(b)).map(([month, n]) => ({ month, n })));
    const years = await t.rows('SELECT name, extract(year FROM created_at), date_part(\'month\', created_at) FROM digitalocean.compute.droplets ORDER BY name');
    const byName = [...droplets].sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(years).toEqual(byName.map((d) => [d.name, Number(d.created_at.slice(0, 4)), Number(d.created_at.slice(5, 7))]));
    await expect(t.rows("SELECT date_trunc('fortnight', created_at) FROM digitalocean.compute.droplets")).rejects.toThrow('date_trunc: unknown unit "fortnight"');
  });

  it('json_agg and jsonb_extract_path_text, named as Postgres names them', async () => {
    const t = sessionFor(sb);
    const [r] = await t.session.execute('SELECT json_agg(name), jsonb_array_length(json_agg(name)) AS n FROM (SELECT name FROM digitalocean.compute.droplets ORDER BY name)');
    expect(r.columns.map((c) => c.name)).toEqual(['json_agg', 'n']);
    expect(JSON.parse(String(r.rows[0][0]))).toEqual(droplets.map((d) => d.name).sort());
    const slugs = await t.rows("SELECT jsonb_extract_path_text(region, 'slug'), jsonb_extract_path_text(region, 'features', '0') FROM digitalocean.compute.droplets ORDER BY name");
    const byName = [...droplets].sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(slugs).toEqual(byName.map((d) => [d.region.slug, d.region.features[0] ?? null]));
  });

  it('jsonb_array_elements_text beside the table it reads, with either kind of alias', async () => {
    const t = sessionFor(sb);
    const pairs = droplets.flatMap((d) => d.region.features.map((f) => [d.name, f])).sort((a, b) => (a.join() < b.join() ? -1 : 1));
    const byColumn = await t.rows("SELECT d.name, f.feature FROM digitalocean.compute.droplets d, jsonb_array_elements_text(d.region -> 'features') AS f(feature) ORDER BY d.name || ',' || feature");
    expect(byColumn).toEqual(pairs);
    const byAlias = await t.rows("SELECT d.name, feature FROM digitalocean.compute.droplets d CROSS JOIN json_array_elements_text(d.region -> 'features') feature ORDER BY d.name || ',' || feature");
    expect(byAlias).toEqual(pairs);
    const lateral = await t.rows("SELECT d.name, f FROM digitalocean.compute.droplets d CROSS JOIN LATERAL jsonb_array_elements_text(d.region -> 'features') AS f ORDER BY d.name || ',' || f");
    expect(lateral).toEqual(pairs);
    expect(pairs.length).toBeGreaterThan(droplets.length);
  });
});
