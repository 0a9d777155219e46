// Catalogs for the sandbox's tests: the built-in spec (compiled from the vendored file, so tests need
// no build step) and the latest official spec from ../shared when it is there.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedCatalog } from '../../src/catalog/load.js';
import { loadSpecFile } from '../../src/catalog/load.js';
import { VENDORED_SPEC } from '../../src/catalog/vendored.js';

let builtIn: LoadedCatalog | undefined;
let latest: LoadedCatalog | undefined;

/** The spec the default catalog is built from. */
export function builtInCatalog(): LoadedCatalog {
  return (builtIn ??= loadSpecFile(VENDORED_SPEC));
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

/** True when ../shared holds a spec other than the vendored one (so testing both adds something). */
export function latestSpecDiffers(): boolean {
  return latestSpecAvailable() && !readFileSync(LATEST_SPEC).equals(readFileSync(VENDORED_SPEC));
}
