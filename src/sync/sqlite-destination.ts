// `doql sync --to FILE`: snapshots in a SQLite file (dates as ISO-8601 text, booleans 0/1, JSON as text).
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { DoqlError } from '../errors.js';
import type { SyncColumn, SyncType } from './plan.js';
import { quoteIdent, writeAll, type Destination, type Snapshot, type TableWriter } from './destination.js';

const TYPES: Record<SyncType, string> = { text: 'TEXT', integer: 'INTEGER', real: 'REAL', boolean: 'INTEGER', json: 'TEXT', timestamp: 'TEXT' };

export function openSqlite(file: string): Destination {
  const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  let db: Database.Database;
  try {
    db = new Sqlite(file);
    db.pragma('journal_mode = WAL');
  } catch (err) {
    throw new DoqlError('usage', `--to ${file}: cannot open it as a SQLite database: ${(err as Error).message}`);
  }
  const begin = async (table: string, columns: SyncColumn[], s: Snapshot): Promise<TableWriter> => {
    const t = quoteIdent(table);
    const rollback = (): void => {
      if (db.inTransaction) db.exec('ROLLBACK');
    };
    let insert: Database.Statement;
    try {
      db.exec('BEGIN');
      const all = [...columns.map((c) => `${quoteIdent(c.name)} ${TYPES[c.type]}`), 'context TEXT NOT NULL', 'synced_at TEXT NOT NULL'];
      db.exec(`CREATE TABLE IF NOT EXISTS ${t} (${all.join(', ')})`);
      db.exec(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table}_snapshot`)} ON ${t} (context, synced_at)`);
      const have = new Set(db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]);
      for (const c of columns) if (!have.has(c.name)) db.exec(`ALTER TABLE ${t} ADD COLUMN ${quoteIdent(c.name)} ${TYPES[c.type]}`);
      if (s.mode === 'replace') for (const c of s.contexts ?? [s.context]) db.prepare(`DELETE FROM ${t} WHERE context = ?`).run(c);
      const names = [...columns.map((c) => quoteIdent(c.name)), 'context', 'synced_at'];
      insert = db.prepare(`INSERT INTO ${t} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`);
    } catch (err) {
      rollback();
      throw err;
    }
    const at = s.syncedAt.toISOString();
    // A failed insert is kept for commit() to report: add() is called from the fetch as pages arrive.
    let failure: unknown;
    return {
      add(rows, context) {
        if (failure !== undefined) return;
        try {
          rows.forEach((r, i) => insert.run(...r.map((v) => (typeof v === 'boolean' ? Number(v) : v)), typeof context === 'string' ? context : context[i], at));
        } catch (err) {
          failure = err;
        }
      },
      async commit() {
        if (failure !== undefined) throw failure;
        db.exec('COMMIT');
      },
      async rollback() {
        rollback();
      },
    };
  };
  return {
    label: file,
    begin,
    write: (table, columns, rows, s) => writeAll(begin, table, columns, rows, s),
    async close(): Promise<void> {
      db.close();
    },
  };
}
