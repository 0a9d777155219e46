// Turns API response bodies into table rows: finds the items under the method's object key and
// converts each value to what SQLite stores for the column's type.
import { jsonbText } from './pg-text-forms.js';
import type { Column, Method } from '../catalog/types.js';

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
}

/** Where a column's value comes from when the item lacks it: the body's other fields, or the item itself. */
export interface ItemShape {
  envelope?: Record<string, unknown>;
  key?: string;
}

/** The converted values of one column for each of `items`. */
export function convertColumn(items: unknown[], column: Column, { envelope, key }: ItemShape): SqliteValue[] {
  return items.map((item) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      return column.name === 'value' || column.name === 'content' ? toSqlite(column, item) : null;
    }
    const obj = item as Record<string, unknown>;
    let v = obj[column.name];
    if (v === undefined && envelope) v = column.name === key ? obj : envelope[column.name];
    return toSqlite(column, v);
  });
}

/**
 * The converted values of one column for every item of a fetch, computed on first use. Converting
 * (JSON text for nested objects above all) is what a query over cached rows spends its time on.
 * A fetch that kept only some columns (`only`) has no items left to convert the others from: its
 * readers check `only` first and fetch again.
 */
export function columnValues(
  fetched: { items: unknown[]; envelope?: Record<string, unknown>; key?: string; cache?: ColumnCache },
  column: Column,
): SqliteValue[] {
  const cache = (fetched.cache ??= { columns: new Map() });
  let values = cache.columns.get(column.name);
  if (!values) {
    values = convertColumn(fetched.items, column, fetched);
    cache.columns.set(column.name, values);
  }
  return values;
}

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

/**
 * The values of `column ->> '$.k1.k2'` for every item of a fetch, read from the fetched objects (or, when
 * a one-shot listing kept only converted columns, from the column's JSON text), computed on first use.
 */
export function pathValues(
  fetched: { items: unknown[]; envelope?: Record<string, unknown>; key?: string; cache?: ColumnCache; only?: ReadonlySet<string> },
  column: Column,
  path: { name: string; keys: readonly string[] },
): SqliteValue[] {
  const cache = (fetched.cache ??= { columns: new Map() });
  let values = cache.columns.get(path.name);
  if (values) return values;
  // `col ->> 'k'` (sql/tree/scope.ts names it without `$.`) is Postgres's: text, as pgArrowText writes it.
  const postgres = !path.name.includes('->>$.');
  const walk = (v: unknown): SqliteValue => {
    for (const k of path.keys) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
      v = (v as Record<string, unknown>)[k];
    }
    return postgres ? pgArrowText(v) : arrowValue(v);
  };
  if (fetched.only) {
    const text = cache.columns.get(column.name) ?? [];
    values = text.map((t: SqliteValue) => (typeof t === 'string' ? walk(JSON.parse(t)) : null));
  } else {
    const { envelope, key } = fetched;
    values = fetched.items.map((item) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) return null;
      const obj = item as Record<string, unknown>;
      let v = obj[column.name];
      if (v === undefined && envelope) v = column.name === key ? obj : envelope[column.name];
      // A column whose value is JSON text (not an object) is read as SQLite would read that text.
      if (typeof v === 'string') {
        try {
          v = JSON.parse(v);
        } catch {
          return null;
        }
      }
      return walk(v);
    });
  }
  cache.columns.set(path.name, values);
  return values;
}
