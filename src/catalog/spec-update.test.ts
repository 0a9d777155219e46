// `npm run spec:update` as a process, against a local HTTP server publishing a changed spec (as YAML, the
// way DigitalOcean publishes it): the vendored file and the compiled catalog change, and the diff says how.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { buildMissing } from '../../test/cli/doql-home.js';
import { runProcess } from '../../test/support/run-process.js';
import { VENDORED_SPEC } from './vendored.js';

const missing = buildMissing();
const script = join(import.meta.dirname, '..', '..', 'dist', 'catalog', 'spec-update.js');

type Doc = { paths: Record<string, Record<string, unknown>> };

/** The vendored spec with one resource gone, one method gone and one resource added. */
function changedSpec(): Doc {
  const doc = JSON.parse(readFileSync(VENDORED_SPEC, 'utf8')) as Doc;
  // Paths no `$ref` of the bundled file points into (others hold schemas other operations share).
  delete doc.paths['/v2/droplets/{droplet_id}/neighbors'];
  delete doc.paths['/v2/droplets'].post;
  const listKeys = JSON.parse(readFileSync(VENDORED_SPEC, 'utf8')).paths['/v2/spaces/keys'].get as Record<string, unknown>;
  doc.paths['/v2/spaces/buckets'] = { get: { ...listKeys, operationId: 'spaces_list_buckets', summary: 'List Buckets' } };
  return doc;
}

// Each run parses a 2 MB YAML spec and compiles it twice (before and after): seconds each on a loaded machine.
describe.skipIf(Boolean(missing))('npm run spec:update', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'doql-spec-update-'));
  const out = join(dir, 'DigitalOcean-public.v2.json');
  const catalogDir = join(dir, 'default');
  let server: Server;
  let base: string;
  const served = new Map<string, string>();

  beforeAll(async () => {
    served.set('/spec.yaml', stringify(changedSpec()));
    served.set('/tiny.yaml', readFileSync(join(import.meta.dirname, 'fixtures', 'tiny-spec.yaml'), 'utf8'));
    server = createServer((req, res) => {
      const body = served.get(req.url ?? '');
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/yaml' }).end(body ?? 'not found');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((done) => server.close(done));
    rmSync(dir, { recursive: true, force: true });
  });

  const update = (args: string[]) =>
    runProcess(process.execPath, [script, '--out', out, '--catalog-dir', catalogDir, ...args], { env: { PATH: process.env.PATH ?? '' }, timeoutMs: 60_000 });

  it('downloads, compiles, writes the vendored file and the catalog, and prints resources and methods added and removed', async () => {
    copyFileSync(VENDORED_SPEC, out);
    const r = await update(['--from', `${base}/spec.yaml`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`spec:update: ${base}/spec.yaml → ${out} (spec version 2.0, 658 operations, 259 resources)`);
    expect(lines[1]).toBe('operations 659 → 658, resources 259 → 259');
    expect(lines[2]).toBe('resources: 1 added, 1 removed; methods of kept resources: 0 added, 1 removed');
    expect(lines.slice(3).filter(Boolean)).toEqual([
      '+ resource digitalocean.spaces.buckets',
      '- resource digitalocean.compute.droplets_neighbors',
      '- method digitalocean.compute.droplets.droplets_create',
    ]);
    // The vendored file is the served spec as one line of JSON; the catalog is compiled from it.
    expect(readFileSync(out, 'utf8')).toBe(JSON.stringify(parse(served.get('/spec.yaml') as string)));
    const catalog = JSON.parse(readFileSync(join(catalogDir, 'catalog.json'), 'utf8'));
    expect(catalog.operationCount).toBe(658);
    expect(catalog.services.spaces.resources.buckets).toBeDefined();
    expect(existsSync(join(catalogDir, 'schemas.json'))).toBe(true);

    // The same spec again: nothing added or removed.
    const again = await update(['--from', `${base}/spec.yaml`]);
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n')[2]).toBe('resources: 0 added, 0 removed; methods of kept resources: 0 added, 0 removed');
  });

  it('refuses a spec with under half the resources (unless --force) and one that cannot be fetched; the vendored file stays', async () => {
    copyFileSync(VENDORED_SPEC, out);
    const before = readFileSync(out);
    const small = await update(['--from', `${base}/tiny.yaml`]);
    expect(small.code).toBe(1);
    expect(small.stdout).toBe('');
    expect(small.stderr).toBe(
      `spec:update: ${base}/tiny.yaml: the spec compiles to 4 resources, fewer than half of the vendored spec 259 (${out}); ${out} is unchanged\n` +
        'hint: if this is the spec you want, run it again with --force\n',
    );
    const gone = await update(['--from', `${base}/absent.yaml`]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^spec:update: cannot download the spec from http:\/\/127\.0\.0\.1:\d+\/absent\.yaml: HTTP 404/);
    expect(readFileSync(out).equals(before)).toBe(true);

    const forced = await update(['--from', `${base}/tiny.yaml`, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout.split('\n')[1]).toBe('operations 659 → 7, resources 259 → 4');
  });

  it('rejects an unknown option with the usage line', async () => {
    const r = await update(['--frm', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^spec:update: Unknown option '--frm'/);
    expect(r.stderr).toContain('usage: npm run spec:update -- [--from FILE|URL]');
  });
});
