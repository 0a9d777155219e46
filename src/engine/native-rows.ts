// The native virtual table (src/native/doql_columns.c, built into dist/native/ by `npm run build`): rows reach
// SQLite from one binary batch per scan (row-batch.ts) instead of one JavaScript call per row and value. Loaded
// into a session's database when its first table is registered; without the built extension, where it does not
// load, or with DOQL_NATIVE_ROWS=0, tables are better-sqlite3's JavaScript ones (virtual-table.ts), as before.
import { existsSync } from 'node:fs';
import { endianness } from 'node:os';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { DoqlError } from '../errors.js';
import { mark } from '../timings.js';
import type { Grouping } from './row-batch.js';

/**
 * The extension beside the compiled engine (dist/engine/ → dist/native/; the bundles keep each module's own URL),
 * or, for this module run from src/ (the tests), the one the build put in dist/.
 */
export const NATIVE_ROWS_PATH =
  [new URL('../native/doql_columns.so', import.meta.url), new URL('../../dist/native/doql_columns.so', import.meta.url)].map((u) => fileURLToPath(u)).find(existsSync) ??
  fileURLToPath(new URL('../native/doql_columns.so', import.meta.url));

/** The keys SQLite wants a scan's equal rows adjacent by (doql_columns.c xBestIndex), as declared column numbers. */
export interface ScanGrouping extends Grouping {
  columns: readonly number[];
}

/** A native table's scan: the batch for these arguments (undefined: not constrained) and grouping, or null for no rows. */
export type BatchSource = (args: unknown[], grouping: ScanGrouping | undefined) => Buffer | null;

export interface NativeTableDefinition {
  columns: readonly string[];
  /** Hidden columns, first; the first is the account. */
  parameters: readonly string[];
  batch: BatchSource;
}

/** Per database: the tables' batch sources, which the one doql_rows function dispatches to. */
const loaded = new WeakMap<Database.Database, Map<string, BatchSource> | null>();

/** Why the native path is not in use, if it is not (for tests and the curious); undefined while it is. */
let unavailable: string | undefined;

/** Whether rows are to cross through the native table: the extension is built and DOQL_NATIVE_ROWS is not 0. */
export function nativeRowsWanted(): boolean {
  return process.env.DOQL_NATIVE_ROWS !== '0' && endianness() === 'LE' && existsSync(NATIVE_ROWS_PATH);
}

/** The reason the last database fell back to the JavaScript tables, if it did. */
export function nativeRowsFallback(): string | undefined {
  return unavailable;
}

/** xBestIndex's idxStr: sqlite3_vtab_distinct's value (1: GROUP BY, 2: DISTINCT), then the columns, "d" if descending. */
function scanGrouping(text: string): ScanGrouping {
  const [kind, list] = text.split(':');
  const terms = list ? list.split(',') : [];
  return { sorted: kind === '1', columns: terms.map((t) => parseInt(t, 10)), descending: terms.map((t) => t.endsWith('d')) };
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The tables of `db` served natively, once the extension is loaded into it; null when it cannot be. */
function nativeTables(db: Database.Database): Map<string, BatchSource> | null {
  const known = loaded.get(db);
  if (known !== undefined) return known;
  let tables: Map<string, BatchSource> | null = null;
  if (nativeRowsWanted()) {
    try {
      // SQLite finds the entry point from the file's name: sqlite3_doqlcolumns_init.
      db.loadExtension(NATIVE_ROWS_PATH);
      const map = new Map<string, BatchSource>();
      // Called by the C cursor's nested statement: doql_rows(table, grouping, argument...).
      db.function('doql_rows', { varargs: true, directOnly: true }, (...values: unknown[]) => {
        const [table, grouping, ...args] = values;
        const source = map.get(String(table));
        if (!source) throw new DoqlError('internal', `doql_rows: no table ${String(table)}`);
        return source(
          args.map((a) => (a === null ? undefined : a)),
          typeof grouping === 'string' ? scanGrouping(grouping) : undefined,
        );
      });
      tables = map;
      unavailable = undefined;
      mark('native-rows');
    } catch (err) {
      unavailable = `the native table did not load: ${err instanceof Error ? err.message : String(err)}`;
    }
  } else {
    unavailable = process.env.DOQL_NATIVE_ROWS === '0' ? 'DOQL_NATIVE_ROWS=0' : `no ${NATIVE_ROWS_PATH} (or a big-endian host)`;
  }
  loaded.set(db, tables);
  return tables;
}

/** Registers `name` as a native table of `db`; false when the native path is not available there. */
export function defineNativeTable(db: Database.Database, name: string, def: NativeTableDefinition): boolean {
  const tables = nativeTables(db);
  if (!tables) return false;
  if (def.parameters.length > 32) throw new DoqlError('internal', `${name}: more than 32 hidden columns`);
  const sql = `CREATE TABLE x(${[...def.parameters.map((p) => `${quote(p)} HIDDEN`), ...def.columns.map(quote)].join(', ')})`;
  tables.set(name, def.batch);
  db.prepare('SELECT doql_define(?, ?, ?, ?, ?)').get(name, sql, def.parameters.length, def.columns.length, def.parameters.map((p) => `${p}\x1f`).join(''));
  return true;
}
