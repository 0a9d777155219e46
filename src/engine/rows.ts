// Turns API response bodies into table rows: finds the items under the method's object key and
// converts each value to what SQLite stores for the column's type.
import { jsonbText } from './pg-text-forms.js';
import type { Column, Method } from '../catalog/types.js';
import type { EncodedColumn } from './row-batch.js';

export type SqliteValue = string | number | bigint | null;

/** The items a response holds for a method: the array under objectKey, a single object as one item, or the body. */
export function extractItems(method: Method, body: unknown): unknown[] {
  if (body === null || body === undefined || body === '') return [];
  if (!method.objectKey || typeof body !== 'object') return [{ content: typeof body === 'string' ? body : JSON.stringify(body) }];
  let value: unknown = body;
  if (method.objectKey !== '$') {
    const key = method.objectKey.slice(2);
    value = (body as Record<string, unknown>)[key];
  }
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  return [value];
}

export function toSqlite(column: Column, value: unknown): SqliteValue {
  if (value === undefined || value === null) return null;
  switch (column.sqlType) {
    case 'INTEGER':
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
      return typeof value === 'number' ? value : String(value);
    case 'REAL':
      return typeof value === 'number' ? value : typeof value === 'string' && value !== '' && !Number.isNaN(Number(value)) ? Number(value) : String(value);
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value ? 1n : 0n;
      return typeof value === 'number' ? BigInt(value ? 1 : 0) : String(value);
    case 'JSON':
      return JSON.stringify(value);
    case 'TEXT':
      return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/**
 * One row in column order; a scalar item fills the `value` column. Columns not in `needed` stay null
 * (the statement never reads them, and converting every nested object to JSON text is the costly part).
 */
export function toRow(
  columns: Column[],
  item: unknown,
  extra: { envelope?: Record<string, unknown>; key?: string } = {},
  needed?: ReadonlySet<string>,
): SqliteValue[] {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return columns.map((c) => (c.name === 'value' || c.name === 'content' ? toSqlite(c, item) : null));
  }
  const obj = item as Record<string, unknown>;
  const { envelope, key } = extra;
  return columns.map((c) => {
    if (needed && !needed.has(c.name)) return null;
    let v = obj[c.name];
    if (v === undefined && envelope) v = c.name === key ? obj : envelope[c.name];
    return toSqlite(c, v);
  });
}

/** A fetch's rows converted column by column, kept with the fetch so later statements reuse them. */
export interface ColumnCache {
  columns: Map<string, SqliteValue[]>;
  /** The native table's encodings of the columns (row-batch.ts), by name. */
  encoded?: Map<string, EncodedColumn>;
  /** The native table's orders by group (row-batch.ts groupedOrder), by the key columns' names. */
  nativeOrders?: Map<string, Uint32Array | null>;
}

/** Where a column's value comes from when the item lacks it: the body's other fields, or the item itself. */
export interface ItemShape {
  envelope?: Record<string, unknown>;
  key?: string;
}

/**
 * One BigInt per distinct integer of a column, shared by its rows. A column of 100,000 integers (memory, vcpus)
 * holds few distinct values, and a fresh BigInt per row made converting it several times slower: each is an
 * allocation, and the young-generation collections they cause walk a heap that holds every fetched item.
 * A column of mostly distinct values (ids) stops sharing after MAX_SHARED of them.
 */
class SharedBigInts {
  private readonly seen = new Map<number, bigint>();

  of(v: number): bigint {
    let b = this.seen.get(v);
    if (b === undefined) {
      b = BigInt(v);
      if (this.seen.size < MAX_SHARED) this.seen.set(v, b);
    }
    return b;
  }
}

const MAX_SHARED = 4096;

/** The converted values of one column for each of `items` (a fetch that keeps only some columns converts them page by page). */
export function convertColumn(items: unknown[], column: Column, shape: ItemShape): SqliteValue[] {
  return convertAll({ items, ...shape }, [{ name: column.name, column }])[0];
}

/** What the virtual table serves from a fetch: a column, or `column ->> '$.k1.k2'` read as a hidden path column (sql/tree/scope.ts). */
export interface ValueSpec {
  /** The cache's name for it: the column's name, or the path column's (`region->>$.slug`). */
  name: string;
  column: Column;
  /** The object keys a path column walks; absent for the column itself. */
  keys?: readonly string[];
}

type Fetched = { items: unknown[]; envelope?: Record<string, unknown>; key?: string; cache?: ColumnCache; only?: ReadonlySet<string> };

/**
 * The converted values of each spec for every item of a fetch, computed on first use and kept with the
 * fetch, so later rounds and statements reuse them. Converting (JSON text for nested objects above all) is
 * what a query over cached rows spends its time on, and reading 100,000 parsed objects is slow when each
 * is far from the last in memory: the specs not converted yet are filled in one pass over the items, not
 * one pass each. A fetch that kept only some columns (`only`) has no items left to convert the others from:
 * its readers check `only` first and fetch again; its path columns are read from their column's JSON text.
 */
export function fetchedValues(fetched: Fetched, specs: readonly ValueSpec[]): SqliteValue[][] {
  const cache = (fetched.cache ??= { columns: new Map() });
  const missing = specs.filter((s, i) => !cache.columns.has(s.name) && specs.findIndex((t) => t.name === s.name) === i);
  if (missing.length) {
    if (fetched.only) {
      for (const spec of missing) {
        const text = cache.columns.get(spec.column.name) ?? [];
        const keys = spec.keys ?? [];
        const pg = postgresPath(spec);
        cache.columns.set(spec.name, text.map((t: SqliteValue) => (typeof t === 'string' ? walk(JSON.parse(t), keys, pg) : null)));
      }
    } else {
      convertAll(fetched, missing).forEach((values, j) => cache.columns.set(missing[j].name, values));
    }
  }
  return specs.map((s) => cache.columns.get(s.name) ?? []);
}

/** The values of every spec for each item, in one pass over the items. */
function convertAll({ items, envelope, key }: Fetched, specs: readonly ValueSpec[]): SqliteValue[][] {
  const n = items.length;
  const m = specs.length;
  const out = specs.map(() => new Array<SqliteValue>(n));
  const readers = specs.map((s) => reader(s, envelope, key));
  for (let i = 0; i < n; i++) {
    const item = items[i];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      // A scalar item fills the `value` column (or `content`); its paths and other columns are null.
      for (let j = 0; j < m; j++) {
        const spec = specs[j];
        out[j][i] = !spec.keys && (spec.column.name === 'value' || spec.column.name === 'content') ? toSqlite(spec.column, item) : null;
      }
      continue;
    }
    for (let j = 0; j < m; j++) out[j][i] = readers[j](item as Record<string, unknown>);
  }
  return out;
}

