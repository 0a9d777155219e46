// What Postgres clients ask a server about itself, answered from the doql catalog: psql's \dt, \d, \dn, \l…,
// information_schema, version(), and the Postgres syntax drivers put in queries (`$1::text`).
//
// A SELECT that names no DigitalOcean resource runs on a shared SQLite database emulating pg_catalog and
// information_schema (pg-catalog-database.ts) after its Postgres-only syntax is rewritten (pg-catalog-rewrite.ts);
// a SELECT over resources gets the same rewriting and runs as before. The session calls:
//
//   const q = pg.prepare(tokens);          // route + rewrite
//   if (q.catalog) return pg.run(q, opts); // else run q.tokens over the API as usual
import type Database from 'better-sqlite3';
import type { Catalog, SqlType } from '../catalog/types.js';
import type { LoadedCatalog } from '../catalog/load.js';
import { DoqlError, isDoqlError } from '../errors.js';
import { identValue, tokenize, type Token } from '../sql/lexer.js';
import { sqliteError } from './sqlite-error.js';
import { rewriteResourceNames } from '../sql/rewrite.js';
import { buildCatalogDatabase } from './pg-catalog-database.js';
import { registerPgFunctions } from './pg-catalog-functions.js';
import { buildModel, type PgCatalogModel } from './pg-catalog-model.js';
import { rewritePostgres, type QualifyName } from './pg-catalog-rewrite.js';
import { sessionTableFunction, withSessionCatalog, type SessionCatalog } from './pg-catalog-session.js';
import { EMULATED_TABLES } from './pg-catalog-schema.js';
import type { CellValue, ExecuteOptions, PgTypeName, ResultColumn, StatementResult } from './types.js';

export interface PgQuery {
  /** True when the statement reads no resource: it runs on the catalog database. */
  catalog: boolean;
  /** The statement's tokens, rewritten for SQLite. */
  tokens: Token[];
  /** Column types fixed by the query text (casts), by position. */
  columnTypes: (SqlType | undefined)[];
  /** Postgres types fixed by the query text (casts to timestamptz, now()), by position. */
  pgTypes: (PgTypeName | undefined)[];
}

interface Shared {
  model: PgCatalogModel;
  db?: Database.Database;
}

/** One model and one database per catalog, shared by all sessions (they only read it). */
const shared = new WeakMap<Catalog, Shared>();

function sharedFor(catalog: Catalog): Shared {
  let s = shared.get(catalog);
  if (!s) {
    s = { model: buildModel(catalog) };
    shared.set(catalog, s);
  }
  return s;
}

function catalogDatabase(catalog: Catalog): Database.Database {
  const s = sharedFor(catalog);
  if (!s.db) {
    const insertable = new Set(
      Object.values(catalog.services)
        .flatMap((svc) => Object.values(svc.resources))
        .filter((r) => r.methods.some((m) => m.verb === 'insert'))
        .map((r) => r.id),
    );
    s.db = buildCatalogDatabase(s.model, (rel) => rel.resourceId !== undefined && insertable.has(rel.resourceId));
    registerPgFunctions(s.db, s.model);
  }
  return s.db;
}


/** SQLite's declared types of the emulated tables' columns, as doql types. */
const DECLARED: Record<string, SqlType> = { BOOLEAN: 'BOOLEAN', INTEGER: 'INTEGER', REAL: 'REAL', TEXT: 'TEXT', JSON: 'JSON' };

function inferType(rows: CellValue[][], i: number): SqlType {
  const values = rows.map((r) => r[i]).filter((v) => v !== null && v !== undefined);
  if (values.length === 0) return 'TEXT';
  if (values.every((v) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)))) return 'INTEGER';
  if (values.every((v) => typeof v === 'number' || typeof v === 'bigint')) return 'REAL';
  return 'TEXT';
}

/** The types of the per-session tables' columns, which SQLite does not know (they come from table functions). */
const SESSION_COLUMN_TYPES = new Map(
  EMULATED_TABLES.filter((t) => t.perSession).flatMap((t) => t.columns.map((c) => [`${sessionTableFunction(t.name)}.${c.name}`, c.type] as const)),
);

