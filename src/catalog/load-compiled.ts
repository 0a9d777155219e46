// Loads a compiled catalog (the built-in default or the registry's active pull) without the spec compiler, which
// only `--spec FILE` needs: the cold start-up path imports this, not load.ts.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DoqlError } from '../errors.js';
import { mark } from '../timings.js';
import { decodeIndexedCatalog, INDEX_FILE } from './catalog-file.js';
import { assignParamColumns } from './param-columns.js';
import { doqlPaths } from './paths.js';
import { decodeSchemas } from './schema-file.js';
import type { Catalog, SchemaBundle } from './types.js';

export interface LoadedCatalog {
  catalog: Catalog;
  /** Resolved schemas, parsed on first use (start-up never pays for them). */
  schemas(): SchemaBundle;
  /** Where it came from: `default`, `registry:<name>` or the spec file. */
  origin: string;
}

const here = dirname(fileURLToPath(import.meta.url));
/**
 * The built-in catalog compiled at build time (dist/catalog/default). Code run from the TypeScript
 * sources (tests) finds it in dist/ beside src/.
 */
export const DEFAULT_CATALOG_DIR = [join(here, 'default'), join(here, '..', '..', 'dist', 'catalog', 'default')].find((d) =>
  existsSync(join(d, 'catalog.json')),
) ?? join(here, 'default');

function readJson<T>(file: string, parse: (text: string) => T = (t) => JSON.parse(t) as T): T {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DoqlError('spec', `cannot read the compiled catalog ${file}: ${(err as Error).message.split('\n')[0]}`, {
      hint: 'run `npm run build` in the doql checkout, or `doql registry pull` again',
      cause: err,
    });
  }
}

/** The catalog through its index (catalog-file.ts), when the directory has one that matches its catalog.json. */
function readIndexed(dir: string): Catalog | undefined {
  try {
    return decodeIndexedCatalog(readFileSync(join(dir, 'catalog.json')), readFileSync(join(dir, INDEX_FILE), 'utf8'));
  } catch {
    // No index (a catalog pulled by an older doql) or an unreadable one: the whole file is read instead.
    return undefined;
  }
}

export function loadCatalogDir(dir: string, origin: string): LoadedCatalog {
  const catalog = readIndexed(dir) ?? readJson<Catalog>(join(dir, 'catalog.json'));
  // A catalog pulled with an older doql has no path-parameter columns: they are the compiler's rule, applied now.
  if (!catalog.paramColumns) {
    for (const service of Object.values(catalog.services)) for (const r of Object.values(service.resources)) assignParamColumns(r);
    catalog.paramColumns = true;
  }
  let schemas: SchemaBundle | undefined;
  return { catalog, origin, schemas: () => (schemas ??= readJson(join(dir, 'schemas.json'), decodeSchemas)) };
}

/** The registry's active catalog directory, if one was pulled and is intact. */
export function activeRegistryDir(env: NodeJS.ProcessEnv = process.env): { name: string; dir: string } | undefined {
  const { registry } = doqlPaths(env);
  const pointer = join(registry, 'active.json');
  if (!existsSync(pointer)) return undefined;
  try {
    const { name } = JSON.parse(readFileSync(pointer, 'utf8')) as { name: string };
    const dir = join(registry, name);
    if (existsSync(join(dir, 'catalog.json')) && existsSync(join(dir, 'schemas.json'))) return { name, dir };
  } catch {
    // A damaged pointer falls back to the built-in catalog rather than failing every command.
  }
  return undefined;
}

/** The registry's active catalog, else the built-in default. */
export function loadActiveCatalog(env?: NodeJS.ProcessEnv): LoadedCatalog {
  const active = activeRegistryDir(env);
  const loaded = active ? loadCatalogDir(active.dir, `registry:${active.name}`) : loadCatalogDir(DEFAULT_CATALOG_DIR, 'default');
  mark('catalog');
  return loaded;
}
