// `doql mcp --allow-writes` against a sandbox this test runs (its request log is the judge): plan sends no
// change, a change of several rows runs only with confirm_rows equal to the count plan reported, and the
// API token (a random canary) appears in no tool answer and no log line.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { insertDroplets } from '../mutations/harness.js';
import { buildMissing, directGet, routes, startSandbox } from '../select/helpers.js';
import { stdioMcp, type McpSession } from './mcp-client.js';

const missing = buildMissing();

interface Plan {
  statement: string;
  requests: { method: string; url: string; body: unknown }[];
  rows_to_change: number | null;
  confirm_rows: number | null;
  reads_sent: number;
}

/** The token as itself, and as it would look base64- or URL-encoded. */
function forms(token: string): string[] {
  return [token, Buffer.from(token).toString('base64'), encodeURIComponent(token), Buffer.from(`Bearer ${token}`).toString('base64')];
}

describe.skipIf(Boolean(missing))('doql mcp --allow-writes --api-url <sandbox>', () => {
  const canary = `dop_v1_${randomBytes(32).toString('hex')}`;
  let sb: Sandbox;
  let mcp: McpSession & { stderr(): string };

  beforeAll(async () => {
    sb = await startSandbox({ seed: 23, token: canary, actionDelayMs: 100, count: { 'compute.droplets': 12 } });
    mcp = await stdioMcp(['--api-url', sb.url, '--allow-writes', '-v'], { env: { DIGITALOCEAN_TOKEN: canary } });
  });
  afterAll(async () => {
    await mcp?.close();
    await sb?.close();
  });

  it('offers execute, marked destructive', async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['describe_resource', 'execute', 'plan', 'query', 'search_resources']);
    const execute = tools.find((t) => t.name === 'execute')!;
    expect(execute.annotations?.destructiveHint).toBe(true);
    expect(Object.keys(execute.inputSchema.properties ?? {}).sort()).toEqual(['confirm_rows', 'sql']);
  });

  it('query and plan send no change', async () => {
    const [a, b] = sb.ids('/v2/droplets').slice(0, 2);
    sb.resetCounts();
    const refused = await mcp.call('query', { sql: `DELETE FROM digitalocean.compute.droplets WHERE id IN (${a}, ${b})` });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/^doql: query runs read statements only .*DELETE changes resources \(call plan to see its requests, then execute\)$/);
    expect(sb.requests().total).toBe(0);
    const plan = await mcp.json<Plan>('plan', { sql: `DELETE FROM digitalocean.compute.droplets WHERE id IN (${a}, ${b})` });
    expect(plan).toMatchObject({ statement: 'DELETE', rows_to_change: 2, confirm_rows: 2 });
    expect(plan.requests.map((r) => `${r.method} ${r.url}`).sort()).toEqual([`DELETE ${sb.url}/v2/droplets/${a}`, `DELETE ${sb.url}/v2/droplets/${b}`].sort());
    // Reads found the rows; nothing else was sent.
    expect(Object.keys(routes(sb)).every((k) => k.startsWith('GET '))).toBe(true);
    expect(plan.reads_sent).toBe(sb.requests().total);
  });

  it('refuses a two-row DELETE without confirm_rows or with the wrong count, sending nothing; runs it with the count plan reported', async () => {
    const [a, b] = sb.ids('/v2/droplets').slice(2, 4);
    const sql = `DELETE FROM digitalocean.compute.droplets WHERE id IN (${a}, ${b})`;
    sb.resetCounts();
    const bare = await mcp.call('execute', { sql });
    expect(bare.isError).toBe(true);
    expect(bare.text).toMatch(/^doql: DELETE would change 2 rows of digitalocean\.compute\.droplets \(.*\); nothing was sent \(a change to several rows needs confirm_rows: 2 \(the count plan reports\)\)$/);
    const wrong = await mcp.call('execute', { sql, confirm_rows: 3 });
    expect(wrong.isError).toBe(true);
    expect(wrong.text).toMatch(/nothing was sent \(confirm_rows was 3 but the statement would change 2 rows now: plan it again\)$/);
    expect(routes(sb)['DELETE /v2/droplets/{droplet_id}']).toBeUndefined();

    const { confirm_rows } = await mcp.json<Plan>('plan', { sql });
    const done = await mcp.json<{ command: string; requests: number }>('execute', { sql, confirm_rows });
    expect(done.command).toBe('DELETE 2');
    expect(routes(sb)['DELETE /v2/droplets/{droplet_id}']).toBe(2);
    expect(sb.requests().byRouteStatus['DELETE /v2/droplets/{droplet_id} 204']).toBe(2);
    await expect(directGet(sb, `/v2/droplets/${a}`)).rejects.toThrow(/404/);
    const left = await mcp.json<{ rows: unknown[] }>('query', { sql: `SELECT id FROM digitalocean.compute.droplets WHERE id IN (${a}, ${b})` });
    expect(left.rows).toEqual([]);
  });

  it('a one-row change needs no confirm_rows; creating several rows does, as a DELETE by tag of them does', async () => {
    const [one] = sb.ids('/v2/droplets').slice(4, 5);
    sb.resetCounts();
    const single = await mcp.json<{ command: string; requests: number }>('execute', { sql: `DELETE FROM digitalocean.compute.droplets WHERE id = ${one}` });
    expect(single.command).toBe('DELETE 1');
    expect(routes(sb)['DELETE /v2/droplets/{droplet_id}']).toBe(1);

    const insert = insertDroplets([{ name: 'mcp-1', tags: ['mcp'] }, { name: 'mcp-2', tags: ['mcp'] }]);
    sb.resetCounts();
    const refused = await mcp.call('execute', { sql: insert });
    expect(refused).toMatchObject({ isError: true });
    expect(refused.text).toMatch(/^doql: INSERT would create 2 rows; nothing was sent \(a change to several rows needs confirm_rows: 2/);
    expect(routes(sb)['POST /v2/droplets']).toBeUndefined();
    const created = await mcp.json<{ command: string; requests: number }>('execute', { sql: insert, confirm_rows: 2 });
    expect(created).toMatchObject({ command: 'INSERT 0 2', requests: 2 });
    expect(routes(sb)['POST /v2/droplets']).toBe(2);

    const byTag = "DELETE FROM digitalocean.compute.droplets WHERE tag_name = 'mcp'";
    const plan = await mcp.json<Plan>('plan', { sql: byTag });
    expect(plan).toMatchObject({ rows_to_change: 2, confirm_rows: 2, requests: [{ method: 'DELETE', url: `${sb.url}/v2/droplets?tag_name=mcp`, body: null }] });
    expect((await mcp.call('execute', { sql: byTag })).isError).toBe(true);
    expect(routes(sb)['DELETE /v2/droplets']).toBeUndefined();
    expect((await mcp.json<{ command: string }>('execute', { sql: byTag, confirm_rows: 2 })).command).toBe('DELETE 2');
    expect(routes(sb)['DELETE /v2/droplets']).toBe(1);
  });

  it('execute takes changes only', async () => {
    for (const sql of ['SELECT 1', 'SHOW SERVICES IN digitalocean', 'REGISTRY LIST', "DELETE FROM digitalocean.compute.droplets WHERE id = 1; SELECT 1"]) {
      const r = await mcp.call('execute', { sql });
      expect(r.isError, sql).toBe(true);
    }
  });

  it('an API error is a tool error naming its status; the canary token is in no answer and no log line', async () => {
    const r = await mcp.call('query', { sql: "SELECT * FROM digitalocean.databases.backups WHERE database_cluster_uuid = 'no-such-cluster'" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/^doql: 404 GET \/v2\/databases\/no-such-cluster\/backups: /);
    await mcp.json('plan', { sql: insertDroplets([{ name: 'x-1' }]) });

    // A second server with a wrong token: the API's 401 as a tool error, that token not shown either.
    const wrongCanary = `dop_v1_${randomBytes(32).toString('hex')}`;
    const wrong = await stdioMcp(['--api-url', sb.url, '-v'], { env: { DIGITALOCEAN_TOKEN: wrongCanary } });
    try {
      const denied = await wrong.call('query', { sql: 'SELECT id FROM digitalocean.compute.droplets' });
      expect(denied.isError).toBe(true);
      expect(denied.text).toMatch(/^doql: 401 /);
    } finally {
      await wrong.close();
    }
    // -v logged every request on stderr: those lines must not carry the token either.
    expect(mcp.stderr()).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/v2\/droplets/);
    const everything = [...mcp.transcript(), mcp.stderr(), ...wrong.transcript(), wrong.stderr()].join('\n');
    for (const f of [...forms(canary), ...forms(wrongCanary)]) expect(everything).not.toContain(f);
  });
});
