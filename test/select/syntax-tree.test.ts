// SELECTs parsed into Postgres's syntax tree and emitted for SQLite: keywords that are column names, names
// qualified as Postgres qualifies them, SQLite's own quoting, parameters that stay parameters, and every
// construct the translation does not know refused before any request, naming it.
import { jsonbText } from '../../src/engine/pg-text-forms.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { directList, sessionFor, startSandbox } from './helpers.js';

describe('names read from the syntax tree', () => {
  let sb: Sandbox;
  let vpcs: Record<string, unknown>[];
  let droplets: Record<string, unknown>[];
  beforeAll(async () => {
    sb = await startSandbox({ seed: 11, count: { 'compute.droplets': 5 } });
    vpcs = await directList(sb, '/v2/vpcs', 'vpcs');
    droplets = await directList(sb, '/v2/droplets', 'droplets');
  });
  afterAll(() => sb.close());

  const byName = (a: Record<string, unknown>, b: Record<string, unknown>): number => (String(a.name) < String(b.name) ? -1 : 1);

  it('default is a column wherever a statement names it: select list, WHERE, ORDER BY, qualified or not', async () => {
    const t = sessionFor(sb);
    const expected = vpcs.filter((v) => v.default === true).sort(byName).map((v) => [v.name, true]);
    expect(expected.length).toBeGreaterThan(0);
    expect(await t.rows('SELECT name, default FROM digitalocean.vpcs.vpcs WHERE default ORDER BY name')).toEqual(expected);
    expect(await t.rows('SELECT v.name, v.default FROM digitalocean.vpcs.vpcs v WHERE v.default = true ORDER BY v.name')).toEqual(expected);
    const [r] = await t.session.execute('SELECT default FROM digitalocean.vpcs.vpcs LIMIT 1');
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([['default', 'BOOLEAN']]);
  });

  it('a keyword that is no column of the tables read stays a syntax error, and nothing is sent', async () => {
    const t = sessionFor(sb);
    await expect(t.session.execute('SELECT id, check FROM digitalocean.compute.droplets')).rejects.toThrow(/syntax error at line 1, column 12/);
    expect(t.urls).toEqual([]);
  });

  it('a resource is qualified by its table name, its schema and table, or its whole name, as Postgres allows', async () => {
    const t = sessionFor(sb);
    const names = droplets.map((d) => [d.name]).sort();
    const sorted = (rows: unknown[][]): unknown[][] => rows.sort();
    expect(sorted(await t.rows('SELECT droplets.name FROM digitalocean.compute.droplets'))).toEqual(names);
    expect(sorted(await t.rows('SELECT digitalocean.compute.droplets.name FROM digitalocean.compute.droplets'))).toEqual(names);
    expect(sorted(await t.rows('SELECT compute.droplets.name FROM compute.droplets'))).toEqual(names);
    expect(sorted(await t.rows('SELECT "digitalocean.compute.droplets".name FROM "digitalocean.compute.droplets"'))).toEqual(names);
  });

  it('SQLite quoting ([name], `name`) still names columns, and a subscript is still a subscript', async () => {
    const t = sessionFor(sb);
    const rows = await t.rows('SELECT [name], `id`, tags[1] AS first FROM digitalocean.compute.droplets ORDER BY [name]');
    expect(rows).toEqual(droplets.sort(byName).map((d) => [d.name, d.id, (d.tags as string[])[0] ?? null]));
  });

  it('LIKE tells case apart and ILIKE does not, as in Postgres; a backslash escapes % and _', async () => {
    const t = sessionFor(sb);
    const first = String(droplets[0].name);
    const upper = first.slice(0, 3).toUpperCase();
    expect(upper).not.toBe(first.slice(0, 3));
    const matching = (re: RegExp): unknown[][] => droplets.filter((d) => re.test(String(d.name))).map((d) => [d.name]).sort();
    expect(await t.rows(`SELECT name FROM digitalocean.compute.droplets WHERE name LIKE '${upper}%'`)).toEqual([]);
    expect((await t.rows(`SELECT name FROM digitalocean.compute.droplets WHERE name ILIKE '${upper}%'`)).sort()).toEqual(matching(new RegExp(`^${first.slice(0, 3)}`, 'i')));
    expect(await t.rows(`SELECT 'a%b' LIKE 'a\\%b' AS escaped, 'axb' LIKE 'a\\%b' AS literal, 'a_b' LIKE 'a#_b' ESCAPE '#' AS hash`)).toEqual([[true, false, true]]);
  });

  it('a literal that looks like SQL stays a value', async () => {
    const t = sessionFor(sb);
    expect(await t.rows(`SELECT count(*) FROM digitalocean.compute.droplets WHERE name = 'x'' OR ''1''=''1'`)).toEqual([[0]]);
  });

  it('$1 stays a bound parameter, compared as the column it meets', async () => {
    const t = sessionFor(sb);
    const d = droplets[0];
    const [r] = await t.session.execute('SELECT name FROM digitalocean.compute.droplets WHERE id = $1 AND name = $2', { params: [String(d.id), d.name] });
    expect(r.rows).toEqual([[d.name]]);
  });
});

