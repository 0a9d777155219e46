// Operations the spec serves from another host (DigitalOcean's serverless inference at inference.do-ai.run, agents
// at their own URLs) take other credentials there: doql refuses them against the API, before sending anything, and
// runs them in the sandbox, which serves every path of the spec.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startFakeServer, type FakeServer } from '../api/fake-do-server.js';
import { buildMissing, DOQL_BIN, tempDoqlHome } from '../cli/doql-home.js';
import { runProcess } from '../support/run-process.js';

const missing = buildMissing();
if (missing) console.warn(`skipping the other-servers tests: ${missing}`);

const TOKEN = 'dop_v1_other_servers_canary_0123456789';

const json = (schema: object) => ({ description: 'ok', content: { 'application/json': { schema } } });
const SPEC = {
  openapi: '3.0.0',
  info: { title: 'two servers', version: '1' },
  servers: [{ url: 'https://api.digitalocean.com' }],
  paths: {
    '/v2/widgets': {
      get: {
        operationId: 'widgets_list',
        tags: ['Widgets'],
        responses: { 200: json({ type: 'object', properties: { widgets: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } } } } }) },
      },
    },
    '/v1/models': {
      servers: [{ url: 'https://inference.do-ai.run' }],
      get: {
        operationId: 'inference_list_models',
        tags: ['Serverless Inference'],
        responses: { 200: json({ type: 'object', properties: { models: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, owned_by: { type: 'string' } } } } } }) },
      },
      post: {
        operationId: 'inference_create_model',
        tags: ['Serverless Inference'],
        requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { name: { type: 'string' } } } } } },
        responses: { 200: json({ type: 'object', properties: { model: { type: 'object', properties: { id: { type: 'string' } } } } }) },
      },
    },
  },
};

describe.skipIf(Boolean(missing))('operations on another server than the API', () => {
  let api: FakeServer;
  let specFile: string;
  let home: string;

  beforeAll(async () => {
    api = await startFakeServer((req, res) => sendJson(res, 200, req.path === '/v2/widgets' ? { widgets: [{ id: 1, name: 'w' }], meta: { total: 1 }, links: {} } : { models: [] }));
    specFile = join(mkdtempSync(join(tmpdir(), 'doql-spec-')), 'two-servers.json');
    writeFileSync(specFile, JSON.stringify(SPEC));
    home = tempDoqlHome();
  });
  afterAll(async () => {
    await api.close();
  });

  const doql = (args: string[]) =>
    runProcess('node', [DOQL_BIN, '--spec', specFile, ...args], {
      env: { PATH: process.env.PATH ?? '', DOQL_HOME: home, DIGITALOCEAN_TOKEN: TOKEN, NO_COLOR: '1' },
    });

  it('a SELECT is refused with one line naming the server, exit 1, and nothing is sent', async () => {
    const before = api.requests.length;
    const r = await doql(['--api-url', api.url, '-o', 'json', 'SELECT id FROM digitalocean.inference.models']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('doql: digitalocean.inference.models.inference_list_models (GET /v1/models) is served by https://inference.do-ai.run, not by the DigitalOcean API');
    expect(r.stderr).toContain('--sandbox');
    expect(r.stderr).not.toContain(TOKEN);
    expect(api.requests.length).toBe(before);
  });

  it('an INSERT is refused too, in a dry run as well, and nothing is sent', async () => {
    const before = api.requests.length;
    for (const extra of [[], ['--dry-run']]) {
      const r = await doql(['--api-url', api.url, ...extra, "INSERT INTO digitalocean.inference.models (data__name) SELECT 'm'"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('(POST /v1/models) is served by https://inference.do-ai.run');
    }
    expect(api.requests.length).toBe(before);
  });

  it("the API's own operations still go to the API", async () => {
    const r = await doql(['--api-url', api.url, '-o', 'json', 'SELECT id, name FROM digitalocean.widgets.widgets']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([{ id: 1, name: 'w' }]);
    expect(api.requests.at(-1)?.path).toBe('/v2/widgets');
  });

  it('the sandbox serves them at its own address', async () => {
    const r = await doql(['--sandbox', '-o', 'json', 'SELECT count(*) AS n FROM digitalocean.inference.models']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)[0].n).toBeGreaterThan(0);
  });

  it('SHOW EXTENDED METHODS and the docs say where such a method is served (with --spec before or after docs)', async () => {
    const methods = await doql(['-o', 'json', 'SHOW EXTENDED METHODS IN digitalocean.inference.models']);
    expect(JSON.parse(methods.stdout).map((m: { http: string }) => m.http)).toEqual(['GET https://inference.do-ai.run/v1/models', 'POST https://inference.do-ai.run/v1/models']);
    for (const before of [true, false]) {
      const out = mkdtempSync(join(tmpdir(), 'doql-docs-'));
      const args = before ? ['--spec', specFile, 'docs', '--out', out] : ['docs', '--out', out, '--spec', specFile];
      const r = await runProcess('node', [DOQL_BIN, ...args], { env: { PATH: process.env.PATH ?? '', DOQL_HOME: home } });
      expect(r.stderr).toBe('wrote 5 pages (2 services, 2 resources) to ' + out + '\n');
      const page = readFileSync(join(out, 'inference', 'models', 'index.md'), 'utf8');
      expect(page).toContain('Served by https://inference.do-ai.run, not by the DigitalOcean API');
    }
  });
});
