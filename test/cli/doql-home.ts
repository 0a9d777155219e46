// A throwaway DOQL_HOME for tests; in-process tests (run from src/) get the built catalog as the registry's active one,
// since the built-in catalog lives in dist/ and src/catalog/default does not exist.
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BUILT_CATALOG = join(import.meta.dirname, '../../dist/catalog/default');
export const DOQL_BIN = join(import.meta.dirname, '../../bin/doql.js');

/** Why tests that need `npm run build` cannot run, or undefined. */
export function buildMissing(): string | undefined {
  if (!existsSync(join(BUILT_CATALOG, 'catalog.json'))) return 'dist/catalog/default is absent (run npm run build)';
  if (!existsSync(join(import.meta.dirname, '../../dist/cli/main.js'))) return 'dist/cli/main.js is absent (run npm run build)';
  return undefined;
}

export function tempDoqlHome(options: { withBuiltCatalog?: boolean } = {}): string {
  const home = mkdtempSync(join(tmpdir(), 'doql-home-'));
  if (options.withBuiltCatalog) {
    const registry = join(home, 'cache', 'registry');
    mkdirSync(registry, { recursive: true });
    symlinkSync(BUILT_CATALOG, join(registry, 'built'));
    writeFileSync(join(registry, 'active.json'), JSON.stringify({ name: 'built' }));
  }
  return home;
}
