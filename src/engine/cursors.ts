// SQL cursors, as drivers' server-side cursors use them: DECLARE name CURSOR FOR SELECT …, FETCH [FORWARD n] FROM
// name, MOVE, CLOSE. The SELECT runs to completion at DECLARE (its rows are fetched from the API in rounds,
// like any other), and FETCH hands them out in batches; every direction Postgres has works on the kept rows.
// A cursor WITHOUT HOLD ends with its transaction block, as in Postgres.
import { DoqlError } from '../errors.js';
import type { DeclareCursorStmt, FetchStmt, Node } from '@pgsql/types';
import type { ResultColumn, StatementResult } from './types.js';
import { nextMark, type Block } from './transaction-block.js';

interface Cursor {
  name: string;
  statement: string;
  holdable: boolean;
  binary: boolean;
  scrollable: boolean;
  created: string;
  result: StatementResult;
  /** 0 before the first row, n + 1 after the last (Postgres' cursor positions). */
  position: number;
  /** Its block's mark at DECLARE (transaction-block.ts), until the block commits; undefined outside a block. */
  mark?: number;
}

/** What pg_cursors shows of a cursor. */
export interface CursorInfo {
  name: string;
  statement: string;
  is_holdable: boolean;
  is_binary: boolean;
  is_scrollable: boolean;
  creation_time: string;
}

const notFound = (name: string): DoqlError => new DoqlError('not_found', `cursor "${name}" does not exist`, { sqlState: '34000' });
const syntax = (message: string): DoqlError => new DoqlError('parse', message, { sqlState: '42601' });

type Direction = { kind: 'relative-rows'; count: number } | { kind: 'absolute'; row: number } | { kind: 'relative'; offset: number };

const ALL = Number.MAX_SAFE_INTEGER;

/** DeclareCursorStmt's option bits (Postgres's CURSOR_OPT_*). */
const OPT_BINARY = 0x1;
const OPT_NO_SCROLL = 0x4;
const OPT_HOLD = 0x20;

/** FETCH/MOVE's direction from the tree: NEXT is FORWARD 1, PRIOR BACKWARD 1, FIRST ABSOLUTE 1, LAST ABSOLUTE -1. */
function directionOf(fetch: FetchStmt): Direction {
  // The grammar gives ALL as INT_MAX; a count of 0 is left out of the tree.
  const raw = Number(fetch.howMany ?? 0);
  const n = raw >= 2147483647 ? ALL : raw;
  switch (fetch.direction) {
    case 'FETCH_BACKWARD':
      return { kind: 'relative-rows', count: -n };
    case 'FETCH_ABSOLUTE':
      return { kind: 'absolute', row: n };
    case 'FETCH_RELATIVE':
      return { kind: 'relative', offset: n };
    default:
      return { kind: 'relative-rows', count: n };
  }
}

export class Cursors {
  private readonly open = new Map<string, Cursor>();

  /** The cursors pg_cursors lists. */
  list(): CursorInfo[] {
    return [...this.open.values()].map((c) => ({
      name: c.name,
      statement: c.statement,
      is_holdable: c.holdable,
      is_binary: c.binary,
      is_scrollable: c.scrollable,
      creation_time: c.created,
    }));
  }

  /** A cursor's columns (a client's Describe of the portal the cursor is), or undefined when there is none. */
  columns(name: string): ResultColumn[] | undefined {
    return this.open.get(name)?.result.columns;
  }

  /** Every open cursor's columns, by name (what a wire server outside this process needs to Describe them). */
  describeAll(): Record<string, ResultColumn[]> {
    return Object.fromEntries([...this.open].map(([name, c]) => [name, c.result.columns]));
  }

  /** Drops every cursor: the process now serves a session that declared none. */
  clear(): void {
    this.open.clear();
  }

  /**
   * The end of a transaction block closes the cursors declared WITHOUT HOLD; a ROLLBACK also those declared WITH
   * HOLD in the block (Postgres keeps a holdable cursor only once its transaction commits).
   */
  endTransaction(committed: boolean): void {
    for (const [name, c] of this.open) {
      if (!c.holdable || (!committed && c.mark !== undefined)) this.open.delete(name);
      else c.mark = undefined;
    }
  }

  /** ROLLBACK TO a savepoint closes the cursors declared after it (`mark`: the savepoint's), as in Postgres. */
  rollbackTo(mark: number): void {
    for (const [name, c] of this.open) if (c.mark !== undefined && c.mark > mark) this.open.delete(name);
  }

