// A change to several rows is confirmed first: the question lists each request; a refusal sends nothing; a
// predicate that matches nothing sends nothing; one matching row needs no confirmation.
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, failure, insertDroplets, routes, sessionOn, startSandbox, withCiDroplets } from './harness.js';

afterAll(closeAll);

const DELETE_CI = `DELETE FROM digitalocean.compute.droplets WHERE tag_name = 'ci' AND created_at < '2100-01-01'`;

describe('confirming changes to several rows', () => {
  it('the question lists each DELETE; declining sends nothing and says it was not confirmed', async () => {
    const { sb, ids } = await withCiDroplets(['ci-1', 'ci-2']);
    const asked: string[] = [];
    const t = sessionOn(sb, { confirm: async (m) => (asked.push(m), false) });
    const err = await failure(t.run(DELETE_CI));
    expect(asked).toHaveLength(1);
    expect(asked[0].split('\n')[0]).toBe('DELETE would change 2 rows of digitalocean.compute.droplets:');
    for (const id of ids) expect(asked[0]).toContain(`  DELETE /v2/droplets/${id}`);
    expect(err.message).toMatch(/nothing was sent$/);
    expect(err.hint).toBe('not confirmed');
    expect(Object.keys(routes(sb)).filter((k) => !k.startsWith('GET'))).toEqual([]);
  });

  it('accepting sends one DELETE per row', async () => {
    const { sb } = await withCiDroplets(['ci-1', 'ci-2', 'ci-3']);
    const t = sessionOn(sb, { confirm: async () => true });
    const [r] = await t.run(DELETE_CI);
    expect(r.command).toBe('DELETE 3');
    expect(routes(sb)['DELETE /v2/droplets/{droplet_id}']).toBe(3);
  });

  it('one matching row is deleted without asking', async () => {
    const { sb, ids } = await withCiDroplets(['ci-1']);
    const t = sessionOn(sb, { confirm: async () => expect.fail('asked for one row') });
    await t.run(DELETE_CI);
    expect(t.changes()).toEqual([{ method: 'DELETE', path: `/v2/droplets/${ids[0]}` }]);
  });

  it('no matching rows: nothing sent, and a notice says so', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const [r] = await t.run(DELETE_CI);
    expect(r.command).toBe('DELETE 0');
    expect(r.notices).toEqual(['no rows matched: nothing sent']);
    expect(routes(sb)).toEqual({ 'GET /v2/droplets': 1 });
  });

  it('INSERT of several rows is not a change to existing rows: no question asked', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb, { confirm: async () => expect.fail('asked for an INSERT') });
    await t.run(insertDroplets([{ name: 'n-1' }, { name: 'n-2' }]));
    expect(routes(sb)['POST /v2/droplets']).toBe(2);
  });
});
