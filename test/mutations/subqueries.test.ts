// Writes are parsed with brackets tracked: a subquery's WHERE, commas and RETURNING belong to the subquery, so
// SET, WHERE and RETURNING hold what the statement wrote. Shown through `doql --dry-run` against a sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { buildMissing } from '../cli/doql-home.js';
import { closeAll, doql, routes, sessionOn, startSandbox } from './harness.js';

const missing = buildMissing();
afterAll(closeAll);

interface Shown {
  method: string;
  url: string;
  body: unknown;
}

describe.skipIf(Boolean(missing))('writes with subqueries (doql --dry-run)', () => {
  let sb: Sandbox;
  let record: { domain_name: string; id: number; name: string };
  let key: { id: number; name: string };
  /** A size slug the sandbox has (they come from the spec's examples). */
  let size: string;

  beforeAll(async () => {
    sb = await startSandbox();
    const t = sessionOn(sb);
    const domain = (await t.rows('SELECT name FROM digitalocean.compute.domains ORDER BY name LIMIT 1'))[0]!.name as string;
    record = (await t.rows(`SELECT domain_name, id, name FROM digitalocean.compute.domain_records WHERE domain_name = '${domain}' ORDER BY id LIMIT 1`))[0] as typeof record;
    key = (await t.rows('SELECT id, name FROM digitalocean.compute.ssh_keys ORDER BY id LIMIT 1'))[0] as typeof key;
    size = (await t.rows('SELECT slug FROM digitalocean.compute.sizes ORDER BY slug LIMIT 1'))[0]!.slug as string;
  });

  async function dryRun(sql: string): Promise<Shown[]> {
    sb.resetCounts();
    const r = await doql(['--dry-run', '-o', 'json', sql], { sandbox: sb });
    expect(r.stderr).toMatch(/^dry run: \d+ requests? not sent/);
    expect(r.code).toBe(0);
    expect(Object.keys(routes(sb)).filter((route) => !route.startsWith('GET '))).toEqual([]);
    return JSON.parse(r.stdout) as Shown[];
  }

  it('UPDATE … SET = (SELECT … WHERE …) WHERE …: the SET is the whole subquery, the WHERE the outer one', async () => {
    const shown = await dryRun(
      `UPDATE digitalocean.compute.domain_records SET data__name = (SELECT slug FROM digitalocean.compute.sizes WHERE slug = 's-2vcpu-2gb'), data__type = 'A' ` +
        `WHERE domain_record_id = ${record.id} AND domain_name = '${record.domain_name}'`,
    );
    expect(shown).toEqual([{ method: 'PATCH', url: `${sb.url}/v2/domains/${record.domain_name}/records/${record.id}`, body: { name: 's-2vcpu-2gb', type: 'A' } }]);
  });

  it('commas and WHERE inside nested brackets stay in their SET value', async () => {
    const shown = await dryRun(
      `UPDATE digitalocean.compute.domain_records SET data__name = coalesce((SELECT slug FROM digitalocean.compute.sizes WHERE slug IN ('nope', 'none')), 'fallback'), data__type = 'A', ` +
        `data__ttl = (SELECT count(*) FROM (SELECT 1 AS x UNION ALL SELECT 2) WHERE x > 0) WHERE domain_record_id = ${record.id} AND domain_name = '${record.domain_name}'`,
    );
    expect(shown.map((s) => s.body)).toEqual([{ name: 'fallback', ttl: 2, type: 'A' }]);
  });

  it('a subquery in the WHERE picks the rows, with its own WHERE and AND', async () => {
    const shown = await dryRun(
      `UPDATE digitalocean.compute.domain_records SET data__name = 'renamed', data__type = 'A' WHERE domain_name = '${record.domain_name}' ` +
        `AND id IN (SELECT id FROM digitalocean.compute.domain_records WHERE domain_name = '${record.domain_name}' AND name = '${record.name}')`,
    );
    expect(shown.map((s) => s.url)).toContain(`${sb.url}/v2/domains/${record.domain_name}/records/${record.id}`);
    expect(new Set(shown.map((s) => JSON.stringify(s.body)))).toEqual(new Set([JSON.stringify({ name: 'renamed', type: 'A' })]));
  });

  it('REPLACE … SET = (SELECT …) WHERE … RETURNING: the RETURNING after the subquery is the statement\'s', async () => {
    const shown = await dryRun(
      `REPLACE digitalocean.compute.ssh_keys SET data__name = (SELECT 'key-' || slug FROM digitalocean.compute.sizes WHERE slug = '${size}') WHERE ssh_key_identifier = ${key.id} RETURNING id, name`,
    );
    expect(shown).toEqual([{ method: 'PUT', url: `${sb.url}/v2/account/keys/${key.id}`, body: { name: `key-${size}` } }]);
  });

  it('DELETE … WHERE id IN (SELECT … WHERE …) deletes the subquery\'s rows', async () => {
    const shown = await dryRun(`DELETE FROM digitalocean.compute.ssh_keys WHERE ssh_key_identifier IN (SELECT id FROM digitalocean.compute.ssh_keys WHERE name = '${key.name}')`);
    expect(shown.map((s) => `${s.method} ${s.url}`)).toContain(`DELETE ${sb.url}/v2/account/keys/${key.id}`);
    expect(shown.every((s) => s.method === 'DELETE')).toBe(true);
  });

  it('INSERT … SELECT with a subquery and RETURNING: the body holds the subquery\'s value', async () => {
    const shown = await dryRun(
      `INSERT INTO digitalocean.compute.ssh_keys (data__name, data__public_key) SELECT (SELECT 'k-' || slug FROM digitalocean.compute.sizes WHERE slug = '${size}'), 'ssh-ed25519 AAAA test' RETURNING id`,
    );
    expect(shown).toEqual([{ method: 'POST', url: `${sb.url}/v2/account/keys`, body: { name: `k-${size}`, public_key: 'ssh-ed25519 AAAA test' } }]);
  });
});
