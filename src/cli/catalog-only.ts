// Scripts of SHOW and DESCRIBE only, answered from the catalog without loading the engine, SQLite, the parser
// or the API client: a cold `doql "SHOW SERVICES IN digitalocean"` loads this, the catalog and a formatter.
import { loadActiveCatalog, type LoadedCatalog } from '../catalog/load-compiled.js';
import { findResource, findService } from '../catalog/lookup.js';
import { runCatalogStatement } from '../engine/catalog-statements.js';
import type { StatementResult } from '../engine/types.js';
import { splitStatements } from '../sql/split.js';
import { parseStatement, type Statement } from '../sql/statement.js';
import { renderTemplate } from '../sql/template.js';
import { loadVars, type RunOptions } from './options.js';

const CATALOG_KINDS: ReadonlySet<Statement['kind']> = new Set(['show_providers', 'show_services', 'show_resources', 'show_methods', 'show_insert', 'describe']);

/** The statements of each script, parsed as the session parses them; undefined when any does not parse. */
export function parseScripts(scripts: string[], opts: RunOptions): Statement[][] | undefined {
  try {
    const vars = loadVars(opts);
    return scripts.map((script) => splitStatements(renderTemplate(script, vars)).map((st) => parseStatement(st.text, st.tokens)));
  } catch {
    // The session reports it, with the statement's position and number.
    return undefined;
  }
}

/**
 * Each script's results when every statement is a catalog statement and all of them succeed. Otherwise
 * undefined, and the scripts run the full way, which reports any error exactly as it always does (a catalog
 * statement changes nothing, so nothing is done twice).
 */
export async function catalogOnlyResults(parsed: Statement[][] | undefined, opts: RunOptions): Promise<StatementResult[][] | undefined> {
  if (!parsed || !parsed.every((statements) => statements.every((st) => CATALOG_KINDS.has(st.kind)))) return undefined;
  try {
    const { catalog } = await loadRunCatalog(opts);
    const lookups = { catalog, service: (name: string) => findService(catalog, name), resource: (id: string) => findResource(catalog, id) };
    return parsed.map((statements) => statements.map((st) => runCatalogStatement(st, lookups)));
  } catch {
    return undefined;
  }
}

/** The catalog a run uses: `--spec FILE` compiled (the compiler is loaded only then), else the active one. */
export async function loadRunCatalog(opts: Pick<RunOptions, 'spec'>): Promise<LoadedCatalog> {
  if (opts.spec) return (await import('../catalog/load.js')).loadCatalog({ specFile: opts.spec });
  return loadActiveCatalog();
}
