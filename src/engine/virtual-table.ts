// Defines a SQLite virtual table whose hidden columns are pushed-down parameters that each row may also fill:
// the account `context` column must be both (WHERE context = 'a' reaches one account; unconstrained, each row
// says which account it came from).
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { DoqlError } from '../errors.js';

export interface TableDefinition {
  /** Visible columns (`SELECT *`). */
  columns: readonly string[];
  /** Hidden columns, first in each row; an `=` (or IN, or join) constraint on one arrives as its argument. */
  parameters: readonly string[];
  /** One call per distinct set of arguments (undefined: not constrained); yields whole rows, parameters first. */
  rows: (...args: unknown[]) => Iterator<unknown[]>;
}

/** better-sqlite3 keeps the native database behind this symbol (lib/util.js), with the table() its db.table() calls. */
interface NativeDatabase {
  table(factory: () => unknown[], name: string, eponymous: boolean): void;
}

let nativeKey: symbol | undefined;

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Registers the table as db.table() would, one level lower. db.table() fills each hidden column from its
 * argument, so an unconstrained one reads NULL; here the generator writes the hidden slots itself. The
 * native call and its [sql, generator, parameter names, safeIntegers (2: the database's), directOnly] are
 * those of better-sqlite3 12.11.1's lib/methods/table.js (the version package.json pins).
 */
export function defineTable(db: Database.Database, name: string, def: TableDefinition): void {
  // The native side keeps the constrained parameters as bits of an int.
  if (def.parameters.length > 32) throw new DoqlError('internal', `${name}: more than 32 hidden columns`);
  nativeKey ??= (createRequire(import.meta.url)('better-sqlite3/lib/util.js') as { cppdb: symbol }).cppdb;
  const native = (db as unknown as Record<symbol, NativeDatabase | undefined>)[nativeKey];
  if (!native || typeof native.table !== 'function') throw new DoqlError('internal', 'better-sqlite3 has no native table() (the pinned version changed?)');
  const sql = `CREATE TABLE x(${[...def.parameters.map((p) => `${quote(p)} HIDDEN`), ...def.columns.map(quote)].join(', ')});`;
  const definition = [sql, def.rows, [...def.parameters], 2, false];
  native.table(() => definition, name, true);
}
