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

/** One resource's rows on their way into its table, inside the transaction `Destination.begin` opened. */
export interface TableWriter {
  /** Rows in the columns' order, of one account (`context`) or each of its own (one context per row). */
  add(rows: readonly CellValue[][], context: string | readonly string[]): void;
  /** Ends the rows and commits; on failure the caller still calls rollback(). */
  commit(): Promise<void>;
  /** Undoes everything since begin: the table is as it was. */
  rollback(): Promise<void>;
}

export interface Destination {
  /** Shown in messages: the file, or the Postgres URL without its password. */
  readonly label: string;
  /**
   * Opens one resource's transaction: creates the table or adds the columns it lacks (never drops any), and in
   * replace mode deletes the snapshot's contexts' earlier rows. Rows then go in as they come (TableWriter.add).
   */
  begin(table: string, columns: SyncColumn[], snapshot: Snapshot): Promise<TableWriter>;
  /** begin, the rows, commit, in one transaction: on any failure nothing of it stays. */
  write(table: string, columns: SyncColumn[], rows: CellValue[][], snapshot: Snapshot): Promise<void>;
  close(): Promise<void>;
}

/** Destination.write over begin: every row at once (each its own context when the snapshot has rowContexts). */
export async function writeAll(begin: Destination['begin'], table: string, columns: SyncColumn[], rows: CellValue[][], s: Snapshot): Promise<void> {
  const writer = await begin(table, columns, s);
  try {
    writer.add(rows, s.rowContexts ?? s.context);
    await writer.commit();
  } catch (err) {
    await writer.rollback();
    throw err;
  }
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
