// Writes read from Postgres's syntax tree: a SET value or WHERE holding a subquery stays whole, REPLACE takes UPDATE's
// grammar, EXEC its own envelope, an alias names the resource, and a syntax error points at its line and column.
// Shown as the requests a dry run plans against the sandbox, and what was sent (nothing that changes anything).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { closeAll, failure, objects, routes, sessionOn, startSandbox, type TestSession } from './harness.js';

afterAll(closeAll);

describe('writes parsed into the syntax tree (dry run)', () => {
  let sb: Sandbox;
  let t: TestSession;
  let vpc: { id: string; name: string };
  let vpc2: { id: string; name: string };
  let size: { slug: string; description: string };
  let droplet: string;

  beforeAll(async () => {
    sb = await startSandbox();
    const reader = sessionOn(sb);
    [vpc, vpc2] = (await reader.rows('SELECT id, name FROM digitalocean.vpcs.vpcs ORDER BY id LIMIT 2')) as (typeof vpc)[];
    size = (await reader.rows("SELECT slug, description FROM digitalocean.compute.sizes WHERE description <> '' ORDER BY slug LIMIT 1"))[0] as typeof size;
    droplet = String((await reader.rows('SELECT id FROM digitalocean.compute.droplets ORDER BY id LIMIT 1'))[0]!.id);
    t = sessionOn(sb, { dryRun: true });
  });

  async function planned(sql: string): Promise<{ method: string; url: string; body: unknown }[]> {
    sb.resetCounts();
    const [r] = await t.run(sql);
    expect(r.notices?.[0]).toMatch(/^dry run: /);
    expect(Object.keys(routes(sb)).filter((route) => !route.startsWith('GET '))).toEqual([]);
    return objects(r).map((o) => ({ method: o.method as string, url: o.url as string, body: o.body === null ? null : JSON.parse(o.body as string) }));
  }

  it("UPDATE … SET data__name = (SELECT … FROM digitalocean.compute.sizes WHERE slug = '…') WHERE vpc_id = …: the body holds the subquery's value", async () => {
    const shown = await planned(
      `UPDATE digitalocean.vpcs.vpcs SET data__name = (SELECT slug FROM digitalocean.compute.sizes WHERE slug = '${size.slug}'), ` +
        `data__description = (SELECT description FROM digitalocean.compute.sizes WHERE slug = '${size.slug}') WHERE vpc_id = '${vpc.id}'`,
    );
    expect(shown).toEqual([{ method: 'PATCH', url: `/v2/vpcs/${vpc.id}`, body: { name: size.slug, description: size.description } }]);
  });

  it("the issue's UPDATE of a droplet parses whole and says droplets change through EXEC, sending nothing", async () => {
    const err = await failure(
      t.run(`UPDATE digitalocean.compute.droplets SET data__name = (SELECT description FROM digitalocean.compute.sizes WHERE slug = 'x') WHERE droplet_id = ${droplet}`),
    );
    expect(err.message).toMatch(/^digitalocean\.compute\.droplets has no UPDATE method .*EXEC of digitalocean\.compute\.droplet_actions\.droplet_actions_post/);
  });

  it('a WHERE with a subquery (its own WHERE, AND and brackets) picks the rows: one request per row it selects', async () => {
    const shown = await planned(
      `UPDATE digitalocean.vpcs.vpcs SET data__description = 'picked' WHERE id IN (SELECT id FROM digitalocean.vpcs.vpcs WHERE (name = '${vpc.name}' OR name = '${vpc2.name}') AND id <> '') AND name <> 'none'`,
    );
    expect(shown.map((s) => s.url).sort()).toEqual([`/v2/vpcs/${vpc.id}`, `/v2/vpcs/${vpc2.id}`].sort());
    expect(shown.every((s) => s.method === 'PATCH' && JSON.stringify(s.body) === '{"description":"picked"}')).toBe(true);
  });

  it('an equality in brackets or written backwards still addresses the row directly, with no read', async () => {
    sb.resetCounts();
    const shown = await planned(`DELETE FROM digitalocean.vpcs.vpcs WHERE ('${vpc.id}' = vpc_id)`);
    expect(shown).toEqual([{ method: 'DELETE', url: `/v2/vpcs/${vpc.id}`, body: null }]);
    expect(routes(sb)).toEqual({});
  });

  it('an alias names the resource in SET and WHERE: each row gets its own value', async () => {
    const shown = await planned(`UPDATE digitalocean.vpcs.vpcs AS v SET data__description = v.name || '-old' WHERE v.name = '${vpc.name}'`);
    expect(shown).toEqual([{ method: 'PATCH', url: `/v2/vpcs/${vpc.id}`, body: { description: `${vpc.name}-old` } }]);
  });

  it("rows a WHERE picks are addressed by the column the catalog names for the path parameter (a reserved IP by its ip)", async () => {
    const ips = (await sessionOn(sb).rows('SELECT ip FROM digitalocean.compute.reserved_ips ORDER BY ip LIMIT 2')).map((r) => String(r.ip));
    expect(ips).toHaveLength(2);
    const shown = await planned(`DELETE FROM digitalocean.compute.reserved_ips WHERE ip IN (SELECT ip FROM digitalocean.compute.reserved_ips ORDER BY ip LIMIT 2)`);
    expect(shown.map((s) => `${s.method} ${s.url}`).sort()).toEqual(ips.map((ip) => `DELETE /v2/reserved_ips/${ip}`).sort());
  });

  it('REPLACE is UPDATE with PUT: SET, WHERE and RETURNING read the same way', async () => {
    const shown = await planned(`REPLACE digitalocean.vpcs.vpcs SET data__name = 'whole', data__description = (SELECT 'a, b WHERE c') WHERE vpc_id = '${vpc.id}' RETURNING id, name`);
    expect(shown).toEqual([{ method: 'PUT', url: `/v2/vpcs/${vpc.id}`, body: { name: 'whole', description: 'a, b WHERE c' } }]);
  });

  it("EXEC with @param and @@json sends the JSON as the body", async () => {
    const shown = await planned(`EXEC digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id = ${droplet}, @@json = '{"type": "reboot"}'`);
    expect(shown).toEqual([{ method: 'POST', url: `/v2/droplets/${droplet}/actions`, body: { type: 'reboot' } }]);
  });

  it('a syntax error in a write points at its line and column in the script, says what to write, and runs nothing', async () => {
    sb.resetCounts();
    const line = `UPDATE digitalocean.vpcs.vpcs SET data__name = 'x' WHERE vpc_id = = 1`;
    const column = line.indexOf('= =') + 3; // the second `=`, counted from 1
    const err = await failure(t.run(`SELECT 1;\n${line}`));
    expect(err.message).toBe(
      `statement 2 of 2 failed (statement 1 ran; none left to run): syntax error at line 2, column ${column}: syntax error at or near "=" (write UPDATE <resource> SET data__field = value, … WHERE param = '…' [RETURNING …])`,
    );
    expect(err.hint).toBe(`${line}\n${' '.repeat(column - 1)}^`);
    expect(routes(sb)).toEqual({});
  });

  it('REPLACE names itself in its syntax error', async () => {
    const err = await failure(t.run(`REPLACE digitalocean.vpcs.vpcs WHERE vpc_id = 1`));
    expect(err.message).toMatch(/^syntax error at line 1, column 32: syntax error at or near "WHERE" \(write REPLACE <resource> SET/);
  });

  it('an INSERT whose VALUES rows are wider than its column list fails before anything is read', async () => {
    sb.resetCounts();
    const err = await failure(t.run(`INSERT INTO digitalocean.vpcs.vpcs (data__name, data__region) VALUES ('a', 'nyc3', 'extra')`));
    expect(err.message).toBe('INSERT names 2 columns but its VALUES gives 3 values per row');
    expect(routes(sb)).toEqual({});
  });

  it('UPDATE … FROM and ON CONFLICT are refused by name before anything is sent', async () => {
    const from = await failure(t.run(`UPDATE digitalocean.vpcs.vpcs SET data__name = s.slug FROM digitalocean.compute.sizes s WHERE vpc_id = '${vpc.id}'`));
    expect(from.message).toMatch(/UPDATE … FROM is not supported: pick the rows with a subquery in WHERE/);
    const upsert = await failure(t.run(`INSERT INTO digitalocean.vpcs.vpcs (data__name, data__region) VALUES ('a', 'nyc3') ON CONFLICT DO NOTHING`));
    expect(upsert.message).toMatch(/ON CONFLICT is not supported/);
  });
});
