// StackQL reads whole response bodies, so its queries name fields around the rows (`links`, `meta`, the
// object key itself). doql keeps those as envelope columns: they answer when named, and `*` and DESCRIBE
// leave them out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { sessionFor, startSandbox } from './helpers.js';

describe('envelope columns', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 43, count: { 'compute.droplets': 3 } });
  });
  afterAll(() => sb.close());

  it('SELECT * and alias.* list only the object’s own fields', async () => {
    const t = sessionFor(sb);
    const [all] = await t.session.execute('SELECT * FROM digitalocean.compute.droplets');
    const names = all.columns.map((c) => c.name);
    expect(names).toContain('id');
    expect(names).not.toContain('links');
    expect(names).not.toContain('droplets');
    const [aliased] = await t.session.execute('SELECT d.* FROM digitalocean.compute.droplets AS d LIMIT 1');
    expect(aliased.columns.map((c) => c.name)).toEqual(names);
  });

  it('named, they hold the page’s links and meta and the row as the API returned it', async () => {
    const t = sessionFor(sb);
    const rows = await t.objects('SELECT id, meta, droplets FROM digitalocean.compute.droplets ORDER BY id');
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(JSON.parse(r.meta as string)).toEqual({ total: 3 });
      expect(JSON.parse(r.droplets as string).id).toBe(r.id);
    }
  });

  it('DESCRIBE leaves them out; DESCRIBE EXTENDED marks them', async () => {
    const t = sessionFor(sb);
    const plain = (await t.rows('DESCRIBE digitalocean.compute.droplets')).map((r) => r[0]);
    expect(plain).not.toContain('links');
    const extended = await t.objects('DESCRIBE EXTENDED digitalocean.compute.droplets');
    expect(extended.find((r) => r.name === 'links')?.kind).toBe('response field');
  });
});