type Reader = (obj: Record<string, unknown>) => SqliteValue;

/**
 * Reads one spec's value from an item, the common cases inline (text that is a string, an integer that is a
 * number, one key of an object): this runs for every row of a fetch, and toSqlite's general case is several
 * times slower. One closure per kind, so that each property read sees one name (a read that sees several is
 * a slower lookup), and a value the API left out is looked up in the envelope (or is the item itself).
 */
function reader(spec: ValueSpec, envelope: Record<string, unknown> | undefined, key: string | undefined): Reader {
  const { column, keys } = spec;
  const name = column.name;
  const ints = new SharedBigInts();
  const pg = postgresPath(spec);
  const outside = (obj: Record<string, unknown>): unknown => (envelope ? (name === key ? obj : envelope[name]) : undefined);
  if (keys?.length === 1) {
    const k = keys[0];
    return (obj) => {
      let v = obj[name];
      if (v === undefined) v = outside(obj);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return pathOf(v, keys, pg);
      const w = (v as Record<string, unknown>)[k];
      if (typeof w === 'string') return w;
      if (!pg && typeof w === 'number' && Number.isSafeInteger(w)) return ints.of(w);
      return pg ? pgArrowText(w) : arrowValue(w);
    };
  }
  if (keys) {
    return (obj) => {
      const v = obj[name];
      return pathOf(v === undefined ? outside(obj) : v, keys, pg);
    };
  }
  if (column.sqlType === 'TEXT') {
    return (obj) => {
      let v = obj[name];
      if (v === undefined) v = outside(obj);
      return typeof v === 'string' ? v : toSqlite(column, v);
    };
  }
  if (column.sqlType === 'INTEGER') {
    return (obj) => {
      let v = obj[name];
      if (v === undefined) v = outside(obj);
      return typeof v === 'number' && Number.isSafeInteger(v) ? ints.of(v) : toSqlite(column, v);
    };
  }
  return (obj) => {
    const v = obj[name];
    return toSqlite(column, v === undefined ? outside(obj) : v);
  };
}

/** `column ->> path` of one value: an object walked, or JSON text read as SQLite would read it. */
function pathOf(v: unknown, keys: readonly string[], postgres: boolean): SqliteValue {
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  return walk(v, keys, postgres);
}

function walk(v: unknown, keys: readonly string[], postgres: boolean): SqliteValue {
  for (const k of keys) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
    v = (v as Record<string, unknown>)[k];
  }
  return postgres ? pgArrowText(v) : arrowValue(v);
}

/** `col ->> 'k'` (sql/tree/scope.ts names it without `$.`) is Postgres's: text, as pgArrowText writes it; `->> '$.k'` is SQLite's. */
const postgresPath = (spec: ValueSpec): boolean => spec.keys !== undefined && !spec.name.includes('->>$.');

/** Postgres's `->>` of a JSON value: always text (true is 'true', 1.5 is '1.5'), objects as jsonb writes them. */
function pgArrowText(v: unknown): SqliteValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  return jsonbText(JSON.stringify(v));
}

/** SQLite's `->>` of a JSON value: text, integer (booleans as 1 and 0), real, NULL, or JSON text for the rest. */
function arrowValue(v: unknown): SqliteValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
  return JSON.stringify(v);
}
