// `npm run spec:update`: replaces the vendored DigitalOcean spec with the one DigitalOcean publishes (or
// --from FILE|URL) once it parses and compiles, rebuilds the built-in catalog, and prints what changed.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DoqlError } from '../errors.js';
import { compileSpec } from './compile.js';
import { encodeCatalog, INDEX_FILE } from './catalog-file.js';
import { countResources, diffCatalogs, formatDiff } from './diff.js';
import { assertPlausible, DEFAULT_SPEC_URL, readSpecSource, writeFileAtomic } from './registry.js';
import { encodeSchemas } from './schema-file.js';
import { parseSpecText, readSpecFile } from './spec-file.js';
import type { Catalog } from './types.js';
import { VENDORED_SOURCE, VENDORED_SPEC } from './vendored.js';

const USAGE = 'usage: npm run spec:update -- [--from FILE|URL] [--force] [--out SPEC.json] [--catalog-dir DIR]';

export interface SpecUpdateOptions {
  /** A spec file or URL; DigitalOcean's published spec when absent. */
  from?: string;
  /** Accept a spec with fewer than half the current one's resources. */
  force?: boolean;
  /** The vendored spec to replace (vendor/digitalocean-openapi/DigitalOcean-public.v2.json). */
  out?: string;
  /** Where the compiled built-in catalog goes (dist/catalog/default). */
  catalogDir?: string;
}

export interface SpecUpdateResult {
  before: Catalog;
  after: Catalog;
  report: string;
}

const EMPTY: Catalog = { provider: 'digitalocean', source: '', specVersion: '', specHash: '', serverUrl: '', services: {}, operationCount: 0 };

export async function updateVendoredSpec(options: SpecUpdateOptions = {}): Promise<SpecUpdateResult> {
  const from = options.from ?? DEFAULT_SPEC_URL;
  const out = options.out ?? VENDORED_SPEC;
  const catalogDir = options.catalogDir ?? join(dirname(fileURLToPath(import.meta.url)), 'default');
  const { text } = await readSpecSource(from);
  // Parsing and compiling validate it (OpenAPI 3, paths, every $ref resolves) before anything is written.
  const doc = parseSpecText(text, from);
  const { catalog, schemas } = compileSpec(doc, { file: from, source: VENDORED_SOURCE });
  const before = existsSync(out) ? compileSpec(readSpecFile(out), { file: out, source: VENDORED_SOURCE }).catalog : EMPTY;
  assertPlausible(catalog, from, {
    force: options.force,
    baseline: before === EMPTY ? undefined : { name: 'the vendored spec', of: out, resources: countResources(before) },
    kept: `${out} is unchanged`,
  });
  // One line of JSON, as DigitalOcean's bundled file is: the same spec gives the same bytes, so git shows no change.
  writeFileAtomic(out, JSON.stringify(doc));
  const file = encodeCatalog(catalog);
  writeFileAtomic(join(catalogDir, 'catalog.json'), file.text);
  writeFileAtomic(join(catalogDir, INDEX_FILE), file.index);
  writeFileAtomic(join(catalogDir, 'schemas.json'), encodeSchemas(schemas));
  const report =
    `spec:update: ${from} → ${out} (spec version ${catalog.specVersion}, ${catalog.operationCount} operations, ${countResources(catalog)} resources)\n` +
    formatDiff(diffCatalogs(before, catalog), before, catalog);
  return { before, after: catalog, report };
}

async function main(argv: string[]): Promise<void> {
  let values: { from?: string; force?: boolean; out?: string; 'catalog-dir'?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { from: { type: 'string' }, force: { type: 'boolean' }, out: { type: 'string' }, 'catalog-dir': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`spec:update: ${(err as Error).message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  try {
    const { report } = await updateVendoredSpec({ from: values.from, force: values.force, out: values.out, catalogDir: values['catalog-dir'] });
    process.stdout.write(report);
    if (!values.out) process.stderr.write('spec:update: name the source commit and date in vendor/digitalocean-openapi/README.md\n');
  } catch (err) {
    if (!(err instanceof DoqlError)) throw err;
    process.stderr.write(`spec:update: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main(process.argv.slice(2));
