// A session translates a SELECT's text once and reuses the translation when the same text runs again (a warm
// fan-out, a driver's repeated query). What a run returns must still follow everything that changes between
// runs: $n values, template variables, the API's data, and a statement that failed fails again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { SelectTranslation } from '../../src/sql/tree/translate-select.js';
import { TranslationCache } from '../../src/sql/tree/translation-cache.js';
import { directGet, sessionFor, startSandbox } from './helpers.js';

describe('a SELECT run again in one session', () => {
  let sb: Sandbox;
  let clusters: { id: string; name: string }[];

  beforeAll(async () => {
    sb = await startSandbox({ seed: 43, count: { 'databases.clusters': 3 } });
    clusters = (await directGet(sb, '/v2/databases')).databases as { id: string; name: string }[];
  });
  afterAll(() => sb.close());

  it('binds each run its own $n values and fetches again (TTL 0)', async () => {
    const t = sessionFor(sb);
    const sql = 'SELECT name FROM digitalocean.databases.clusters WHERE id = $1';
    for (const c of [...clusters, clusters[0]!]) {
      const [r] = await t.session.execute(sql, { params: [c.id] });
      expect(r.rows).toEqual([[c.name]]);
    }
    expect(t.urls.filter((u) => u.startsWith('/v2/databases')).length).toBe(4);
  });

  it('renders template variables before the text is looked up', async () => {
    const t = sessionFor(sb);
    const sql = "SELECT name FROM digitalocean.databases.clusters WHERE id = '{{ cluster }}'";
    for (const c of clusters) {
      t.session.vars.cluster = c.id;
      expect(await t.rows(sql)).toEqual([[c.name]]);
    }
  });

  it('sees data the API changed between runs', async () => {
    const t = sessionFor(sb);
    const sql = "SELECT count(*) FROM digitalocean.compute.tags WHERE name = 'cache-test-tag'";
    expect(await t.rows(sql)).toEqual([[0]]);
    await t.session.execute("INSERT INTO digitalocean.compute.tags (data__name) VALUES ('cache-test-tag')");
    expect(await t.rows(sql)).toEqual([[1]]);
  });

  it('fails again on a statement that failed, and runs the next one', async () => {
    const t = sessionFor(sb);
    const bad = 'SELECT no_such_column FROM digitalocean.databases.clusters';
    await expect(t.session.execute(bad)).rejects.toThrow(/no_such_column/);
    await expect(t.session.execute(bad)).rejects.toThrow(/no_such_column/);
    expect((await t.rows('SELECT count(*) FROM digitalocean.databases.clusters'))[0]).toEqual([clusters.length]);
  });
});

describe('TranslationCache', () => {
  const translation = (sql: string): SelectTranslation => ({
    catalog: false, sql, resources: [], tables: [], keep: new Set(), params: [], paramKinds: new Map(), columnTypes: [], pgTypes: [], pgFunctions: false,
  });

  it('translates a text once per catalog, and not at all from a failure', async () => {
    const cache = new TranslationCache(2);
    const calls: string[] = [];
    const get = (text: string, catalog: object) =>
      cache.get(text, catalog, async () => {
        calls.push(text);
        if (text === 'bad') throw new Error('bad');
        return translation(text);
      });
    const a = {};
    const b = {};
    const first = await get('x', a);
    expect(await get('x', a)).toBe(first);
    await expect(get('bad', a)).rejects.toThrow('bad');
    await expect(get('bad', a)).rejects.toThrow('bad');
    expect(await get('x', b)).not.toBe(first);
    // Two entries at most: y and z push x (used least recently) out.
    await get('y', b);
    await get('z', b);
    await get('x', b);
    expect(calls).toEqual(['x', 'bad', 'bad', 'x', 'y', 'z', 'x']);
  });
});
