// The emulated catalog database kept on disk (cache/pg-catalog/<key>/), so that a process that did not build it
// opens it instead of filling ~19,000 rows again (~130 ms of a fresh session process's first catalog query).
// The key hashes the doql catalog and doql's code, so a different catalog or doql gets a different file, and a
// file once renamed into place never changes: it is attached read-only-by-use (query_only) by every process.
import { createRequire } from 'node:module';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog } from '../catalog/types.js';
import type Database from 'better-sqlite3';
import { doqlPaths } from '../catalog/paths.js';

/** The schemas the emulated catalog attaches, each kept in its own file (VACUUM INTO writes one schema). */
export const CATALOG_SCHEMAS = ['pg_catalog', 'information_schema'] as const;

/** The size and time of each pg-* module beside this one (the code that builds a catalog), which a rebuild or an upgrade changes. */
function codeStamp(): string[] | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const code = readdirSync(here)
    .filter((f) => f.startsWith('pg-') && f.endsWith('.js'))
    .sort()
    .map((f) => {
      const st = statSync(join(here, f));
      return `${f}:${st.size}:${st.mtimeMs}`;
    });
  return code.length ? code : undefined;
}

/**
 * A catalog's key as the server computed it, for its session processes (cli/serve-child.ts): hashing the whole
 * catalog costs a process ~20 ms of its first catalog query (node:crypto's load, the JSON, the hash). With what the
 * key was computed from, so a process whose catalog or code is not the server's (a spec or a build changed since it
 * started) hashes its own.
 */
export interface KnownCatalogKey {
  key: string;
  specHash: string;
  source: string;
  code: string[];
}

let known: KnownCatalogKey | undefined;

/** The key of `catalog` and what it was computed from; undefined as for catalogKey. */
export function knownCatalogKey(catalog: Catalog): KnownCatalogKey | undefined {
  try {
    const code = codeStamp();
    if (!code) return undefined;
    // node:crypto required here, not imported: every session process loads this module, few hash (~7 ms to load).
    const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
    const key = createHash('sha256').update(JSON.stringify({ format: 1, code, catalog })).digest('hex').slice(0, 32);
    return { key, specHash: catalog.specHash, source: catalog.source, code };
  } catch {
    return undefined;
  }
}

/** A session process takes the key its server computed (it comes from the server, never from a client). */
export function useKnownCatalogKey(given: KnownCatalogKey): void {
  known = given;
}

/**
 * The key of a built catalog: a hash of the doql catalog it emulates and of the code that builds it (codeStamp).
 * Hashing the rows themselves would cost more than a third of building them. The server's, when it was computed
 * for the same spec (its hash and source) and the same code: the same catalog. Undefined: the code cannot be
 * found, so keep nothing.
 */
export function catalogKey(catalog: Catalog): string | undefined {
  try {
    const code = codeStamp();
    if (known && code && known.specHash === catalog.specHash && known.source === catalog.source && known.code.join('\n') === code.join('\n')) return known.key;
  } catch {
    // As below: hashed, or no key.
  }
  return knownCatalogKey(catalog)?.key;
}

/** Where built catalogs are kept; undefined: not on disk (DOQL_PG_CATALOG_CACHE=off). */
export function catalogCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DOQL_PG_CATALOG_CACHE === 'off') return undefined;
  return join(doqlPaths(env).cache, 'pg-catalog');
}

/** Attaches the kept schemas of `key` to `db`; false when there is no complete file for it (or it cannot be read). */
export function attachKept(db: Database.Database, dir: string, key: string): boolean {
  const files = CATALOG_SCHEMAS.map((s) => join(dir, key, `${s}.db`));
  if (!files.every((f) => existsSync(f))) return false;
  const attached: string[] = [];
  try {
    for (const [i, schema] of CATALOG_SCHEMAS.entries()) {
      db.prepare(`ATTACH DATABASE ? AS ${schema}`).run(files[i]);
      attached.push(schema);
      // Reading its schema now proves the file is a database, before any query relies on it.
      db.prepare(`SELECT count(*) FROM ${schema}.sqlite_schema`).get();
    }
    touch(join(dir, key));
    return true;
  } catch {
    for (const schema of attached) db.exec(`DETACH DATABASE ${schema}`);
    return false;
  }
}

