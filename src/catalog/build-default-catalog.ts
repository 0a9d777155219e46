// Build step: compiles the vendored DigitalOcean spec (vendor/digitalocean-openapi) into dist/catalog/default/
// (generated, do not edit).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSpec } from './compile.js';
import { encodeCatalog, INDEX_FILE } from './catalog-file.js';
import { countResources } from './diff.js';
import { encodeSchemas } from './schema-file.js';
import { readSpecFile } from './spec-file.js';
import { VENDORED_SPEC, VENDORED_SOURCE } from './vendored.js';

const outDir = join(dirname(fileURLToPath(import.meta.url)), 'default');
const { catalog, schemas } = compileSpec(readSpecFile(VENDORED_SPEC), { file: VENDORED_SPEC, source: VENDORED_SOURCE });
mkdirSync(outDir, { recursive: true });
const file = encodeCatalog(catalog);
writeFileSync(join(outDir, 'catalog.json'), file.text);
writeFileSync(join(outDir, INDEX_FILE), file.index);
writeFileSync(join(outDir, 'schemas.json'), encodeSchemas(schemas));
process.stdout.write(`doql: compiled ${catalog.operationCount} operations into ${countResources(catalog)} resources (${catalog.source})\n`);
