// `doql mcp --http` with the MCP SDK's Streamable HTTP client: the same tools over HTTP on loopback (with
// the Host header checked), and off loopback only with a bearer token, without which a client gets 401.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { runProcess } from '../support/run-process.js';
import { DOQL_BIN, tempDoqlHome } from '../cli/doql-home.js';
import { buildMissing, directGet, directList, routes, startSandbox } from '../select/helpers.js';
import { cleanEnv, httpMcp, seededHome, type HttpMcpServer, type McpSession } from './mcp-client.js';

const missing = buildMissing();

interface Rows {
  rows: Record<string, unknown>[];
  row_count: number;
  requests: number;
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

/** A raw POST to 127.0.0.1 (node:http, so the Host header can be set too). */
function post(url: string, headers: Record<string, string>, body = INITIALIZE): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe.skipIf(Boolean(missing))('doql mcp --sandbox --http on loopback', () => {
  let truth: Sandbox;
  let server: HttpMcpServer;
  let mcp: McpSession;

  beforeAll(async () => {
    const seeded = await seededHome({ seed: 11, count: { 'compute.droplets': 1000 } });
    truth = seeded.truth;
    server = await httpMcp(['--sandbox'], { home: seeded.home });
    mcp = await server.connect();
  });
  afterAll(async () => {
    await mcp?.close();
    await server?.stop();
    await truth?.close();
  });

  it('binds 127.0.0.1 by default and serves the read tools', async () => {
    expect(server.log()).toMatch(/; listening on http:\/\/127\.0\.0\.1:\d+\/mcp/);
    expect(server.log()).toMatch(/serving the sandbox, read-only/);
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['describe_resource', 'plan', 'query', 'search_resources']);
  });

  it('answers the seed query through search_resources → describe_resource → query', async () => {
    const found = await mcp.json<{ resources: { id: string }[] }>('search_resources', { keyword: 'backups' });
    expect(found.resources.map((r) => r.id)).toContain('digitalocean.databases.backups');
    const described = await mcp.json<{ example_select: string }>('describe_resource', { resource: 'digitalocean.databases.backups' });
    const [cluster] = (await directList(truth, '/v2/databases', 'databases')).map((d) => d.id as string);
    expect(described.example_select).toContain("WHERE database_cluster_uuid = '<database_cluster_uuid>'");
    const r = await mcp.json<Rows>('query', { sql: `SELECT created_at, size_gigabytes FROM digitalocean.databases.backups WHERE database_cluster_uuid = '${cluster!}'` });
    const api = (await directGet(truth, `/v2/databases/${cluster}/backups`)).backups as Record<string, unknown>[];
    expect(r.rows).toEqual(api.map((b) => ({ created_at: b.created_at, size_gigabytes: b.size_gigabytes })));
    expect(r.requests).toBe(1);
  });

  it('a bad statement is a tool error and the server keeps serving', async () => {
    const bad = await mcp.call('query', { sql: 'SELECT * FROM digitalocean.compute.dropletz' });
    expect(bad).toEqual({ isError: true, text: expect.stringMatching(/^doql: unknown resource digitalocean\.compute\.dropletz: did you mean digitalocean\.compute\.droplets\?/) });
    const ok = await mcp.json<Rows>('query', { sql: 'SELECT count(*) AS n FROM digitalocean.compute.droplets' });
    expect(ok.rows[0]!.n).toBe((await directList(truth, '/v2/droplets', 'droplets')).length);
  });

  it('cuts a 1,000-row result at max_rows with the count', async () => {
    const r = await mcp.json<Rows & { truncated: boolean }>('query', { sql: 'SELECT id FROM digitalocean.compute.droplets', max_rows: 10 });
    expect(r).toMatchObject({ row_count: 1000, truncated: true, requests: 5 });
    expect(r.rows).toHaveLength(10);
  });

  it('refuses a request naming another host (DNS rebinding), anything but POST, and a body over 1 MB', async () => {
    const rebound = await post(server.url, { host: 'attacker.example' });
    expect(rebound.status).toBe(403);
    const fine = await post(server.url, {});
    expect(fine.status).toBe(200);
    const get = await fetch(server.url, { headers: { accept: 'text/event-stream' } });
    expect(get.status).toBe(405);
    const huge = await post(server.url, {}, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping', params: { pad: 'x'.repeat(2 << 20) } }));
    expect(huge.status).toBe(413);
    expect((await post(server.url, {})).status).toBe(200); // and it still serves
  });
});

describe.skipIf(Boolean(missing))('doql mcp --http off loopback', () => {
  const token = 'mcp-test-token-7f3a';

  it('refuses to start without --token-env, and with an unset one', async () => {
    for (const args of [['--host', '0.0.0.0'], ['--host', '0.0.0.0', '--token-env', 'NO_SUCH_MCP_TOKEN']]) {
      const home = tempDoqlHome();
      const r = await runProcess(process.execPath, [DOQL_BIN, 'mcp', '--sandbox', '--http', '--port', '0', ...args], { env: cleanEnv(home) });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(args.length === 2 ? /^doql: doql mcp --http on 0\.0\.0\.0 needs a bearer token \(add --token-env NAME/ : /^doql: --token-env NO_SUCH_MCP_TOKEN: that environment variable is not set/);
      expect(r.stderr).not.toMatch(/listening/);
    }
  });

  it('--host, --port and --token-env without --http are a usage error', async () => {
    const r = await runProcess(process.execPath, [DOQL_BIN, 'mcp', '--sandbox', '--port', '9'], { env: cleanEnv(tempDoqlHome()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^doql: --host, --port and --token-env are for --http/);
  });

  describe('bound to 0.0.0.0 with --token-env (reached over 127.0.0.1)', () => {
    let server: HttpMcpServer;
    beforeAll(async () => {
      server = await httpMcp(['--sandbox', '--host', '0.0.0.0', '--token-env', 'MCP_TOKEN'], { env: { MCP_TOKEN: token } });
    });
    afterAll(() => server?.stop());

    it('answers 401 to a client without the bearer token or with a wrong one', async () => {
      expect(server.log()).toMatch(/listening on http:\/\/0\.0\.0\.0:\d+\/mcp/);
      expect(server.log()).toMatch(/bearer token required/);
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: token }]) {
        const r = await post(server.url, headers);
        expect(r.status).toBe(401);
        expect(r.headers['www-authenticate']).toBe('Bearer realm="doql"');
        expect(r.body).not.toContain(token);
      }
      await expect(server.connect()).rejects.toThrow(/401|nauthorized/);
    });

    it('serves a client that sends it', async () => {
      const mcp = await server.connect({ authorization: `Bearer ${token}` });
      try {
        const { tools } = await mcp.client.listTools();
        expect(tools.map((t) => t.name)).toContain('query');
        const r = await mcp.json<Rows>('query', { sql: 'SHOW SERVICES IN digitalocean' });
        expect(r.rows.map((x) => x.name)).toContain('databases');
      } finally {
        await mcp.close();
      }
      expect(server.log()).not.toContain(token);
    });
  });
});

describe.skipIf(Boolean(missing))('doql mcp --http --allow-writes --api-url <sandbox>', () => {
  let sb: Sandbox;
  let server: HttpMcpServer;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 31, count: { 'compute.droplets': 6 } });
    server = await httpMcp(['--api-url', sb.url, '--allow-writes'], { env: { DIGITALOCEAN_TOKEN: sb.token } });
  });
  afterAll(async () => {
    await server?.stop();
    await sb?.close();
  });

  it('refuses a two-row DELETE without confirm_rows, sending nothing, and runs it with the count plan reported', async () => {
    const mcp = await server.connect();
    try {
      const [a, b] = sb.ids('/v2/droplets');
      const sql = `DELETE FROM digitalocean.compute.droplets WHERE id IN (${a}, ${b})`;
      sb.resetCounts();
      const refused = await mcp.call('execute', { sql });
      expect(refused.isError).toBe(true);
      expect(refused.text).toMatch(/nothing was sent \(a change to several rows needs confirm_rows: 2/);
      expect(routes(sb)['DELETE /v2/droplets/{droplet_id}']).toBeUndefined();
      const plan = await mcp.json<{ confirm_rows: number }>('plan', { sql });
      expect(plan.confirm_rows).toBe(2);
      expect((await mcp.json<{ command: string }>('execute', { sql, confirm_rows: plan.confirm_rows })).command).toBe('DELETE 2');
      expect(routes(sb)['DELETE /v2/droplets/{droplet_id}']).toBe(2);
    } finally {
      await mcp.close();
    }
  });
});
