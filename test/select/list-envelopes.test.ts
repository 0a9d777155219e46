// Where a response keeps its rows: besides DigitalOcean's `{"droplets": [...], "links": …, "meta": …}`, the
// OpenAI-style `{"object": "list", "data": [...]}` of the inference API is one row per element, with the
// envelope's scalars as columns beside them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/api/client.js';
import { loadSpecFile, type LoadedCatalog } from '../../src/catalog/load.js';
import { createSession } from '../../src/engine/session.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';

const item = { type: 'object', properties: { id: { type: 'string' }, owned_by: { type: 'string' } } };
const SPEC = {
  openapi: '3.0.0',
  info: { title: 'list envelopes', version: '1' },
  servers: [{ url: 'https://api.digitalocean.com' }],
  paths: {
    '/v2/models': {
      get: {
        operationId: 'models_list',
        tags: ['Models'],
        responses: {
          200: {
            description: 'ok',
            content: { 'application/json': { schema: { type: 'object', required: ['object', 'data'], properties: { object: { type: 'string', example: 'list' }, data: { type: 'array', items: item } } } } },
          },
        },
      },
    },
  },
};

describe('a list envelope of scalars around one array', () => {
  let catalog: LoadedCatalog;
  let sb: Sandbox;

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'doql-spec-')), 'models.json');
    writeFileSync(file, JSON.stringify(SPEC));
    catalog = loadSpecFile(file);
    sb = await createSandbox({ catalog, rateLimit: false });
  });
  afterAll(() => sb.close());

  it('gives a row per element of the array, with the envelope beside', async () => {
    const method = catalog.catalog.services.models.resources.models.methods[0];
    expect(method).toMatchObject({ objectKey: '$.data', returnsList: true });
    const client = createApiClient({ baseUrl: sb.url, token: sb.token });
    const session = createSession({ catalog, api: () => client });
    const body = (await client.request({ method: 'GET', path: '/v2/models' })).body as { object: string; data: { id: string }[] };
    const [r] = await session.execute('SELECT id, object FROM digitalocean.models.models');
    expect(r.rows).toEqual(body.data.map((d) => [d.id, body.object]));
    expect(body.data.length).toBeGreaterThan(0);
    await client.close();
  });
});
