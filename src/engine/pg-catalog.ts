// What Postgres clients ask a server about itself, answered from the doql catalog: psql's \dt, \d, \dn, \l…,
// information_schema, version(), and the Postgres syntax drivers put in queries (`$1::text`).
//
// A SELECT that asks about the server and names no DigitalOcean resource is translated from its syntax tree
// like any other (sql/tree/translate-select.ts, which says `catalog`), and runs here, on a shared SQLite
// database emulating pg_catalog and information_schema (pg-catalog-database.ts).
import type Database from 'better-sqlite3';
import type { Catalog, SqlType } from '../catalog/types.js';
import type { LoadedCatalog } from '../catalog/load.js';
import { DoqlError } from '../errors.js';
import { sqliteError, type CallSignature } from './sqlite-error.js';
import { buildCatalogDatabase } from './pg-catalog-database.js';
import { catalogCacheDir, catalogKey, VERBOSE_CATALOG_ENV } from './pg-catalog-file.js';
import { recordText, registerPgFunctions } from './pg-catalog-functions.js';
import { buildModel, type PgCatalogModel } from './pg-catalog-model.js';
import { sessionTableFunction, withSessionCatalog, type SessionCatalog } from './pg-catalog-session.js';
import { EMULATED_TABLES } from './pg-catalog-schema.js';
import { pgTypeByName } from './pg-catalog-types.js';
import type { CellValue, ExecuteOptions, PgTypeName, ResultColumn, StatementResult } from './types.js';

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
    const dir = catalogCacheDir();
    const key = dir ? catalogKey(catalog) : undefined;
    s.db = buildCatalogDatabase(
      s.model,
      (rel) => rel.resourceId !== undefined && insertable.has(rel.resourceId),
      dir && key ? { dir, key } : undefined,
      process.env[VERBOSE_CATALOG_ENV] ? (how) => process.stderr.write(`doql serve: session process ${process.pid}: pg_catalog ${how}\n`) : undefined,
    );
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

/** The types of table functions' columns (the per-session tables', pg_get_keywords'), which SQLite does not know. */
const SESSION_COLUMN_TYPES = new Map([
  ...EMULATED_TABLES.filter((t) => t.perSession).flatMap((t) => t.columns.map((c) => [`${sessionTableFunction(t.name)}.${c.name}`, c.type] as const)),
  ['pg_get_keywords.barelabel', pgTypeByName('bool')] as const,
]);

export class PgCompat {
  private registered = false;

  /** `sessionDb`: the session's own database, which gets regexp() & co. once a rewritten query needs them. */
  constructor(
    private readonly loaded: LoadedCatalog,
    private readonly sessionDb: () => Database.Database,
    /** The session's own rows of the catalog (its cursors), for pg_cursors. */
    private readonly session?: SessionCatalog,
  ) {}

  /** Puts Postgres's functions (now(), to_char, pg_unnest …) on the session's database, once. */
  ensureSessionFunctions(): void {
    if (this.registered) return;
    registerPgFunctions(this.sessionDb(), sharedFor(this.loaded.catalog).model, this.session);
    this.registered = true;
  }

  /** Runs a catalog query translated for SQLite (`?n` placeholders, sql/tree/translate-select.ts) on the catalog database. */
  runSql(
    query: { sql: string; params: number[]; columnTypes: (SqlType | undefined)[]; pgTypes: (PgTypeName | undefined)[]; signature?: CallSignature },
    options: ExecuteOptions = {},
  ): StatementResult {
    if (options.signal?.aborted) throw new DoqlError('cancelled', 'statement cancelled', { sqlState: '57014' });
    const db = catalogDatabase(this.loaded.catalog);
    let stmt: Database.Statement;
    try {
      stmt = db.prepare(query.sql);
    } catch (err) {
      throw sqliteError(err, query.signature);
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
    this.session?.warnings?.splice(0);
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
      if (c.type === 'TEXT') {
        // A record (information_schema._pg_expandarray's) leaves as Postgres prints one: `(5,1)`.
        for (const r of rows) r[i] = recordText(r[i]) ?? r[i];
      }
      if (c.type !== 'BOOLEAN') return;
      for (const r of rows) if (typeof r[i] === 'number' || typeof r[i] === 'bigint') r[i] = Number(r[i]) !== 0;
    });
    const warnings = this.session?.warnings?.splice(0) ?? [];
    return { kind: 'rows', columns, rows, command: `SELECT ${rows.length}`, ...(warnings.length ? { warnings } : {}) };
  }
}
