// The SELECT front end: a statement parsed once into Postgres's syntax tree, and from that tree the resources
// it reads (RangeVar nodes), the SQLite SQL that answers it, its `$n` parameters and their kinds, the columns
// it reads and the types its text fixes. translateSelectTree is the entry for a SELECT found inside another
// statement's tree (INSERT … SELECT).
import type { FuncCall, Node } from '@pgsql/types';
import type { SqlType } from '../../catalog/types.js';
import { DoqlError } from '../../errors.js';
import type { ParamKind } from '../../engine/param-types.js';
import type { PgTypeName } from '../../engine/types.js';
import { tokenize } from '../lexer.js';
import { certainScan } from './certain-scans.js';
import { SelectEmitter } from './emit-select.js';
import { CATALOG_FUNCTIONS } from './functions.js';
import { kindOf, lastName, names, visit } from './nodes.js';
import { parseSql } from './parse.js';
import { Scope, type PathColumn, type ResourceInfo } from './scope.js';
import { typeName } from './emit-expr.js';
import { checkGrouping } from './grouping.js';
import type { IntWidth, Kind, KindReader } from './expr-kinds.js';
import type { CallSignature } from '../../engine/sqlite-error.js';

export type { ResourceInfo };

/** A resource's SQLite table for one statement: `name` is the id, or a variant with path columns. */
export interface TableSpec {
  name: string;
  id: string;
  paths: PathColumn[];
}

export interface SelectTranslation {
  /**
   * The statement asks about the emulated Postgres catalog (pg_catalog, information_schema, version()) and
   * reads no resource: the caller runs it on the catalog database (engine/pg-catalog.ts).
   */
  catalog: boolean;
  /** SQLite SQL; `$n` became `?n`. */
  sql: string;
  /** Resource ids read, lower-cased (`digitalocean.databases.backups`). */
  resources: string[];
  /** The SQLite table each resource is read from, with the hidden path columns the statement reads. */
  tables: TableSpec[];
  /** Columns the statement reads only through path columns: kept with a fetch, never converted for SQLite. */
  keep: ReadonlySet<string>;
  /** The `$n` numbers the SQL uses. */
  params: number[];
  /** The kind each `$n` takes from the column it is compared with. */
  paramKinds: Map<number, ParamKind>;
  /** Lower-cased names the statement mentions; undefined when it reads every column (`*`, NATURAL JOIN). */
  needed?: ReadonlySet<string>;
  /** Types the select list fixes, by position (empty with `*`). */
  columnTypes: (SqlType | undefined)[];
  pgTypes: (PgTypeName | undefined)[];
  /** The SQL calls functions registerPgFunctions provides (now(), pg_unnest, REGEXP …). */
  pgFunctions: boolean;
  /** The resource the statement is certain to list whole, with no parameter (certain-scans.ts): it may be fetched early. */
  certain?: string;
  /** A call's signature with its arguments' Postgres types, for the error when SQLite has no such function. */
  signature: CallSignature;
}

/**
 * SQL keywords that never start anything in a SELECT but are column names (`default` of vpcs, `check` of
 * uptime alerts): StackQL's docs write `SELECT id, name, default FROM digitalocean.vpcs.vpcs`.
 */
const RESERVED_COLUMN_WORDS = new Set(['default', 'check', 'primary', 'references', 'constraint', 'foreign', 'unique']);

/** A statement's tree, with the keywords read as names to parse it (checked once the resources are known). */
export interface RepairedParse {
  stmt: Node;
  repaired: string[];
  error?: unknown;
}

/**
 * Parses a SELECT (or a statement that holds one: COPY (…), DECLARE … CURSOR FOR). Where Postgres's grammar
 * stops at SQLite's own quoting of a name (`[name]`, `` `name` ``), the name is quoted as Postgres quotes it;
 * where it stops at one of those keywords, the word is read as a quoted name (and returned, to be checked against
 * the columns read). Then the statement is parsed again.
 */