describe("a resource's JSON read through ->> as a hidden column doql fills (SQLite parses no JSON text)", () => {
  let sb: Sandbox;
  let droplets: Record<string, unknown>[];
  beforeAll(async () => {
    sb = await startSandbox({ seed: 13, count: { 'compute.droplets': 6 } });
    droplets = await directList(sb, '/v2/droplets', 'droplets');
  });
  afterAll(() => sb.close());

  const SQL =
    "SELECT name, region ->> '$.slug' AS a, json_extract(region, '$.slug') AS b, region ->> 'available' AS c, json_extract(region, '$.available') AS d, " +
    "region ->> '$.nope.x' AS e, region ->> 'features' AS f, json_extract(region, '$.features') AS g FROM digitalocean.compute.droplets ORDER BY name";

  it.each([0, 60_000])('gives what SQLite gives from the JSON text (cache TTL %i ms)', async (cacheTtlMs) => {
    const rows = await sessionFor(sb, { cacheTtlMs }).rows(SQL);
    expect(rows).toHaveLength(droplets.length);
    for (const [, a, b, c, d, e, f, g] of rows) {
      // `->> '$.slug'` is SQLite's path, so it answers as json_extract; `->> 'available'` is Postgres's, always text.
      expect(a).toBe(b);
      expect(c).toBe(d === 1 ? 'true' : 'false');
      expect(e).toBeNull();
      expect(f).toBe(jsonbText(String(g)));
    }
  });

  it('groups by a path alone, qualified or not, in a one-shot listing and from the cache', async () => {
    const counts = new Map<unknown, number>();
    for (const d of droplets) {
      const slug = (d.region as { slug: string }).slug;
      counts.set(slug, (counts.get(slug) ?? 0) + 1);
    }
    const expected = [...counts].sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    for (const cacheTtlMs of [0, 60_000]) {
      const t = sessionFor(sb, { cacheTtlMs });
      expect(await t.rows("SELECT region ->> '$.slug' AS r, count(*) FROM digitalocean.compute.droplets GROUP BY 1 ORDER BY 1")).toEqual(expected);
      expect(await t.rows("SELECT d.region ->> 'slug' AS r, count(*) FROM digitalocean.compute.droplets d GROUP BY 1 ORDER BY 1")).toEqual(expected);
    }
  });
});

describe('a construct the tree translation does not know fails before anything is sent, naming it', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 12 });
  });
  afterAll(() => sb.close());

  it.each([
    ['LATERAL subquery', 'SELECT d.name, s.n FROM digitalocean.compute.droplets d, LATERAL (SELECT d.memory AS n) s', 'LATERAL subquery is not supported by doql'],
    ['greatest', 'SELECT greatest(memory, disk) FROM digitalocean.compute.droplets', 'greatest(…) is not supported by doql'],
    ['SIMILAR TO', "SELECT name FROM digitalocean.compute.droplets WHERE name SIMILAR TO 'a%'", 'SIMILAR TO is not supported by doql'],
    ['GROUPING SETS', 'SELECT status, count(*) FROM digitalocean.compute.droplets GROUP BY ROLLUP (status)', 'GROUPING SETS, ROLLUP and CUBE is not supported by doql'],
    ['FOR UPDATE', 'SELECT name FROM digitalocean.compute.droplets FOR UPDATE', 'FOR UPDATE / FOR SHARE is not supported by doql'],
    ['INTERSECT ALL', 'SELECT name FROM digitalocean.compute.droplets INTERSECT ALL SELECT name FROM digitalocean.compute.droplets', 'INTERSECT ALL is not supported by doql'],
    ['a #> path that is not a constant', "SELECT region #> ARRAY['features'] FROM digitalocean.compute.droplets", "#> with a path that is not a constant like '{a,0}' is not supported by doql"],
    ['WITH TIES', 'SELECT name FROM digitalocean.compute.droplets ORDER BY memory FETCH FIRST 1 ROWS WITH TIES', 'FETCH FIRST … WITH TIES is not supported by doql'],
  ])('%s', async (_, sql, message) => {
    const t = sessionFor(sb);
    await expect(t.session.execute(sql)).rejects.toThrow(message);
    expect(t.urls).toEqual([]);
  });
});
