import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DoqlError } from '../errors.js';
import { compileSpec } from './compile.js';
import { activeRegistryDir, loadCatalog } from './load.js';
import { listRegistry, pullSpec, useRegistry } from './registry.js';
import { readSpecFile } from './spec-file.js';

const fixture = fileURLToPath(new URL('./fixtures/tiny-spec.yaml', import.meta.url));
const sharedSpec = fileURLToPath(new URL('../../../shared/digitalocean-openapi/DigitalOcean-public.v2.json', import.meta.url));
const haveShared = existsSync(sharedSpec);
if (!haveShared) console.warn(`registry pull of the latest DigitalOcean spec skipped: ${sharedSpec} is absent`);

let home: string;
let env: NodeJS.ProcessEnv;
let defaultDir: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'doql-registry-'));
  env = { DOQL_HOME: home };
  // A stand-in for the built-in catalog, which only exists after `npm run build`.
  defaultDir = join(home, 'built-in');
  mkdirSync(defaultDir);
  const { catalog, schemas } = compileSpec(readSpecFile(fixture), { file: fixture, source: 'fixture@test' });
  writeFileSync(join(defaultDir, 'catalog.json'), JSON.stringify(catalog));
  writeFileSync(join(defaultDir, 'schemas.json'), JSON.stringify(schemas));
});

afterEach(() => rmSync(home, { recursive: true, force: true }));

const registryDir = (): string => join(home, 'cache', 'registry');
const activeJson = (): string => readFileSync(join(registryDir(), 'active.json'), 'utf8');

function writeSpec(name: string, text: string): string {
  const file = join(home, name);
  writeFileSync(file, text);
  return file;
}

/** One path, one GET: a spec far smaller than the fixture's four resources. */
const ONE_RESOURCE_SPEC = `openapi: 3.0.0
info: { title: small, version: "1.0-small" }
paths:
  /v2/tags:
    get:
      operationId: tags_list
      tags: [Tags]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { type: object, properties: { tags: { type: array, items: { type: object, properties: { name: { type: string } } } } } }
`;

async function pullError(from: string, options: { force?: boolean } = {}): Promise<DoqlError> {
  try {
    await pullSpec({ from, env, defaultDir, ...options });
  } catch (err) {
    expect(err).toBeInstanceOf(DoqlError);
    return err as DoqlError;
  }
  throw new Error(`pulling ${from} should have failed`);
}

