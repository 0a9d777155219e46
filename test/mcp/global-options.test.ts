// `doql mcp` takes the options every command takes: --spec changes the catalog its tools and doc pages read,
// --context takes the token from a doctl auth context (an unknown one is a tool error, not a dead server).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { tempDoqlHome } from '../cli/doql-home.js';
import { buildMissing, startSandbox } from '../select/helpers.js';
import { stdioMcp } from './mcp-client.js';

const missing = buildMissing();
const TINY_SPEC = join(import.meta.dirname, '../../src/catalog/fixtures/tiny-spec.yaml');

describe.skipIf(Boolean(missing))('doql mcp with the global options', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 5, token: 'context-token-for-mcp' });
  });
  afterAll(() => sb?.close());

  it('--spec: search, describe, doc pages and queries all use that spec', async () => {
    const mcp = await stdioMcp(['--sandbox', '--spec', TINY_SPEC]);
    try {
      const { resources } = await mcp.client.listResources();
      expect(resources.map((r) => r.name).sort()).toEqual([
        'digitalocean.compute.droplet_actions',
        'digitalocean.compute.droplets',
        'digitalocean.databases.backups',
        'digitalocean.databases.clusters',
      ]);
      const unknown = await mcp.call('describe_resource', { resource: 'digitalocean.apps.apps' });
      expect(unknown.isError).toBe(true);
      expect(unknown.text).toMatch(/^doql: unknown resource digitalocean\.apps\.apps/);
      const r = await mcp.json<{ rows: { n: number }[]; requests: number }>('query', { sql: 'SELECT count(*) AS n FROM digitalocean.databases.clusters' });
      expect(r.rows[0]!.n).toBeGreaterThan(0);
      expect(r.requests).toBe(1);
    } finally {
      await mcp.close();
    }
  });

  it('--context NAME takes the token from doctl\'s config; an unknown context is a tool error and the server stays up', async () => {
    const home = tempDoqlHome();
    mkdirSync(join(home, '.config', 'doctl'), { recursive: true });
    writeFileSync(join(home, '.config', 'doctl', 'config.yaml'), `access-token: wrong-default\nauth-contexts:\n  staging: ${sb.token}\ncontext: default\n`);
    const good = await stdioMcp(['--api-url', sb.url, '--context', 'staging'], { home });
    try {
      sb.resetCounts();
      const r = await good.json<{ rows: unknown[]; requests: number }>('query', { sql: 'SELECT id FROM digitalocean.compute.droplets' });
      expect(r.rows.length).toBe(sb.ids('/v2/droplets').length);
      expect(sb.requests().byStatus).toEqual({ '200': r.requests });
    } finally {
      await good.close();
    }
    const bad = await stdioMcp(['--api-url', sb.url, '--context', 'nope'], { home });
    try {
      const r = await bad.call('query', { sql: 'SELECT id FROM digitalocean.compute.droplets' });
      expect(r).toMatchObject({ isError: true, text: expect.stringMatching(/^doql: doctl context "nope" has no token in .*; known contexts: default, staging\./) });
      // Catalog tools need no token.
      expect((await bad.call('search_resources', { keyword: 'droplets' })).isError).toBe(false);
    } finally {
      await bad.close();
    }
  });
});
