// A Session over an in-memory SQLite database, for the wire server's tests: real SQL, real errors, no doql engine.
import Database from 'better-sqlite3';
import type { SqlType } from '../../src/catalog/types.js';
import type { CellValue, ExecuteOptions, ResultColumn, Session, StatementResult } from '../../src/engine/types.js';
import { DoqlError } from '../../src/errors.js';

export interface SqliteSession extends Session {
  readonly db: Database.Database;
  /** Every SQL text execute() was called with, in order. */
  readonly executed: string[];
  closed: boolean;
}

export interface SqliteSessionOptions {
  /** SQL run once at creation (tables, rows). */
  setup?: string;
  /** Called when a `select pg_sleep(n)` starts, so that tests can cancel it mid-flight. */
  onSleep?: () => void;
}

/** Declared column type → doql's SqlType; expressions (no declared type) are typed from their first value. */
function sqlType(declared: string | null, sample: unknown): SqlType {
  const t = (declared ?? '').toUpperCase();
  if (t.includes('BOOL')) return 'BOOLEAN';
  if (t.includes('JSON')) return 'JSON';
  if (t.includes('INT')) return 'INTEGER';
  if (/REAL|FLOA|DOUB|NUMERIC/.test(t)) return 'REAL';
  if (t !== '') return 'TEXT';
  if (typeof sample === 'bigint') return 'INTEGER';
  if (typeof sample === 'number') return 'REAL';
  return 'TEXT';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = (): void => {
      clearTimeout(timer);
      reject(new DoqlError('cancelled', 'canceling statement due to user request'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', cancelled);
      resolve();
    }, ms);
    if (signal?.aborted) cancelled();
    signal?.addEventListener('abort', cancelled, { once: true });
  });
}

function toDoqlError(err: unknown): DoqlError {
  const message = err instanceof Error ? err.message : String(err);
  if (/no such (table|column)/.test(message)) return new DoqlError('not_found', message);
  if (/syntax error|incomplete input/.test(message)) return new DoqlError('parse', message, { hint: 'Check the SQL.' });
  return new DoqlError('validation', message);
}

function commandTag(sql: string, changes: number): string {
  const words = sql.trim().split(/\s+/).map((w) => w.toUpperCase());
  const verb = words[0] ?? '';
  if (verb === 'INSERT') return `INSERT 0 ${changes}`;
  if (verb === 'UPDATE' || verb === 'DELETE') return `${verb} ${changes}`;
  if (verb === 'CREATE' || verb === 'DROP') return `${verb} ${words[1] ?? ''}`;
  return verb;
}

async function runOne(db: Database.Database, sql: string, options: ExecuteOptions, opts: SqliteSessionOptions): Promise<StatementResult> {
  const sleepMatch = /^\s*select\s+pg_sleep\(\s*([\d.]+)\s*\)\s*$/i.exec(sql);
  if (sleepMatch) {
    opts.onSleep?.();
    await sleep(Number(sleepMatch[1]) * 1000, options.signal);
    return { kind: 'rows', columns: [{ name: 'pg_sleep', type: 'TEXT' }], rows: [['']], command: 'SELECT 1' };
  }
  // Postgres' $1 becomes SQLite's @p1; the wire server passes every parameter as a string or null.
  const text = sql.replace(/\$(\d+)/g, '@p$1');
  const named = Object.fromEntries((options.params ?? []).map((value, i) => [`p${i + 1}`, value ?? null]));
  const params = /@p\d/.test(text) ? [named] : [];
  let statement: Database.Statement;
  try {
    statement = db.prepare(text);
  } catch (err) {
    throw toDoqlError(err);
  }
  statement.safeIntegers(true);
  try {
    if (!statement.reader) {
      const info = statement.run(...params);
      return { kind: 'command', columns: [], rows: [], command: commandTag(sql, info.changes) };
    }
    const raw = statement.raw(true).all(...params) as unknown[][];
    const columns: ResultColumn[] = statement.columns().map((c, i) => ({ name: c.name, type: sqlType(c.type, raw[0]?.[i]) }));
    const rows = raw.map((row) =>
      row.map((value, i): CellValue => {
        if (value === null || value === undefined) return null;
        if (columns[i]?.type === 'BOOLEAN') return Number(value) !== 0;
        return value as CellValue;
      }),
    );
    return { kind: 'rows', columns, rows, command: `SELECT ${rows.length}` };
  } catch (err) {
    throw toDoqlError(err);
  }
}

export function createSqliteSession(opts: SqliteSessionOptions = {}): SqliteSession {
  const db = new Database(':memory:');
  if (opts.setup) db.exec(opts.setup);
  const session: SqliteSession = {
    db,
    executed: [],
    closed: false,
    async execute(sql, options = {}) {
      session.executed.push(sql);
      // Good enough for test SQL: no semicolons inside strings.
      const statements = sql.split(';').filter((s) => s.trim() !== '');
      const results: StatementResult[] = [];
      for (const statement of statements) results.push(await runOne(db, statement, options, opts));
      return results;
    },
    // SQLite's own BEGIN … COMMIT: the block a Sync keeps portals open in.
    transactionStatus: () => (db.inTransaction ? 'T' : 'I'),
    close() {
      session.closed = true;
      db.close();
    },
  };
  return session;
}
