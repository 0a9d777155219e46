// INSERT through SQL against the sandbox: one POST per row with the body built from data__ columns, /*+ AWAIT */
// waiting for the create action and the droplet's `active`, RETURNING printing the created objects, and
// the session's read cache forgetting what the INSERT changed.
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, DROPLET_IMAGE, DROPLET_SIZE, insertDroplets, routes, sessionOn, startSandbox } from './harness.js';

afterAll(closeAll);

const AWAIT_INSERT = `INSERT /*+ AWAIT */ INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image, data__tags)
SELECT 'web-1', 'nyc3', '${DROPLET_SIZE}', '${DROPLET_IMAGE}', '["web"]'`;

describe('INSERT /*+ AWAIT */ INTO digitalocean.compute.droplets', () => {
  it('sends exactly one POST /v2/droplets whose body holds the tags as a JSON array', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const [result] = await t.run(AWAIT_INSERT);
    expect(result.command).toBe('INSERT 0 1');
    expect(t.changes()).toEqual([
      { method: 'POST', path: '/v2/droplets', body: { name: 'web-1', region: 'nyc3', size: DROPLET_SIZE, image: DROPLET_IMAGE, tags: ['web'] } },
    ]);
    expect(routes(sb)['POST /v2/droplets']).toBe(1);
    expect(sb.requests().byRouteStatus['POST /v2/droplets 202'] ?? sb.requests().byRouteStatus['POST /v2/droplets 201']).toBe(1);
  });

  it('waits until the create action is completed and the droplet is active, so a SELECT right after finds it active', async () => {
    const delay = 400;
    const sb = await startSandbox({ actionDelayMs: delay });
    const t = sessionOn(sb);
    const started = performance.now();
    await t.run(AWAIT_INSERT);
    expect(performance.now() - started).toBeGreaterThanOrEqual(delay - 50);
    // It polled the create action (at least once) until it completed.
    expect(routes(sb)['GET /v2/actions/{action_id}']).toBeGreaterThanOrEqual(1);
    const rows = await t.rows(`SELECT name, status, tags FROM digitalocean.compute.droplets WHERE name = 'web-1'`);
    expect(rows).toEqual([{ name: 'web-1', status: 'active', tags: '["web"]' }]);
  });

  it('without AWAIT returns at once: the droplet is still new and no action is polled', async () => {
    const sb = await startSandbox({ actionDelayMs: 5_000 });
    const t = sessionOn(sb);
    await t.run(AWAIT_INSERT.replace('/*+ AWAIT */ ', ''));
    expect(routes(sb)['GET /v2/actions/{action_id}']).toBeUndefined();
    expect(await t.rows(`SELECT status FROM digitalocean.compute.droplets WHERE name = 'web-1'`)).toEqual([{ status: 'new' }]);
  });

  it('RETURNING after AWAIT shows the droplet as it ended (active), not as the POST answered (new)', async () => {
    const sb = await startSandbox({ actionDelayMs: 300 });
    const t = sessionOn(sb);
    const [r] = await t.run(`${AWAIT_INSERT} RETURNING id, name, status`);
    const ids = sb.ids('/v2/droplets');
    expect(r.rows).toHaveLength(1);
    const [row] = r.rows;
    expect(row[1]).toBe('web-1');
    expect(row[2]).toBe('active');
    expect(ids).toContain(String(row[0]));
    // The status was read back from the droplet itself once the action had completed.
    expect(routes(sb)['GET /v2/droplets/{droplet_id}']).toBeGreaterThanOrEqual(1);
  });

  it('invalidates the session read cache: the SELECT after the INSERT reads the list again and sees the new droplet', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb, {}, { cacheTtlMs: 60_000 });
    const before = await t.rows('SELECT name FROM digitalocean.compute.droplets');
    expect(before.map((r) => r.name)).not.toContain('web-1');
    await t.rows('SELECT name FROM digitalocean.compute.droplets');
    expect(routes(sb)['GET /v2/droplets']).toBe(1); // the second SELECT was served from the cache
    await t.run(AWAIT_INSERT);
    const after = await t.rows('SELECT name, status FROM digitalocean.compute.droplets');
    expect(after).toContainEqual({ name: 'web-1', status: 'active' });
    expect(after).toHaveLength(before.length + 1);
    expect(routes(sb)['GET /v2/droplets']).toBe(2);
  });
});

