// Writes go to one account: under several contexts a mutation says which (WHERE context = 'a', or a single
// --context), or is refused before any request.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { buildMissing } from '../select/helpers.js';
import { doctlHome, doqlAccounts, requestsOf, startTwoAccounts, TOKEN_A, TOKEN_B } from './helpers.js';

describe.skipIf(buildMissing())('writes under --context a,b', () => {
  let sb: Sandbox;
  let home: string;
  beforeAll(async () => {
    sb = await startTwoAccounts();
    home = doctlHome();
  });
  afterAll(() => sb?.close());
  beforeEach(() => {
    sb.reset();
  });

  it.each([
    ['DELETE by id', (id: string) => `DELETE FROM digitalocean.compute.droplets WHERE droplet_id = ${id}`],
    ['UPDATE by predicate', () => "UPDATE digitalocean.vpcs.vpcs SET data__description = 'x' WHERE name LIKE '%'"],
    ['INSERT', () => "INSERT INTO digitalocean.compute.ssh_keys (data__name, data__public_key) SELECT 'k', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBcW0fKxQm0b9f4pu5fHBRAvLmJb2rQ0Z1r0t3c7XhJd test'"],
  ])('refuses an ambiguous %s before sending anything, saying how to choose', async (_name, sql) => {
    const id = sb.ids('compute.droplets', undefined, TOKEN_A)[0]!;
    sb.resetCounts();
    const r = await doqlAccounts(sb, home, ['--context', 'a,b', '--yes', sql(id)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/several contexts \(a, b\).*nothing was sent/);
    expect(r.stderr).toMatch(/WHERE context = 'a'|single --context/);
    expect(requestsOf(sb)).toEqual({ a: 0, b: 0 });
  });

  it("WHERE context = 'b' deletes in b alone", async () => {
    const id = sb.ids('compute.droplets', undefined, TOKEN_B)[0]!;
    sb.resetCounts();
    const r = await doqlAccounts(sb, home, ['--context', 'a,b', `DELETE FROM digitalocean.compute.droplets WHERE context = 'b' AND droplet_id = ${id}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(requestsOf(sb)).toEqual({ a: 0, b: 1 });
    expect(sb.requests(TOKEN_B).byRouteStatus).toEqual({ 'DELETE /v2/droplets/{droplet_id} 204': 1 });
    expect(sb.ids('compute.droplets', undefined, TOKEN_B)).not.toContain(id);
  });

  it("an UPDATE by predicate reads and writes the chosen account's rows only", async () => {
    sb.resetCounts();
    const r = await doqlAccounts(sb, home, ['--context', 'a,b', '--yes', "UPDATE digitalocean.vpcs.vpcs SET data__description = 'seen' WHERE context = 'a' AND name LIKE '%'"]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(requestsOf(sb).b).toBe(0);
    expect(sb.requests(TOKEN_A).byRoute['PATCH /v2/vpcs/{vpc_id}']).toBe(sb.ids('vpcs.vpcs', undefined, TOKEN_A).length);
  });

  it('a single --context writes without naming it', async () => {
    const id = sb.ids('compute.droplets', undefined, TOKEN_B)[0]!;
    sb.resetCounts();
    const r = await doqlAccounts(sb, home, ['--context', 'b', `DELETE FROM digitalocean.compute.droplets WHERE droplet_id = ${id}`]);
    expect(r.code).toBe(0);
    expect(requestsOf(sb)).toEqual({ a: 0, b: 1 });
  });

  const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBcW0fKxQm0b9f4pu5fHBRAvLmJb2rQ0Z1r0t3c7XhJd test';

  it("INSERT names its account in a context column: the key is created in b alone", async () => {
    sb.resetCounts();
    const r = await doqlAccounts(sb, home, ['--context', 'a,b', `INSERT INTO digitalocean.compute.ssh_keys (context, data__name, data__public_key) VALUES ('b', 'kb', '${KEY}')`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(requestsOf(sb)).toEqual({ a: 0, b: 1 });
    expect(sb.requests(TOKEN_B).byRouteStatus).toEqual({ 'POST /v2/account/keys 201': 1 });
    const read = await doqlAccounts(sb, home, ['--context', 'a,b', '-o', 'json', "SELECT context, name FROM digitalocean.compute.ssh_keys WHERE name = 'kb'"]);
    expect(JSON.parse(read.stdout)).toEqual([{ context: 'b', name: 'kb' }]);
  });

  it('an INSERT without a context column says how to name one; rows naming two accounts are refused', async () => {
    sb.resetCounts();
    const none = await doqlAccounts(sb, home, ['--context', 'a,b', `INSERT INTO digitalocean.compute.ssh_keys (data__name, data__public_key) VALUES ('k', '${KEY}')`]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain("INSERT INTO digitalocean.compute.ssh_keys (context, …) VALUES ('a', …)");
    expect(none.stderr).not.toContain('WHERE');
    const two = await doqlAccounts(sb, home, [
      '--context',
      'a,b',
      `INSERT INTO digitalocean.compute.ssh_keys (context, data__name, data__public_key) VALUES ('a', 'ka', '${KEY}'), ('b', 'kb', '${KEY}')`,
    ]);
    expect(two.code).not.toBe(0);
    expect(two.stderr).toMatch(/an INSERT goes to one account.*'a', 'b'.*nothing was sent/);
    const other = await doqlAccounts(sb, home, ['--context', 'a,b', `INSERT INTO digitalocean.compute.ssh_keys (context, data__name, data__public_key) VALUES ('c', 'kc', '${KEY}')`]);
    expect(other.stderr).toContain('context "c" is not one of');
    expect(requestsOf(sb)).toEqual({ a: 0, b: 0 });
  });

  it('a context the session does not have is refused', async () => {
    sb.resetCounts();
    const r = await doqlAccounts(sb, home, ['--context', 'a,b', "DELETE FROM digitalocean.compute.droplets WHERE context = 'c' AND droplet_id = 1"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('context "c" is not one of');
    expect(requestsOf(sb)).toEqual({ a: 0, b: 0 });
  });
});
