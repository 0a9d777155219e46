// `doql mcp --sandbox` over stdio, driven by the MCP SDK's own client: the tools it offers, the seed query
// found and answered through search_resources → describe_resource → query, a 1,000-row result cut at
// max_rows, bad statements as tool errors with the CLI's own text, and the doc pages as resources.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource } from '../../src/catalog/lookup.js';
import { renderResourcePage } from '../../src/docs/resource-page.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { buildMissing, catalog, directGet, directList, doql } from '../select/helpers.js';
import { seededHome, stdioMcp, type McpSession } from './mcp-client.js';

const missing = buildMissing();
const PKG = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };

interface Rows {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  row_count: number;
  truncated: boolean;
  requests: number;
}

describe.skipIf(Boolean(missing))('doql mcp --sandbox over stdio', () => {
  let home: string;
  let truth: Sandbox;
  let mcp: McpSession & { stderr(): string };

  beforeAll(async () => {
    ({ home, truth } = await seededHome({ seed: 7, count: { 'compute.droplets': 1000 } }));
    mcp = await stdioMcp(['--sandbox'], { home });
  });
  afterAll(async () => {
    await mcp?.close();
    await truth?.close();
  });

  it('lists search_resources, describe_resource, query and plan, each with a schema, and no execute without --allow-writes', async () => {
    expect(mcp.client.getServerVersion()).toEqual({ name: 'doql', version: PKG.version });
    expect(mcp.client.getInstructions()).toMatch(/search_resources/);
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['describe_resource', 'plan', 'query', 'search_resources']);
    const query = tools.find((t) => t.name === 'query')!;
    expect(query.description).toMatch(/SELECT/);
    expect(query.inputSchema.required).toEqual(['sql']);
    expect(Object.keys(query.inputSchema.properties ?? {}).sort()).toEqual(['max_rows', 'sql']);
    expect(query.annotations?.readOnlyHint).toBe(true);
    const r = await mcp.call('execute', { sql: 'DELETE FROM digitalocean.compute.droplets WHERE droplet_id = 1' });
    expect(r.isError).toBe(true);
  });

  it('answers the seed query through search_resources → describe_resource → query, with the API\'s own rows', async () => {
    const found = await mcp.json<{ resources: { id: string; select_requires: string[] }[] }>('search_resources', { keyword: 'database backups' });
    expect(found.resources[0]).toMatchObject({ id: 'digitalocean.databases.backups', select_requires: ['database_cluster_uuid'] });

    const described = await mcp.json<{ columns: { name: string; type: string }[]; example_select: string; select_requires: string[] }>('describe_resource', {
      resource: found.resources[0].id,
    });
    // Today's spec adds MySQL's `incremental` to the two columns of the seed page.
    expect(described.columns.map((c) => [c.name, c.type])).toEqual([
      ['created_at', 'TEXT'],
      ['size_gigabytes', 'REAL'],
      ['incremental', 'BOOLEAN'],
    ]);
    expect(described.example_select).toBe(
      "SELECT created_at, size_gigabytes, incremental FROM digitalocean.databases.backups WHERE database_cluster_uuid = '<database_cluster_uuid>'",
    );

    // The cluster ids come from the account too, through query.
    const clusters = await mcp.json<Rows>('query', { sql: 'SELECT id FROM digitalocean.databases.clusters ORDER BY id' });
    const ids = clusters.rows.map((r) => r.id as string);
    const listed = (await directList(truth, '/v2/databases', 'databases')).map((d) => d.id as string).sort();
    expect(ids).toEqual(listed);
    expect(ids.length).toBeGreaterThanOrEqual(2);

    const answers: unknown[] = [];
    for (const id of ids.slice(0, 2)) {
      // The seed page's own query, with the WHERE that describe_resource showed.
      const seed = `SELECT created_at, size_gigabytes FROM digitalocean.databases.backups WHERE database_cluster_uuid = '${id}'`;
      expect(described.example_select).toContain("WHERE database_cluster_uuid = '<database_cluster_uuid>'");
      const r = await mcp.json<Rows>('query', { sql: seed });
      const api = (await directGet(truth, `/v2/databases/${id}/backups`)).backups as Record<string, unknown>[];
      expect(api.length).toBeGreaterThan(0);
      expect(r.rows).toEqual(api.map((b) => ({ created_at: b.created_at, size_gigabytes: b.size_gigabytes })));
      expect(r).toMatchObject({ columns: [{ name: 'created_at', type: 'TEXT' }, { name: 'size_gigabytes', type: 'REAL' }], row_count: api.length, truncated: false, requests: 1 });
      answers.push(r.rows);
    }
    expect(answers[0]).not.toEqual(answers[1]);
  });

  it('cuts a 1,000-row result at max_rows (100 by default), saying how many rows there were and what it cost', async () => {
    const all = (await directList(truth, '/v2/droplets', 'droplets')).map((d) => Number(d.id)).sort((a, b) => a - b);
    expect(all).toHaveLength(1000);
    const sql = 'SELECT id, name FROM digitalocean.compute.droplets ORDER BY id';
    const cut = await mcp.json<Rows>('query', { sql });
    expect(cut).toMatchObject({ row_count: 1000, truncated: true, requests: 5 }); // 1,000 rows at 200 a page
    expect(cut.rows.map((r) => r.id)).toEqual(all.slice(0, 100));
    expect(cut.columns).toEqual([
      { name: 'id', type: 'INTEGER' },
      { name: 'name', type: 'TEXT' },
    ]);
    const seven = await mcp.json<Rows>('query', { sql, max_rows: 7 });
    expect(seven.rows.map((r) => r.id)).toEqual(all.slice(0, 7));
    expect(seven).toMatchObject({ row_count: 1000, truncated: true });
    const whole = await mcp.json<Rows>('query', { sql, max_rows: 5000 });
    expect(whole.rows).toHaveLength(1000);
    expect(whole.truncated).toBe(false);
    const counted = await mcp.json<Rows>('query', { sql: 'SELECT count(*) AS n FROM digitalocean.compute.droplets' });
    expect(counted.rows).toEqual([{ n: 1000 }]);
  });

  it('a bad statement is a tool error with the CLI\'s own text, and the server keeps serving', async () => {
    const bad = [
      'SELEC id FROM digitalocean.compute.droplets',
      'SELECT * FROM digitalocean.databases.backup',
      'SELECT created_at, size_gigabytes FROM digitalocean.databases.backups',
      "SELECT created_at, size_gigabyte FROM digitalocean.databases.backups WHERE database_cluster_uuid = 'x'",
      "SELECT * FROM digitalocean.databases.backups WHERE database_cluster_uuid = 'no-such-cluster'",
    ];
    for (const sql of bad) {
      const [tool, cli] = await Promise.all([mcp.call('query', { sql }), doql(['--sandbox', sql], { DOQL_HOME: home })]);
      expect(cli.code).toBe(1);
      // The same line, but for the API's request id, which differs per request.
      const sameId = (t: string): string => t.replace(/request id [\w-]+/, 'request id …');
      expect(tool.isError).toBe(true);
      expect(sameId(tool.text)).toBe(sameId(cli.stderr.trimEnd()));
      // Still serving, and serving right.
      expect((await mcp.json<Rows>('query', { sql: 'SELECT count(*) AS n FROM digitalocean.databases.clusters' })).rows[0]!.n).toBeGreaterThan(0);
    }
    const api = await mcp.call('query', { sql: bad[4] });
    expect(api.text).toMatch(/^doql: 404 GET \/v2\/databases\/no-such-cluster\/backups/);
  });

  it('query refuses changes, several statements, COPY, REGISTRY and settings; {{ }} is not a template', async () => {
    const refusals: [string, RegExp][] = [
      ["DELETE FROM digitalocean.compute.droplets WHERE name = 'x'", /^doql: query runs read statements only \(SELECT, SHOW, DESCRIBE\); DELETE changes resources \(.*without --allow-writes/],
      ["EXEC digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id='1' @@json='{\"type\":\"reboot\"}'", /EXEC changes resources/],
      ['SELECT 1; SELECT 2', /^doql: one statement per call, got 2/],
      ['COPY (SELECT id FROM digitalocean.compute.droplets) TO STDOUT', /^doql: COPY is not available through MCP/],
      ['REGISTRY LIST', /^doql: REGISTRY is not available through MCP/],
      ["REGISTRY PULL digitalocean FROM '/etc/passwd'", /^doql: REGISTRY is not available through MCP/],
      ["SET statement_timeout = '1s'", /^doql: a session statement .* is not available through MCP/],
      [' ; ', /^doql: empty statement/],
    ];
    for (const [sql, message] of refusals) {
      const r = await mcp.call('query', { sql });
      expect(r.isError, sql).toBe(true);
      expect(r.text, sql).toMatch(message);
    }
    // No templating for agents: '{{ name }}' is a string like any other, not an unset variable.
    const literal = await mcp.json<Rows>('query', { sql: "SELECT id FROM digitalocean.compute.droplets WHERE name = '{{ name }}'" });
    expect(literal).toMatchObject({ rows: [], row_count: 0 });
    const tooMany = await mcp.call('query', { sql: 'SELECT 1', max_rows: 0 });
    expect(tooMany.isError).toBe(true);
    // plan still shows what a change would send, and says this server will not run it.
    const plan = await mcp.json<{ requests: { method: string }[]; rows_to_change: number; notes: string[] }>('plan', {
      sql: "DELETE FROM digitalocean.compute.droplets WHERE name LIKE '%'",
    });
    expect(plan.requests.length).toBe(1000);
    expect(plan.rows_to_change).toBe(1000);
    expect(plan.notes).toContain('this server runs no changes: it was started without --allow-writes, so execute is not offered');
    const ok = await mcp.json<Rows>('query', { sql: 'SHOW RESOURCES IN digitalocean.databases' });
    expect(ok.rows.map((r) => r.name)).toContain('backups');
    expect(ok.requests).toBe(0);
  });

  it("serves each resource's doql docs page as doql://digitalocean/<service>/<resource>", async () => {
    const { resources } = await mcp.client.listResources();
    const all = Object.values(catalog().catalog.services).flatMap((s) => Object.values(s.resources));
    expect(resources).toHaveLength(all.length);
    const backups = resources.find((r) => r.uri === 'doql://digitalocean/databases/backups');
    expect(backups).toMatchObject({ name: 'digitalocean.databases.backups', mimeType: 'text/markdown' });
    const page = await mcp.client.readResource({ uri: 'doql://digitalocean/databases/backups' });
    expect(page.contents).toEqual([
      { uri: 'doql://digitalocean/databases/backups', mimeType: 'text/markdown', text: renderResourcePage(findResource(catalog().catalog, 'digitalocean.databases.backups')) },
    ]);
    await expect(mcp.client.readResource({ uri: 'doql://digitalocean/databases/backup' })).rejects.toThrow(/did you mean digitalocean\.databases\.backups/);
  });

  it('logs on stderr only: nothing but the protocol went to stdout', () => {
    expect(mcp.stderr()).toMatch(/doql mcp: serving the sandbox over stdio, read-only/);
  });
});
