// Where `doql sync` writes: the one interface both destinations (a SQLite file, PostgreSQL) implement, and the choice between them.
import { DoqlError } from '../errors.js';
import type { CellValue } from '../engine/types.js';
import type { SyncColumn } from './plan.js';

export type SyncMode = 'append' | 'replace';

export interface Snapshot {
  /** The context of every row, unless rowContexts says otherwise. */
  context: string;
  /** Each row's own context (a sync over several accounts: the row's `context` column). */
  rowContexts?: readonly string[];
  /** The accounts this snapshot covers: replace mode deletes their earlier rows (default: [context]). */
  contexts?: readonly string[];
  syncedAt: Date;
  mode: SyncMode;
}

export interface Destination {
  /** Shown in messages: the file, or the Postgres URL without its password. */
  readonly label: string;
  /**
   * Writes one resource in one transaction: creates the table or adds the columns it lacks (never drops any),
   * in replace mode deletes the context's earlier rows, then inserts. On any failure nothing of it stays.
   */
  write(table: string, columns: SyncColumn[], rows: CellValue[][], snapshot: Snapshot): Promise<void>;
  close(): Promise<void>;
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** `postgres://…` / `postgresql://…` is PostgreSQL; anything else a SQLite file path. */
export async function openDestination(to: string): Promise<Destination> {
  if (/^postgres(ql)?:\/\//i.test(to)) {
    const { openPostgres } = await import('./postgres-destination.js');
    return openPostgres(to);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(to)) throw new DoqlError('usage', `--to ${to.replace(/\/\/[^@/]*@/, '//…@')}: only a SQLite file path or a postgres:// URL`);
  const { openSqlite } = await import('./sqlite-destination.js');
  return openSqlite(to);
}
