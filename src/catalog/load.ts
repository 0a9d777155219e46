// Finds and loads the active catalog: --spec FILE, else the registry's active pull, else the built-in default.
import { resolve } from 'node:path';
import { compileSpec } from './compile.js';
import { loadActiveCatalog, type LoadedCatalog } from './load-compiled.js';
import { readSpecFile } from './spec-file.js';

export { activeRegistryDir, DEFAULT_CATALOG_DIR, loadActiveCatalog, loadCatalogDir, type LoadedCatalog } from './load-compiled.js';

/** Compiles a spec file on the fly (for `--spec FILE`). */
export function loadSpecFile(file: string): LoadedCatalog {
  const abs = resolve(file);
  const { catalog, schemas } = compileSpec(readSpecFile(abs), { file, source: abs });
  return { catalog, origin: abs, schemas: () => schemas };
}

export function loadCatalog(options: { specFile?: string; env?: NodeJS.ProcessEnv } = {}): LoadedCatalog {
  return options.specFile ? loadSpecFile(options.specFile) : loadActiveCatalog(options.env);
}