describe('pullSpec', () => {
  it('compiles a local spec into a new registry folder and makes it active', async () => {
    const pulled = await pullSpec({ from: fixture, env, defaultDir });
    expect(pulled.name).toMatch(/^digitalocean-1\.0-test-[0-9a-f]{8}$/);
    expect(pulled).toMatchObject({ source: fixture, specVersion: '1.0-test', operations: 7, active: true });
    expect(readdirSync(pulled.dir).sort()).toEqual(['catalog-index.json', 'catalog.json', 'pull.json', 'schemas.json']);
    expect(JSON.parse(activeJson())).toEqual({ name: pulled.name, source: fixture, pulledAt: pulled.pulledAt });
    // Nothing is left behind from staging.
    expect(readdirSync(registryDir()).sort()).toEqual(['active.json', pulled.name]);

    const loaded = loadCatalog({ env });
    expect(loaded.origin).toBe(`registry:${pulled.name}`);
    expect(loaded.catalog.services.databases.resources.backups.id).toBe('digitalocean.databases.backups');
    expect(loaded.schemas().operations.databases_list_backups.response).toBeDefined();
  });

  it('pulling the same spec again replaces its folder in place', async () => {
    const first = await pullSpec({ from: fixture, env, defaultDir });
    const second = await pullSpec({ from: fixture, env, defaultDir });
    expect(second.name).toBe(first.name);
    expect(readdirSync(registryDir()).filter((n) => n !== 'active.json')).toEqual([first.name]);
  });

  it('downloads from an http URL', async () => {
    const body = readFileSync(fixture, 'utf8');
    const server = createServer((req, res) => {
      if (req.url === '/spec.yaml') res.writeHead(200, { 'content-type': 'application/yaml' }).end(body);
      else res.writeHead(404).end('not found');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const pulled = await pullSpec({ from: `${base}/spec.yaml`, env, defaultDir });
      expect(pulled.source).toBe(`${base}/spec.yaml`);
      expect(JSON.parse(activeJson()).name).toBe(pulled.name);

      const missing = await pullError(`${base}/nope.yaml`);
      expect(missing.code).toBe('network');
      expect(missing.message).toBe(`cannot download the spec from ${base}/nope.yaml: HTTP 404 Not Found`);
      expect(JSON.parse(activeJson()).name).toBe(pulled.name);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  it('says so when the server cannot be reached', async () => {
    const err = await pullError('http://127.0.0.1:9/spec.yaml');
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/^cannot download the spec from http:\/\/127\.0\.0\.1:9\/spec\.yaml: /);
  });

  it.skipIf(!haveShared)('pulls the latest DigitalOcean spec from ../shared', async () => {
    const pulled = await pullSpec({ from: sharedSpec, env, defaultDir });
    expect(pulled.operations).toBe(659);
    expect(pulled.resources).toBeGreaterThan(250);
    expect(loadCatalog({ env }).catalog.services.databases.resources.backups).toBeDefined();
  });
});

describe('a bad spec leaves the active catalog alone', () => {
  let before: string;
  beforeEach(async () => {
    await pullSpec({ from: fixture, env, defaultDir });
    before = activeJson();
  });

  afterEach(() => {
    expect(activeJson()).toBe(before);
    expect(readdirSync(registryDir()).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it.each([
    ['swagger2.yaml', 'swagger: "2.0"\ninfo: { title: t, version: "1" }\npaths: {}\n', 'not an OpenAPI 3 spec (it is Swagger 2.0): "openapi" must be 3.x'],
    ['not-yaml.yaml', 'openapi: 3.0.0\npaths: [unclosed\n', 'not valid JSON or YAML'],
    ['no-paths.json', '{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}}', 'the spec has no paths'],
  ])('%s is refused', async (name, text, why) => {
    const file = writeSpec(name, text);
    const err = await pullError(file);
    expect(err.code).toBe('spec');
    expect(err.message).toContain(`${file}: ${why}`);
  });

  it('a dangling $ref is named with the file and the pointer that holds it', async () => {
    const text = readFileSync(fixture, 'utf8').replace(
      "items: { $ref: '#/components/schemas/cluster' }",
      "items: { $ref: '#/components/schemas/missing' }",
    );
    const file = writeSpec('dangling.yaml', text);
    const err = await pullError(file);
    expect(err.code).toBe('spec');
    expect(err.message).toBe(
      `${file}: cannot resolve $ref #/components/schemas/missing (no "missing") at ` +
        '#/paths/~1v2~1databases/get/responses/200/content/application~1json/schema/properties/databases/items',
    );
  });

  it('a spec that compiles to no resources is refused, even with --force', async () => {
    const file = writeSpec('no-operations.yaml', 'openapi: 3.0.0\ninfo: { title: t, version: "1" }\npaths:\n  /v2/things:\n    parameters: []\n');
    for (const force of [false, true]) {
      const err = await pullError(file, { force });
      expect(err.code).toBe('spec');
      expect(err.message).toBe(`${file}: the spec compiles to no resources (0 operations); the active catalog is unchanged`);
    }
  });

  it("a spec with fewer than half the active catalog's resources is refused unless forced", async () => {
    const file = writeSpec('one-resource.yaml', ONE_RESOURCE_SPEC);
    const err = await pullError(file);
    expect(err.code).toBe('spec');
    expect(err.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: the spec compiles to 1 resources, fewer than half of the active catalog's 4 \\(digitalocean-1\\.0-test-[0-9a-f]{8}\\); the active catalog is unchanged$`));
    expect(err.hint).toMatch(/--force/);
  });

  it('--force installs the smaller spec', async () => {
    const file = writeSpec('one-resource.yaml', ONE_RESOURCE_SPEC);
    const pulled = await pullSpec({ from: file, env, defaultDir, force: true });
    expect(pulled.resources).toBe(1);
    expect(loadCatalog({ env }).origin).toBe(`registry:${pulled.name}`);
    // The afterEach check does not hold here: the active catalog did change, on purpose.
    before = activeJson();
  });

  it('an unreadable file is named', async () => {
    const err = await pullError(join(home, 'absent.yaml'));
    expect(err.message).toBe(`${join(home, 'absent.yaml')}: cannot read the spec: no such file`);
  });
});

describe('listRegistry and useRegistry', () => {
  it('lists the built-in default alone, active, before any pull', () => {
    expect(listRegistry({ env, defaultDir })).toEqual([
      { name: 'default', source: 'fixture@test', specVersion: '1.0-test', operations: 7, resources: 4, pulledAt: '', active: true },
    ]);
  });

  it('lists pulls, marks the active one, and switches between them and the default', async () => {
    const pulled = await pullSpec({ from: fixture, env, defaultDir });
    let rows = listRegistry({ env, defaultDir });
    expect(rows.map((r) => [r.name, r.active])).toEqual([
      ['default', false],
      [pulled.name, true],
    ]);
    expect(rows[1]).toMatchObject({ source: fixture, specVersion: '1.0-test', operations: 7, resources: 4, pulledAt: pulled.pulledAt });

    expect(useRegistry('default', { env, defaultDir }).name).toBe('default');
    expect(existsSync(join(registryDir(), 'active.json'))).toBe(false);
    rows = listRegistry({ env, defaultDir });
    expect(rows.map((r) => r.active)).toEqual([true, false]);
    // No pointer: load.ts falls back to the built-in catalog.
    expect(activeRegistryDir(env)).toBeUndefined();

    useRegistry(pulled.name, { env, defaultDir });
    expect(JSON.parse(activeJson())).toEqual({ name: pulled.name, source: fixture, pulledAt: pulled.pulledAt });
    expect(loadCatalog({ env }).origin).toBe(`registry:${pulled.name}`);
  });

  it('an unknown name fails with the closest names', async () => {
    const pulled = await pullSpec({ from: fixture, env, defaultDir });
    const typo = `${pulled.name.slice(0, -1)}x`;
    try {
      useRegistry(typo, { env, defaultDir });
      throw new Error('expected a failure');
    } catch (err) {
      expect(err).toBeInstanceOf(DoqlError);
      expect((err as DoqlError).code).toBe('not_found');
      expect((err as DoqlError).message).toBe(`unknown registry entry ${typo}: did you mean ${pulled.name}?`);
    }
  });
});