export async function parseRepaired(text: string): Promise<RepairedParse> {
  let sql = text;
  let firstError: unknown;
  const repaired: string[] = [];
  for (let attempt = 0; attempt < 16; attempt++) {
    let stmts;
    try {
      stmts = (await parseSql(sql)).stmts ?? [];
    } catch (err) {
      firstError ??= err;
      const position = (err as { position?: number }).position;
      const tokens = tokenize(sql);
      const significant = tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
      // SQLite's char(9) is a type with a length to Postgres (`char(9) 'x'`): called, it must be a quoted name.
      const charCall = significant.find((t, i) => t.kind === 'word' && t.text.toLowerCase() === 'char' && significant[i + 1]?.text === '(' && significant[i - 1]?.text !== '::');
      const candidates = [
        tokens.find((t) => t.start === position),
        // Postgres's lexer reads a backtick as an operator, so its error lands later: the first backtick name then.
        tokens.find((t) => t.kind === 'quoted' && t.text.startsWith('`')),
        charCall,
      ];
      const at = candidates.find(
        (t) => (t?.kind === 'word' && (RESERVED_COLUMN_WORDS.has(t.text.toLowerCase()) || t === charCall)) || (t?.kind === 'quoted' && /^[[`]/.test(t.text)),
      );
      if (!at) throw firstError;
      const name = at.kind === 'word' ? at.text.toLowerCase() : at.text.slice(1, -1);
      if (at.kind === 'word' && at !== charCall) repaired.push(name);
      sql = `${sql.slice(0, at.start)}"${name.replace(/"/g, '""')}"${sql.slice(at.end)}`;
      continue;
    }
    if (stmts.length !== 1 || !stmts[0].stmt) throw new DoqlError('parse', 'expected one statement', { sqlState: '42601' });
    return { stmt: stmts[0].stmt, repaired, error: firstError };
  }
  throw firstError;
}

/** The error for a statement that starts like a query but is not one (`WITH x AS (…) DELETE FROM …`). */
function notASelect(stmt: Node): DoqlError {
  const kind = kindOf(stmt);
  const write = /^(Insert|Update|Delete|Merge)Stmt$/.exec(kind);
  if (!write) return new DoqlError('parse', `expected a SELECT, found ${kind}`, { sqlState: '42601' });
  const relation = (Object.values(stmt)[0] as { relation?: { schemaname?: string; relname?: string } }).relation;
  const schema = relation?.schemaname?.toLowerCase();
  if (CATALOG_SCHEMAS.has(schema ?? '') || (!schema && relation?.relname?.toLowerCase().startsWith('pg_'))) {
    return new DoqlError('validation', 'the Postgres catalog doql emulates is read-only', { sqlState: '25006' });
  }
  return new DoqlError('validation', `WITH … ${write[1].toUpperCase()} is not supported by doql: write the ${write[1].toUpperCase()} on its own`, { sqlState: '0A000' });
}

/** Parses and translates one SELECT (or WITH …, VALUES …) statement's text. */
export async function translateSelect(text: string, info: ResourceInfo, options: { catalog?: boolean } = {}): Promise<SelectTranslation> {
  const parsed = await parseRepaired(text);
  if (!('SelectStmt' in parsed.stmt)) throw notASelect(parsed.stmt);
  return translateRepaired(parsed.stmt, parsed, info, options);
}

/** Translates `select`, a SelectStmt of `parsed`'s tree, checking the keywords read as names against its resources. */
export function translateRepaired(select: Node, parsed: RepairedParse, info: ResourceInfo, options: { catalog?: boolean } = {}): SelectTranslation {
  const { repaired, error } = parsed;
  const t = translateSelectTree(select, info, options);
  if (repaired.length) {
    // A keyword read as a name must be a column of a resource the statement reads; else the syntax error stands.
    const known = (w: string): boolean => t.resources.some((id) => info.shape(id)?.columns.has(w));
    if (!repaired.every(known)) throw error;
  }
  return t;
}

/**
 * Translates a SelectStmt node (a whole statement's, or the SELECT of an INSERT … SELECT). With `catalog: false`
 * a statement is translated even when it names the emulated catalog.
 */
export function translateSelectTree(stmt: Node, info: ResourceInfo, options: { catalog?: boolean } = {}): SelectTranslation {
  const scope = new Scope(stmt, info);
  const catalog = options.catalog !== false && scope.resources.length === 0 && namesCatalog(stmt, scope);
  // Questions about the catalog come from drivers and tools, written for Postgres, whose catalog has primary keys a
  // GROUP BY may stand on: they are left to run.
  if (!catalog) checkGrouping(stmt);
  const emitter = new SelectEmitter(scope);
  const sql = emitter.statement(stmt);
  const found = emitter.found;
  const paramKinds = new Map([...found.paramKinds].filter((e): e is [number, ParamKind] => e[1] !== null));
  return {
    catalog,
    sql,
    resources: scope.resources,
    tables: scope.resources.map((id) => ({ name: scope.tableName(id), id, paths: scope.pathColumns(id) })),
    keep: found.keep,
    params: [...found.params].sort((a, b) => a - b),
    paramKinds,
    needed: found.star ? undefined : found.mentioned,
    columnTypes: emitter.shape.columnTypes,
    pgTypes: emitter.shape.pgTypes,
    pgFunctions: found.pgFunctions,
    certain: catalog ? undefined : certainScan(stmt, scope),
    signature: (name) => callSignature(stmt, emitter.kinds, name),
  };
}

/** Postgres's names of the types the kinds stand for, as a signature in an error shows them. */
const KIND_TYPE_NAMES: Record<Kind, string> = {
  int: 'bigint',
  numeric: 'numeric',
  float: 'double precision',
  text: 'text',
  bool: 'boolean',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  date: 'date',
  jsonb: 'jsonb',
  json: 'json',
  unknown: 'unknown',
};
const WIDTH_TYPE_NAMES: Record<IntWidth, string> = { int2: 'smallint', int4: 'integer', int8: 'bigint' };

/** `name(integer, text)`: the first call of `name` in the statement, its arguments typed as far as the tree tells. */
function callSignature(stmt: Node, kinds: KindReader, name: string): string | undefined {
  let call: FuncCall | undefined;
  visit(stmt, (key, o) => {
    if (!call && key === 'FuncCall' && lastName((o as FuncCall).funcname).toLowerCase() === name.toLowerCase()) call = o as FuncCall;
  });
  if (!call) return undefined;
  const types = (call.args ?? []).map((a) => {
    const width = kinds.width(a);
    const kind = kinds.of(a);
    return width ? WIDTH_TYPE_NAMES[width] : kind ? KIND_TYPE_NAMES[kind] : 'unknown';
  });
  return `${lastName(call.funcname)}(${types.join(', ')})`;
}

/** Schemas and names of the emulated Postgres catalog. */
const CATALOG_SCHEMAS = new Set(['pg_catalog', 'information_schema']);

/**
 * Whether a statement asks about the emulated Postgres catalog: pg_* tables and functions,
 * information_schema, version(), casts to reg* types, current_user and its kin.
 */
function namesCatalog(stmt: Node, scope: Scope): boolean {
  let found = false;
  visit(stmt, (key, o) => {
    if (found) return;
    if (key === 'RangeVar') {
      const schema = typeof o.schemaname === 'string' ? o.schemaname.toLowerCase() : '';
      const rel = typeof o.relname === 'string' ? o.relname.toLowerCase() : '';
      if (CATALOG_SCHEMAS.has(schema) || (!schema && !scope.ctes.has(rel) && (rel.startsWith('pg_') || CATALOG_SCHEMAS.has(rel)))) found = true;
    } else if (key === 'FuncCall') {
      const name = lastName(o.funcname as Node[]).toLowerCase();
      if (CATALOG_FUNCTIONS.has(name) || (name.startsWith('pg_') && name !== 'pg_sleep')) found = true;
    } else if (key === 'TypeCast') {
      if (/^reg/.test(typeName(o as never))) found = true;
    } else if (key === 'SQLValueFunction') {
      if (typeof o.op === 'string' && /USER|ROLE|SCHEMA|CATALOG/.test(o.op)) found = true;
    } else if (key === 'ColumnRef') {
      // A catalog column read bare (`SELECT oid FROM …` only reads catalog tables; this is for `pg_*` names).
      if (names(o.fields as Node[]).some((n) => n.startsWith('pg_'))) found = true;
    }
  });
  return found;
}
