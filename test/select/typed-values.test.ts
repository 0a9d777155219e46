// Values keep their types: integers are SQL integers, booleans are 0/1 in SQL and true/false in -o json,
// JSON columns are JSON text in SQL and real JSON in -o json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { buildMissing, directGet, directList, doqlAt, sessionFor, startSandbox } from './helpers.js';

const missingBuild = buildMissing();

describe('typed values', () => {
  let sb: Sandbox;
  let droplets: Record<string, unknown>[];

  beforeAll(async () => {
    sb = await startSandbox({ seed: 31, count: { 'compute.droplets': 30 } });
    droplets = await directList(sb, '/v2/droplets', 'droplets');
  });
  afterAll(() => sb.close());

  it.each([
    ['id', 'integer'],
    ['memory', 'integer'],
    ['vcpus', 'integer'],
    ['disk', 'integer'],
    ['locked', 'integer'],
    ['name', 'text'],
    ['tags', 'text'],
    ['networks', 'text'],
    ['created_at', 'text'],
  ])('typeof(%s) is %s in SQL for every droplet', async (col, type) => {
    const t = sessionFor(sb);
    expect(await t.rows(`SELECT DISTINCT typeof(${col}) FROM digitalocean.compute.droplets`)).toEqual([[type]]);
  });

  it('typeof(size_gigabytes) of backups is real; REAL values compare numerically', async () => {
    const cluster = ((await directGet(sb, '/v2/databases')).databases as { id: string }[])[0]!.id;
    const backups = (await directGet(sb, `/v2/databases/${cluster}/backups`)).backups as { size_gigabytes: number }[];
    const t = sessionFor(sb);
    const rows = await t.rows(
      `SELECT typeof(size_gigabytes), size_gigabytes FROM digitalocean.databases.backups WHERE database_cluster_uuid = '${cluster}' ORDER BY size_gigabytes`,
    );
    expect(rows).toEqual(backups.map((b) => b.size_gigabytes).sort((a, b) => a - b).map((s) => ['real', s]));
  });

  it('booleans are 0/1 in SQL: locked = 0 / locked = 1 count the unlocked / locked droplets', async () => {
    const t = sessionFor(sb);
    const rows = await t.rows('SELECT locked + 0 AS v, count(*) FROM digitalocean.compute.droplets GROUP BY 1 ORDER BY 1');
    const unlocked = droplets.filter((d) => d.locked === false).length;
    const locked = droplets.filter((d) => d.locked === true).length;
    expect(rows).toEqual([[0, unlocked], [1, locked]].filter(([, n]) => n! > 0));
  });

  it('a BOOLEAN column comes out of the engine as true/false; integers as integers', async () => {
    const t = sessionFor(sb);
    const results = await t.session.execute('SELECT id, locked FROM digitalocean.compute.droplets ORDER BY id');
    const r = results[0]!;
    expect(r.columns).toEqual([
      { name: 'id', type: 'INTEGER' },
      { name: 'locked', type: 'BOOLEAN' },
    ]);
    for (const [id, locked] of r.rows) {
      expect(Number.isInteger(Number(id))).toBe(true);
      expect(['number', 'bigint']).toContain(typeof id);
      expect(typeof locked).toBe('boolean');
    }
  });

  it('JSON columns are valid JSON text that json_type reads as array/object', async () => {
    const t = sessionFor(sb);
    expect(
      await t.rows('SELECT DISTINCT json_valid(tags), json_type(tags), json_valid(networks), json_type(networks) FROM digitalocean.compute.droplets'),
    ).toEqual([[1, 'array', 1, 'object']]);
  });

  describe.skipIf(Boolean(missingBuild))('-o json on the command line', () => {
    it('prints integers as numbers, booleans as true/false and JSON columns as real JSON', async () => {
      const d = droplets[5]!;
      const r = await doqlAt(sb, [
        '-o',
        'json',
        `SELECT id, memory, locked, tags, networks, region, size_slug FROM digitalocean.compute.droplets WHERE droplet_id = ${d.id as number}`,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([
        { id: d.id, memory: d.memory, locked: d.locked, tags: d.tags, networks: d.networks, region: d.region, size_slug: d.size_slug },
      ]);
      // The raw text, not just the parsed value: no quoted numbers or booleans, no JSON-in-a-string.
      expect(r.stdout).toMatch(new RegExp(`"id": ${d.id as number},`));
      expect(r.stdout).toMatch(new RegExp(`"locked": ${String(d.locked)},`));
      expect(r.stdout).not.toMatch(/"tags": "/);
    });

    it('prints every droplet with the same values the API holds', async () => {
      const r = await doqlAt(sb, ['-o', 'json', 'SELECT id, locked, tags, memory FROM digitalocean.compute.droplets ORDER BY id']);
      expect(r.code).toBe(0);
      const expected = [...droplets]
        .sort((a, b) => (a.id as number) - (b.id as number))
        .map((d) => ({ id: d.id, locked: d.locked, tags: d.tags, memory: d.memory }));
      expect(JSON.parse(r.stdout)).toEqual(expected);
    });
  });
});