/**
 * Writes the attached schemas of `db` to `dir/key/`: into a temporary folder first, renamed into place at once,
 * so that a process racing to do the same, or one reading, never sees half a catalog. Any failure (read-only or
 * full disk) leaves nothing behind and is not an error: the caller keeps its in-memory database. Returns what
 * happened, for `doql serve --verbose`.
 */
export function keep(db: Database.Database, dir: string, key: string): string {
  let tmp: string | undefined;
  try {
    if (existsSync(join(dir, key))) return `built in memory; ${join(dir, key)} was written meanwhile`;
    mkdirSync(dir, { recursive: true });
    tmp = mkdtempSync(join(dir, `${key}.tmp-`));
    for (const schema of CATALOG_SCHEMAS) {
      const file = join(tmp, `${schema}.db`);
      db.prepare(`VACUUM ${schema} INTO ?`).run(file);
      chmodSync(file, 0o444);
    }
    renameSync(tmp, join(dir, key));
    tmp = undefined;
    prune(dir, key);
    return `built and kept in ${join(dir, key)}`;
  } catch (err) {
    // Another process renamed its copy first (ENOTEMPTY/EEXIST), or the disk refused: ours is not needed.
    return `built in memory; not kept in ${dir} (${(err as Error).message})`;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

const WEEK_MS = 7 * 24 * 3600_000;
const HOUR_MS = 3600_000;
/**
 * Catalogs kept for other keys, the most recently used first: another doql serve or catalog in use beside this one.
 * Each rebuild of doql (its code is in the key) or spec makes a new key, ~2 MB each: without a bound a developer's
 * or a test run's cache grew by one per build for a week.
 */
const OTHER_KEYS_KEPT = 2;

/** Marks a kept catalog used now (its folder's time), which prune() reads; a read-only cache is simply not marked. */
function touch(folder: string): void {
  try {
    const now = new Date();
    utimesSync(folder, now, now);
  } catch {
    // Not ours to change (another user's cache, a read-only disk): it is only a hint.
  }
}

/**
 * Removes what this module left in `dir` that nothing uses any more: catalogs for other keys beyond the
 * OTHER_KEYS_KEPT used most recently, or unused for a week (a rebuild or an upgrade of doql, an old spec), and
 * temporary folders of builders killed over an hour ago. Only names this module makes are touched; anything else
 * there is left alone. A process still reading a removed one keeps its open file (a new one builds it again).
 */
function prune(dir: string, key: string): void {
  const now = Date.now();
  const others: { name: string; mtimeMs: number }[] = [];
  for (const name of readdirSync(dir)) {
    const kept = /^[0-9a-f]{32}$/.test(name);
    if (name === key || !(kept || /^[0-9a-f]{32}\.tmp-\w{6}$/.test(name))) continue;
    try {
      const { mtimeMs } = statSync(join(dir, name));
      if (kept && now - mtimeMs <= WEEK_MS) others.push({ name, mtimeMs });
      else if (now - mtimeMs > (kept ? WEEK_MS : HOUR_MS)) rmSync(join(dir, name), { recursive: true, force: true });
    } catch {
      // Gone already (another process pruned it) or not ours to remove: leave it.
    }
  }
  for (const { name } of others.sort((a, b) => b.mtimeMs - a.mtimeMs).slice(OTHER_KEYS_KEPT)) {
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
    } catch {
      // As above.
    }
  }
}

/** Set in session processes' environment by `doql serve --verbose`: say on stderr where the catalog came from. */
export const VERBOSE_CATALOG_ENV = 'DOQL_VERBOSE_PG_CATALOG';