/** Catalog functions whose names do not start with `pg_`. */
const CATALOG_FUNCTIONS = new Set(
  'version current_database current_catalog current_schema current_schemas current_setting set_config current_user session_user current_role obj_description col_description shobj_description format_type getdatabaseencoding quote_ident txid_current has_table_privilege has_schema_privilege has_database_privilege has_column_privilege has_any_column_privilege has_function_privilege has_sequence_privilege to_regclass to_regtype to_regnamespace to_regrole to_regproc to_regprocedure'.split(
    ' ',
  ),
);

/** Postgres functions a query over resources may call (`created_at > now()`), which SQLite lacks. */
const SESSION_FUNCTIONS = new Set([
  'now', 'array_to_string', 'string_to_array', 'array_length', 'cardinality', 'version', 'current_database', 'current_user', 'session_user',
  'date_trunc', 'date_part', 'json_extract_path', 'json_extract_path_text', 'jsonb_extract_path', 'jsonb_extract_path_text',
  'to_char', 'age', 'split_part', 'bool_or', 'bool_and', 'every', 'array_to_string', 'array_upper', 'array_lower',
  'current_role', 'current_catalog', 'current_schema', 'current_schemas', 'string_to_array',
]);

/** Whether the (rewritten) tokens call a function that registerPgFunctions provides. */
function callsPgFunction(tokens: Token[]): boolean {
  const sig = tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  return sig.some((t, i) => {
    if (t.kind !== 'word') return false;
    const name = t.text.toLowerCase();
    if (name === 'regexp') return true; // the operator calls the function
    return sig[i + 1]?.text === '(' && (name.startsWith('pg_') || SESSION_FUNCTIONS.has(name));
  });
}

/**
 * Whether a query asks about the emulated Postgres catalog (pg_* tables and functions,
 * information_schema, version() …). Plain SQLite queries stay on the session's own database, so
 * `SELECT 1` does not build the catalog database (~60 ms) it never reads.
 */
function namesCatalog(tokens: Token[]): boolean {
  return tokens.some((t) => {
    if (t.kind !== 'word' && t.kind !== 'quoted') return false;
    const name = identValue(t).toLowerCase();
    return name.startsWith('pg_') || name === 'information_schema' || CATALOG_FUNCTIONS.has(name);
  });
}

export class PgCompat {
  private registered = false;

  /** `sessionDb`: the session's own database, which gets regexp() & co. once a rewritten query needs them. */
  constructor(
    private readonly loaded: LoadedCatalog,
    private readonly sessionDb: () => Database.Database,
    /** The session's own rows of the catalog (its cursors), for pg_cursors. */
    private readonly session?: SessionCatalog,
  ) {}

  /** `databases.backups` is the resource digitalocean.databases.backups when `databases` is a service. */
  private readonly qualify: QualifyName = (schema) => Object.hasOwn(this.loaded.catalog.services, schema);

  /** Decides where a SELECT runs and rewrites its Postgres syntax. Throws only DoqlErrors. */
  prepare(tokens: Token[]): PgQuery {
    let rewritten: ReturnType<typeof rewritePostgres>;
    let catalog: boolean;
    try {
      rewritten = rewritePostgres(tokens, false, this.qualify);
      // Postgres syntax (casts give typed columns) or the catalog's names; a plain `SELECT 1` stays put.
      const overResources = rewriteResourceNames(rewritten.changed ? tokenize(rewritten.sql) : tokens).resources.length > 0;
      catalog = (namesCatalog(tokens) || rewritten.changed) && !overResources;
      // Queries about the server and over resources get Postgres' column names (`count`, not `count(*)`).
      if (catalog || overResources) rewritten = rewritePostgres(tokens, true, this.qualify);
    } catch (err) {
      if (isDoqlError(err)) throw err;
      // A rewriter bug: running the statement as written could give an answer Postgres would not, so refuse it.
      throw new DoqlError('internal', `doql could not translate this statement's Postgres syntax (${(err as Error)?.message ?? String(err)})`, {
        hint: 'this is a doql bug: please report the statement; writing it in SQLite syntax may work meanwhile',
        sqlState: 'XX000',
        cause: err,
      });
    }
    const out = rewritten.changed ? tokenize(rewritten.sql) : tokens;
    // The session's database gets Postgres's functions once a statement calls one (now(), to_char, the
    // rewriter's pg_* helpers, REGEXP): an ORDER BY that only gained NULLS LAST needs none, nor their ~30 ms.
    if (!catalog && !this.registered && callsPgFunction(out)) {
      registerPgFunctions(this.sessionDb(), sharedFor(this.loaded.catalog).model);
      this.registered = true;
    }
    return { catalog, tokens: out, columnTypes: rewritten.columnTypes, pgTypes: rewritten.pgTypes };
  }

