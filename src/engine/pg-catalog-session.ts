// The emulated catalog's per-session tables (pg_cursors, pg_stat_activity): the catalog database is shared by every session, so
// these are views over table functions that read the rows of the session whose statement is running.
// better-sqlite3 runs a statement to completion synchronously, so one "current session" at a time is exact.
import type Database from 'better-sqlite3';
import type { CursorInfo } from './cursors.js';
import { ownActivity, type BackendView } from './backend.js';
import type { EmulatedTable } from './pg-catalog-schema.js';

/** What a session tells the catalog about itself. */
export interface SessionCatalog {
  cursors(): CursorInfo[];
  /** A setting as this session has it (application_name after SET), for current_setting(); undefined: not one of its own. */
  setting?(name: string): string | undefined;
  /** set_config(name, value, is_local): changes a setting of this session's own, answering its value now. */
  setConfig?(name: string, value: string | null, isLocal: boolean): string | null;
  /** The server this session serves a connection of; undefined on the command line. */
  backend?(): BackendView | undefined;
  /** Warnings raised by functions while a statement runs (pg_cancel_backend of no backend), for its result. */
  warnings?: string[];
}

let current: SessionCatalog | undefined;

/** The session whose statement runs now on the catalog database (undefined on a session's own database). */
export function currentSessionCatalog(): SessionCatalog | undefined {
  return current;
}

const STARTED = new Date().toISOString();

/** Runs `f` (a statement on the catalog database) with `session` as the one its per-session tables show. */
export function withSessionCatalog<T>(session: SessionCatalog | undefined, f: () => T): T {
  const before = current;
  current = session;
  try {
    return f();
  } finally {
    current = before;
  }
}

export const sessionTableFunction = (table: string): string => `pg_session_${table}`;

const ROWS: Record<string, (s: SessionCatalog) => Record<string, unknown>[]> = {
  pg_cursors: (s) => s.cursors() as unknown as Record<string, unknown>[],
  pg_stat_activity: (s) => (s.backend?.()?.activity ?? [ownActivity(STARTED)]) as unknown as Record<string, unknown>[],
};

export function registerSessionTables(db: Database.Database, tables: readonly EmulatedTable[]): void {
  for (const table of tables) {
    const rowsOf = ROWS[table.name];
    if (!rowsOf) throw new Error(`pg-catalog-session: no rows for ${table.name}`); // a bug in the table list
    const names = table.columns.map((c) => c.name);
    db.table(sessionTableFunction(table.name), {
      columns: names,
      rows: function* () {
        if (!current) return;
        for (const row of rowsOf(current)) {
          yield names.map((n) => {
            const v = row[n];
            return typeof v === 'boolean' ? Number(v) : (v as string | number | null | undefined) ?? null;
          });
        }
      },
    });
  }
}
