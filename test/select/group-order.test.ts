// A one-table GROUP BY's rows reach SQLite with equal keys together (engine/row-batch.ts groupedOrder): its results must be
// those of the rows in the API's order — the same groups, sums and counts, and each group's rows aggregated in
// the order the API listed them (string_agg without ORDER BY) — whichever way the keys are written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { directList, sessionFor, startSandbox, type TestSession } from './helpers.js';

describe('GROUP BY over one table', () => {
  let sb: Sandbox;
  let t: TestSession;
  let droplets: Record<string, unknown>[];

  beforeAll(async () => {
    sb = await startSandbox({ seed: 61, count: { 'compute.droplets': 600 } });
    t = sessionFor(sb, { cacheTtlMs: 60_000 });
    droplets = await directList(sb, '/v2/droplets', 'droplets');
  });
  afterAll(async () => {
    t.session.close();
    await t.client.close();
    await sb.close();
  });

  /** The groups of the API's droplets by region slug and status, each with its names in the API's order. */
  function expected(): unknown[][] {
    const groups = new Map<string, { region: string; status: string; n: number; mem: number; names: string[] }>();
    for (const d of droplets) {
      const region = (d.region as { slug: string }).slug;
      const status = d.status as string;
      const key = `${region}\0${status}`;
      const g = groups.get(key) ?? { region, status, n: 0, mem: 0, names: [] };
      g.n++;
      g.mem += d.memory as number;
      g.names.push(d.name as string);
      groups.set(key, g);
    }
    return [...groups.values()].map((g) => [g.region, g.status, g.n, g.mem, g.names.join(',')]).sort(byKey);
  }
  const byKey = (a: unknown[], b: unknown[]): number => `${a[0]}\0${a[1]}`.localeCompare(`${b[0]}\0${b[1]}`);

  it('has several groups of many rows, the API listing them interleaved', () => {
    const rows = expected();
    expect(rows.length).toBeGreaterThan(4);
    const first = droplets.slice(0, 20).map((d) => `${(d.region as { slug: string }).slug}/${d.status}`);
    expect(new Set(first).size).toBeGreaterThan(2);
  });

  it.each([
    ['positions', "SELECT region ->> '$.slug' AS region, status, count(*) AS n, sum(memory) AS mem, string_agg(name, ',') AS names FROM digitalocean.compute.droplets GROUP BY 1, 2"],
    ['expressions', "SELECT region ->> '$.slug' AS r, status, count(*) AS n, sum(memory) AS mem, string_agg(name, ',') AS names FROM digitalocean.compute.droplets d GROUP BY d.region ->> '$.slug', d.status"],
    ['output names', "SELECT region ->> '$.slug' AS r, status AS s, count(*) AS n, sum(memory) AS mem, string_agg(name, ',') AS names FROM digitalocean.compute.droplets GROUP BY r, s"],
    // (status is shown as it is grouped: a grouped query shows only its keys, as Postgres requires; statuses are lower case.)
    ['a key that is not a column', "SELECT region ->> '$.slug' AS r, lower(status) AS status, count(*) AS n, sum(memory) AS mem, string_agg(name, ',') AS names FROM digitalocean.compute.droplets GROUP BY 1, lower(status)"],
  ])('gives each group its rows in the API order, keys as %s', async (_, sql) => {
    const rows = await t.rows(sql);
    expect(rows.sort(byKey)).toEqual(expected());
    // The same statement again reads the converted columns and their order kept with the fetch.
    expect((await t.rows(sql)).sort(byKey)).toEqual(expected());
  });

  it('leaves a plain listing of the same rows in the API order', async () => {
    await t.rows("SELECT region ->> '$.slug' AS region, status, count(*) FROM digitalocean.compute.droplets GROUP BY 1, 2");
    const names = await t.rows("SELECT name, region ->> '$.slug' AS region, status FROM digitalocean.compute.droplets");
    expect(names.map((r) => r[0])).toEqual(droplets.map((d) => d.name));
  });
});
