// One statement over two accounts (`--context a,b` against a two-account sandbox): the hidden `context`
// column, pushed down to one account by WHERE, a failing account failing the statement by name, --partial.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { buildMissing } from '../select/helpers.js';
import { doctlHome, doqlAccounts, requestsOf, startTwoAccounts, TOKEN_A, TOKEN_B } from './helpers.js';

type Row = Record<string, unknown>;
const json = (stdout: string): Row[] => JSON.parse(stdout) as Row[];

/** A's or B's droplets, straight from the sandbox. */
async function droplets(sb: Sandbox, token: string): Promise<Row[]> {
  const res = await fetch(`${sb.url}/v2/droplets?per_page=200`, { headers: { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { droplets: Row[] }).droplets;
}

describe.skipIf(buildMissing())('--context a,b over two sandbox accounts', () => {
  let sb: Sandbox;
  let home: string;
  let a: Row[];
  let b: Row[];
  beforeAll(async () => {
    sb = await startTwoAccounts({ count: { 'compute.droplets': 3, 'compute.sizes': 4 } });
    home = doctlHome();
    a = await droplets(sb, TOKEN_A);
    b = await droplets(sb, TOKEN_B);
  });
  afterAll(() => sb?.close());
  beforeEach(() => sb.resetCounts());

  it('GROUP BY context counts each account', async () => {
    const r = await doqlAccounts(sb, home, ['--context', 'a,b', '-o', 'json', 'SELECT context, count(*) AS n FROM digitalocean.compute.droplets GROUP BY context ORDER BY context']);
    expect(r.stderr).toBe('');
    expect(json(r.stdout)).toEqual([
      { context: 'a', n: a.length },
      { context: 'b', n: b.length },
    ]);
    expect(requestsOf(sb)).toEqual({ a: 1, b: 1 });
  });

  it('keeps the column out of SELECT * but gives it when named; each row holds its own account', async () => {
    const star = await doqlAccounts(sb, home, ['--context', 'a,b', '-o', 'json', 'SELECT * FROM digitalocean.compute.droplets']);
    const rows = json(star.stdout);
    expect(rows).toHaveLength(a.length + b.length);
    expect(Object.keys(rows[0]!)).not.toContain('context');
    const named = await doqlAccounts(sb, home, ['--context', 'a,b', '-o', 'json', 'SELECT context, id, name FROM digitalocean.compute.droplets ORDER BY context, id']);
    expect(json(named.stdout)).toEqual([
      ...a.map((d) => ({ context: 'a', id: d.id, name: d.name })),
      ...b.map((d) => ({ context: 'b', id: d.id, name: d.name })),
    ].sort((x, y) => String(x.context).localeCompare(String(y.context)) || Number(x.id) - Number(y.id)));
  });

  it("WHERE context = 'a' sends no request to b", async () => {
    const r = await doqlAccounts(sb, home, ['--context', 'a,b', '-o', 'json', "SELECT context, id FROM digitalocean.compute.droplets WHERE context = 'a'"]);
    expect(json(r.stdout)).toEqual(a.map((d) => ({ context: 'a', id: d.id })));
    expect(requestsOf(sb)).toEqual({ a: 1, b: 0 });
  });

  it('joins rows of one account with rows of the other', async () => {
    const sql =
      "SELECT x.id AS a_id, y.id AS b_id FROM digitalocean.compute.droplets x JOIN digitalocean.compute.droplets y ON x.region ->> 'slug' = y.region ->> 'slug' " +
      "WHERE x.context = 'a' AND y.context = 'b' ORDER BY 1, 2";
    const r = await doqlAccounts(sb, home, ['--context', 'a,b', '-o', 'json', sql]);
    expect(r.stderr).toBe('');
    const slug = (d: Row): unknown => (d.region as { slug: unknown }).slug;
    const expected = a.flatMap((x) => b.filter((y) => slug(y) === slug(x)).map((y) => ({ a_id: x.id, b_id: y.id })));
    expect(json(r.stdout)).toEqual(expected.sort((p, q) => Number(p.a_id) - Number(q.a_id) || Number(p.b_id) - Number(q.b_id)));
    // Each side read its own account only.
    expect(requestsOf(sb)).toEqual({ a: 1, b: 1 });
  });

  it("joins on context: each account's rows matched with its own", async () => {
    const sql =
      'SELECT d.context, count(*) AS n FROM digitalocean.compute.droplets d JOIN digitalocean.compute.droplets e ON d.context = e.context AND e.id = d.id GROUP BY d.context ORDER BY 1';
    const r = await doqlAccounts(sb, home, ['--context', 'a,b', '-o', 'json', sql]);
    expect(r.stderr).toBe('');
    expect(json(r.stdout)).toEqual([
      { context: 'a', n: a.length },
      { context: 'b', n: b.length },
    ]);
    // The old workaround (one side an expression) gives the same rows.
    const written = await doqlAccounts(sb, home, ['--context', 'a,b', '-o', 'json', sql.replace('e.context', "e.context || ''")]);
    expect(json(written.stdout)).toEqual(json(r.stdout));
  });

  it('context takes = and IN only, and IN reaches just the accounts named', async () => {
    const r = await doqlAccounts(sb, home, ['--context', 'a,b', '-o', 'json', "SELECT count(*) AS n FROM digitalocean.compute.droplets WHERE context IN ('b', 'nope')"]);
    expect(json(r.stdout)).toEqual([{ n: b.length }]);
    expect(requestsOf(sb)).toEqual({ a: 0, b: 1 });
    const other = await doqlAccounts(sb, home, ['--context', 'a,b', "SELECT count(*) FROM digitalocean.compute.droplets WHERE context <> 'a'"]);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain("WHERE context IN ('a', 'b')");
  });

  it('one context: the column holds its name', async () => {
    const r = await doqlAccounts(sb, home, ['--context', 'b', '-o', 'json', 'SELECT DISTINCT context FROM digitalocean.compute.droplets']);
    expect(json(r.stdout)).toEqual([{ context: 'b' }]);
    const current = await doqlAccounts(sb, home, ['-o', 'json', 'SELECT DISTINCT context FROM digitalocean.compute.droplets']);
    expect(json(current.stdout)).toEqual([{ context: 'a' }]);
    expect(requestsOf(sb)).toEqual({ a: 1, b: 1 });
  });

  it('--context all reads every doctl context', async () => {
    const r = await doqlAccounts(sb, home, ['--context', 'all', '-o', 'json', 'SELECT context, count(*) AS n FROM digitalocean.compute.droplets GROUP BY context ORDER BY 1']);
    expect(json(r.stdout)).toEqual([
      { context: 'a', n: a.length },
      { context: 'b', n: b.length },
    ]);
  });

  it('DESCRIBE EXTENDED shows the context column', async () => {
    const r = await doqlAccounts(sb, home, ['-o', 'json', 'DESCRIBE EXTENDED digitalocean.compute.droplets']);
    expect(json(r.stdout)).toContainEqual(expect.objectContaining({ name: 'context', kind: 'account' }));
    const plain = await doqlAccounts(sb, home, ['-o', 'json', 'DESCRIBE digitalocean.compute.droplets']);
    expect(json(plain.stdout).map((c) => c.name)).not.toContain('context');
  });
});

describe.skipIf(buildMissing())('an account that fails', () => {
  let sb: Sandbox;
  let home: string;
  beforeAll(async () => {
    sb = await startTwoAccounts();
    home = doctlHome();
    sb.revoke(TOKEN_B);
  });
  afterAll(() => sb?.close());

  it('fails the statement with an error naming its context, and no rows', async () => {
    const r = await doqlAccounts(sb, home, ['--context', 'a,b', '-o', 'json', 'SELECT context, id FROM digitalocean.compute.droplets']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/context "b".*401/);
    expect(r.stderr.trim().split('\n')).toHaveLength(r.stderr.includes('hint') ? 2 : 1);
    expect(r.stderr).not.toContain(TOKEN_B);
  });

  it("--partial returns the other account's rows with one warning naming it", async () => {
    const r = await doqlAccounts(sb, home, ['--context', 'a,b', '--partial', '-o', 'json', 'SELECT context, count(*) AS n FROM digitalocean.compute.droplets GROUP BY context']);
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toEqual([{ context: 'a', n: 3 }]);
    const warnings = r.stderr.trim().split('\n');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/WARNING: context "b" failed.*--partial/);
  });

  it('--partial still fails when every account fails', async () => {
    const home2 = doctlHome({ a: 'unknown-token', b: TOKEN_B });
    const r = await doqlAccounts(sb, home2, ['--context', 'a,b', '--partial', '-o', 'json', 'SELECT count(*) FROM digitalocean.compute.droplets']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/context "[ab]".*401/);
  });
});

describe.skipIf(buildMissing())('rate-limit budgets', () => {
  let sb: Sandbox;
  afterAll(() => sb?.close());

  it("are each account's own: spending all of A's does not hold back B", async () => {
    // Three requests a minute per account, and the statement sends three to each: one shared budget would wait a minute.
    sb = await startTwoAccounts({ rateLimit: { limit: 3, windowSeconds: 60 } });
    const home = doctlHome();
    const sql =
      'SELECT context, count(*) AS n FROM (SELECT context FROM digitalocean.compute.droplets UNION ALL SELECT context FROM digitalocean.vpcs.vpcs UNION ALL SELECT context FROM digitalocean.compute.ssh_keys) GROUP BY context ORDER BY 1';
    const r = await doqlAccounts(sb, home, ['--context', 'a,b', '--max-wait', '5', '--stats', '-o', 'json', sql]);
    expect(r.stderr).not.toMatch(/rate limit|waiting/i);
    expect(r.code).toBe(0);
    expect(json(r.stdout).map((x) => x.context)).toEqual(['a', 'b']);
    expect(requestsOf(sb)).toEqual({ a: 3, b: 3 });
    expect(sb.requests().byStatus['429']).toBeUndefined();
  });
});