  /** Puts Postgres's functions (now(), to_char, pg_unnest …) on the session's database, once. */
  ensureSessionFunctions(): void {
    if (this.registered) return;
    registerPgFunctions(this.sessionDb(), sharedFor(this.loaded.catalog).model);
    this.registered = true;
  }

  /** Runs a catalog query (one that reads no resource) on the shared catalog database. */
  run(query: PgQuery, options: ExecuteOptions = {}): StatementResult {
    const { sql } = rewriteResourceNames(query.tokens); // `$1` → `?1`
    const numbers = query.tokens.filter((t) => t.kind === 'param' && /^\$\d+$/.test(t.text)).map((t) => Number(t.text.slice(1)));
    return this.runSql({ sql, params: numbers, columnTypes: query.columnTypes, pgTypes: query.pgTypes }, options);
  }

  /** Runs a catalog query translated for SQLite (`?n` placeholders, sql/tree/translate-select.ts) on the catalog database. */
  runSql(query: { sql: string; params: number[]; columnTypes: (SqlType | undefined)[]; pgTypes: (PgTypeName | undefined)[] }, options: ExecuteOptions = {}): StatementResult {
    if (options.signal?.aborted) throw new DoqlError('cancelled', 'statement cancelled', { sqlState: '57014' });
    const db = catalogDatabase(this.loaded.catalog);
    let stmt: Database.Statement;
    try {
      stmt = db.prepare(query.sql);
    } catch (err) {
      throw sqliteError(err);
    }
    if (!stmt.readonly || !stmt.reader) {
      throw new DoqlError('validation', 'the Postgres catalog doql emulates is read-only', { sqlState: '25006' });
    }
    // better-sqlite3 binds `?1` placeholders by name only (`{ 1: value }`, never positionally), and every
    // name it is given must be used.
    const given = options.params ?? [];
    const params: Record<string, unknown> = {};
    for (const n of query.params) {
      if (n < 1 || n > given.length) throw new DoqlError('validation', `there is no parameter $${n}`, { sqlState: '42P02' });
      const v = given[n - 1];
      params[String(n)] = typeof v === 'boolean' ? Number(v) : v;
    }
    let rows: CellValue[][];
    try {
      rows = withSessionCatalog(this.session, () => (Object.keys(params).length ? stmt.raw(true).all(params) : stmt.raw(true).all())) as CellValue[][];
    } catch (err) {
      throw sqliteError(err);
    }
    const columns: ResultColumn[] = stmt.columns().map((c, i) => {
      const session = c.table && c.column ? SESSION_COLUMN_TYPES.get(`${c.table}.${c.column}`) : undefined;
      const pgType = query.pgTypes[i] ?? (session?.name === 'timestamptz' ? 'timestamptz' : undefined);
      const type = (c.type ? DECLARED[c.type.toUpperCase()] : undefined) ?? session?.sqlType ?? query.columnTypes[i] ?? inferType(rows, i);
      return pgType ? { name: c.name, type, pgType } : { name: c.name, type };
    });
    columns.forEach((c, i) => {
      if (c.type !== 'BOOLEAN') return;
      for (const r of rows) if (typeof r[i] === 'number' || typeof r[i] === 'bigint') r[i] = Number(r[i]) !== 0;
    });
    return { kind: 'rows', columns, rows, command: `SELECT ${rows.length}` };
  }
}
