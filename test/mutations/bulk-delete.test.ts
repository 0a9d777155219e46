// A DELETE on a collection (`DELETE /v2/droplets?tag_name=ci`) is one request that can remove many rows:
// doql reads what it would remove and asks first when that is more than one row.
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, failure, objects, routes, sessionOn, withCiDroplets } from './harness.js';

afterAll(closeAll);

const BY_TAG = `DELETE FROM digitalocean.compute.droplets WHERE tag_name = 'ci'`;

describe('a DELETE by tag', () => {
  it('matching several droplets asks first, naming them; declining sends nothing', async () => {
    const { sb, ids } = await withCiDroplets(['ci-1', 'ci-2']);
    const asked: string[] = [];
    const t = sessionOn(sb, { confirm: async (m) => (asked.push(m), false) });
    const err = await failure(t.run(BY_TAG));
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('would remove 2 rows of digitalocean.compute.droplets');
    for (const id of ids) expect(asked[0]).toContain(id);
    expect(asked[0]).toContain('DELETE /v2/droplets?tag_name=ci');
    expect(err.message).toMatch(/nothing was sent$/);
    expect(routes(sb)['DELETE /v2/droplets']).toBeUndefined();
  });

  it('without a way to ask, it refuses unless told yes; with yes it is one request, counted by the rows it removed', async () => {
    const { sb } = await withCiDroplets(['ci-1', 'ci-2', 'ci-3']);
    await failure(sessionOn(sb).run(BY_TAG));
    expect(routes(sb)['DELETE /v2/droplets']).toBeUndefined();
    const [r] = await sessionOn(sb, { yes: true }).run(BY_TAG);
    expect(r.command).toBe('DELETE 3');
    expect(routes(sb)['DELETE /v2/droplets']).toBe(1);
    const left = await sessionOn(sb).rows(`SELECT id FROM digitalocean.compute.droplets WHERE tag_name = 'ci'`);
    expect(left).toEqual([]);
  });

  it('matching nothing sends nothing and says DELETE 0', async () => {
    const { sb } = await withCiDroplets(['ci-1']);
    const [r] = await sessionOn(sb, { yes: true }).run(BY_TAG.replace("'ci'", "'no-such-tag'"));
    expect(r.command).toBe('DELETE 0');
    expect(r.notices).toEqual(['no rows matched: nothing sent']);
    expect(routes(sb)['DELETE /v2/droplets']).toBeUndefined();
  });

  it('RETURNING gives the rows as they were before the delete, by id and by predicate', async () => {
    const { sb, ids } = await withCiDroplets(['ci-1', 'ci-2', 'ci-3']);
    const t = sessionOn(sb, { yes: true });
    const [one] = await t.run(`DELETE FROM digitalocean.compute.droplets WHERE droplet_id = ${ids[0]} RETURNING id, upper(name) AS name`);
    expect(objects(one)).toEqual([{ id: Number(ids[0]), name: 'CI-1' }]);
    const [rest] = await t.run(`DELETE FROM digitalocean.compute.droplets WHERE name LIKE 'ci-%' RETURNING name`);
    expect(objects(rest).map((r) => r.name).sort()).toEqual(['ci-2', 'ci-3']);
    expect(await t.rows(`SELECT id FROM digitalocean.compute.droplets WHERE name LIKE 'ci-%'`)).toEqual([]);
  });

  it('matching one droplet needs no question', async () => {
    const { sb } = await withCiDroplets(['ci-1']);
    const [r] = await sessionOn(sb, { confirm: async () => { throw new Error('asked'); } }).run(BY_TAG);
    expect(r.command).toBe('DELETE 1');
  });
});