  /**
   * Runs DECLARE, FETCH, MOVE or CLOSE from its tree (`text` is what pg_cursors shows). `query` runs a DECLARE's
   * SELECT (with the statement's parameters); `block` is the open transaction block, if any.
   */
  async run(text: string, stmt: Node, block: Block | undefined, query: (select: Node) => Promise<StatementResult>): Promise<StatementResult> {
    const done = (command: string): StatementResult => ({ kind: 'command', columns: [], rows: [], command });
    if ('ClosePortalStmt' in stmt) {
      const name = stmt.ClosePortalStmt.portalname;
      if (name === undefined) this.open.clear();
      else if (!this.open.delete(name)) throw notFound(name);
      return done('CLOSE CURSOR');
    }
    if ('DeclareCursorStmt' in stmt) return this.declare(text, stmt.DeclareCursorStmt, block, query);
    if (!('FetchStmt' in stmt)) throw syntax('expected DECLARE, FETCH, MOVE or CLOSE');
    const fetch = stmt.FetchStmt;
    const name = fetch.portalname ?? '';
    const cursor = this.open.get(name);
    if (!cursor) throw notFound(name);
    const rows = this.move(cursor, directionOf(fetch));
    if (fetch.ismove) return done(`MOVE ${rows.length}`);
    return { kind: 'rows', columns: cursor.result.columns, rows, command: `FETCH ${rows.length}` };
  }

  private async declare(text: string, declare: DeclareCursorStmt, block: Block | undefined, query: (select: Node) => Promise<StatementResult>): Promise<StatementResult> {
    const name = declare.portalname ?? '';
    const options = declare.options ?? 0;
    const binary = (options & OPT_BINARY) !== 0;
    const scrollable = (options & OPT_NO_SCROLL) === 0;
    const holdable = (options & OPT_HOLD) !== 0;
    if (this.open.has(name)) throw new DoqlError('validation', `cursor "${name}" already exists`, { sqlState: '42P03' });
    if (!holdable && !block) {
      throw new DoqlError('validation', 'DECLARE CURSOR can only be used in transaction blocks', {
        sqlState: '25P01',
        hint: 'Run BEGIN first, or declare the cursor WITH HOLD.',
      });
    }
    if (binary) throw new DoqlError('validation', 'BINARY cursors are not supported: fetch in binary format with the extended protocol instead', { sqlState: '0A000' });
    if (!declare.query || !('SelectStmt' in declare.query)) throw new DoqlError('validation', 'a cursor is declared FOR a SELECT (or VALUES)', { sqlState: '42601' });
    const result = await query(declare.query);
    if (result.kind !== 'rows' || result.copy) throw new DoqlError('validation', 'a cursor is declared FOR a SELECT (or VALUES)', { sqlState: '42601' });
    const mark = block ? nextMark(block) : undefined;
    this.open.set(name, { name, statement: text.trim(), holdable, binary, scrollable, created: new Date().toISOString(), result, position: 0, mark });
    return { kind: 'command', columns: [], rows: [], command: 'DECLARE CURSOR' };
  }

  /** Moves the cursor as Postgres does and returns the rows it passes over (FETCH's result). */
  private move(cursor: Cursor, direction: Direction): StatementResult['rows'] {
    const rows = cursor.result.rows;
    const n = rows.length;
    if (direction.kind !== 'relative-rows') {
      const target = direction.kind === 'absolute' ? (direction.row < 0 ? n + 1 + direction.row : direction.row) : cursor.position + direction.offset;
      cursor.position = Math.max(0, Math.min(n + 1, target));
      return cursor.position >= 1 && cursor.position <= n ? [rows[cursor.position - 1]] : [];
    }
    const { count } = direction;
    if (count >= 0) {
      const from = cursor.position; // rows from+1 … from+count (1-based)
      const to = Math.min(n, from + count);
      cursor.position = from + count > n ? n + 1 : to;
      if (count === 0) return cursor.position >= 1 && cursor.position <= n ? [rows[cursor.position - 1]] : [];
      return rows.slice(Math.min(from, n), to);
    }
    if (!cursor.scrollable) throw new DoqlError('validation', 'cursor can only scan forward', { sqlState: '55000', hint: 'Declare it with the SCROLL option to enable backward scan.' });
    const from = Math.min(cursor.position, n + 1);
    const to = Math.max(0, from + count); // count < 0
    cursor.position = to;
    const out: StatementResult['rows'] = [];
    for (let p = from - 1; p >= Math.max(1, to); p--) out.push(rows[p - 1]);
    return out;
  }
}