describe('INSERT of several rows', () => {
  it('VALUES (…), (…) sends one POST per row and creates each droplet', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const [r] = await t.run(insertDroplets([{ name: 'a-1' }, { name: 'a-2', tags: ['x', 'y'] }]));
    expect(r.command).toBe('INSERT 0 2');
    expect(routes(sb)['POST /v2/droplets']).toBe(2);
    expect(t.changes().map((c) => (c.body as { name: string; tags: string[] }).name).sort()).toEqual(['a-1', 'a-2']);
    expect(t.changes().find((c) => (c.body as { name: string }).name === 'a-2')?.body).toMatchObject({ tags: ['x', 'y'] });
    const rows = await t.rows(`SELECT name, tags FROM digitalocean.compute.droplets WHERE name LIKE 'a-%' ORDER BY name`);
    expect(rows).toEqual([
      { name: 'a-1', tags: '[]' },
      { name: 'a-2', tags: '["x","y"]' },
    ]);
  });

  it('INSERT … SELECT … FROM another resource sends one POST per source row (and reads the source once)', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    await t.run(insertDroplets([{ name: 'src-1' }, { name: 'src-2' }, { name: 'other' }]));
    sb.resetCounts();
    const [r] = await t.run(
      `INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image)
       SELECT name || '-copy', 'nyc3', size_slug, '${DROPLET_IMAGE}' FROM digitalocean.compute.droplets WHERE name LIKE 'src-%'`,
    );
    expect(r.command).toBe('INSERT 0 2');
    expect(routes(sb)).toEqual({ 'GET /v2/droplets': 1, 'POST /v2/droplets': 2 });
    const names = (await t.rows(`SELECT name FROM digitalocean.compute.droplets WHERE name LIKE '%-copy' ORDER BY name`)).map((x) => x.name);
    expect(names).toEqual(['src-1-copy', 'src-2-copy']);
  });

  it('an INSERT … SELECT whose source has no rows sends nothing', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const [r] = await t.run(
      `INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image)
       SELECT name, 'nyc3', '${DROPLET_SIZE}', '${DROPLET_IMAGE}' FROM digitalocean.compute.droplets WHERE name = 'no-such-droplet'`,
    );
    expect(r.command).toBe('INSERT 0');
    expect(routes(sb)['POST /v2/droplets']).toBeUndefined();
  });

  it('RETURNING id, name returns exactly those columns, one row per created droplet, with the ids the API gave', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const [r] = await t.run(`${insertDroplets([{ name: 'r-1' }, { name: 'r-2' }])} RETURNING id, name`);
    expect(r.kind).toBe('rows');
    expect(r.columns.map((c) => c.name)).toEqual(['id', 'name']);
    const got = r.rows.map(([id, name]) => ({ id: String(id), name })).sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(got.map((x) => x.name)).toEqual(['r-1', 'r-2']);
    const listed = await t.rows(`SELECT id, name FROM digitalocean.compute.droplets WHERE name LIKE 'r-%' ORDER BY name`);
    expect(got.map((x) => x.id)).toEqual(listed.map((x) => String(x.id)));
  });

  it('RETURNING takes expressions and aliases, typed like the columns they come from', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const [r] = await t.run(`${insertDroplets([{ name: 'e-1', tags: ['web'] }])} RETURNING id AS droplet_id, upper(name) AS shout, region ->> 'slug' AS region, json_array_length(tags) AS n_tags, locked`);
    expect(r.columns).toEqual([
      { name: 'droplet_id', type: 'INTEGER' },
      { name: 'shout', type: 'TEXT' },
      { name: 'region', type: 'TEXT' },
      { name: 'n_tags', type: 'INTEGER' },
      { name: 'locked', type: 'BOOLEAN' },
    ]);
    const [row] = r.rows;
    expect(row.slice(1, 4)).toEqual(['E-1', 'nyc3', 1]);
    expect(typeof row[4]).toBe('boolean');
    expect(sb.ids('/v2/droplets')).toContain(String(row[0]));
  });

  it('a RETURNING that names no column fails before anything is sent', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    for (const returning of ['nosuch', 'nosuch + 1']) {
      await expect(t.run(`${insertDroplets([{ name: 'never' }])} RETURNING ${returning}`)).rejects.toThrow(/^RETURNING: /);
    }
    // A list that does not parse is the statement's syntax error, pointing at where it ends.
    const cut = `${insertDroplets([{ name: 'never' }])} RETURNING name, count(`;
    await expect(t.run(cut)).rejects.toThrow(`syntax error at line 1, column ${cut.length + 1}: syntax error at end of input`);
    expect(routes(sb)['POST /v2/droplets']).toBeUndefined();
  });

  it('RETURNING * returns the created droplets with every droplet column', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const [r] = await t.run(`${insertDroplets([{ name: 's-1', tags: ['web'] }])} RETURNING *`);
    const names = r.columns.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['id', 'name', 'status', 'region', 'size_slug', 'tags']));
    expect(r.rows).toHaveLength(1);
    const row = Object.fromEntries(names.map((n, i) => [n, r.rows[0][i]]));
    expect(row).toMatchObject({ name: 's-1', status: 'new', size_slug: DROPLET_SIZE, tags: '["web"]' });
  });
});
