// SQL cursors, as drivers' server-side cursors use them: DECLARE name CURSOR FOR SELECT …, FETCH [FORWARD n] FROM
// name, MOVE, CLOSE. The SELECT runs to completion at DECLARE (its rows are fetched from the API in rounds,
// like any other), and FETCH hands them out in batches; every direction Postgres has works on the kept rows.
// A cursor WITHOUT HOLD ends with its transaction block, as in Postgres.
import { DoqlError } from '../errors.js';
import { identValue, isWord, significant, type Token } from '../sql/lexer.js';
import type { ResultColumn, StatementResult } from './types.js';

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

/** An identifier token's name: quoted as written, unquoted lower-cased (Postgres folds unquoted names). */
const nameOf = (t: Token | undefined): string | undefined =>
  t && (t.kind === 'quoted' || (t.kind === 'word' && !/^(from|in|all)$/i.test(t.text))) ? (t.kind === 'quoted' ? identValue(t) : t.text.toLowerCase()) : undefined;

type Direction = { kind: 'relative-rows'; count: number } | { kind: 'absolute'; row: number } | { kind: 'relative'; offset: number };

const ALL = Number.MAX_SAFE_INTEGER;

/** Reads FETCH/MOVE's direction at toks[i]; returns it and the index after it. */
function readDirection(toks: Token[], i: number): { direction: Direction; next: number } {
  const count = (t: Token | undefined, sign = 1): number | undefined => {
    if (isWord(t, 'ALL')) return sign * ALL;
    if (t?.kind === 'number' && /^\d+$/.test(t.text)) return sign * Number(t.text);
    return undefined;
  };
  const signed = (j: number): { n: number; next: number } | undefined => {
    const negative = toks[j]?.kind === 'op' && toks[j].text === '-';
    const t = toks[negative ? j + 1 : j];
    if (t?.kind !== 'number' || !/^\d+$/.test(t.text)) return undefined;
    return { n: (negative ? -1 : 1) * Number(t.text), next: negative ? j + 2 : j + 1 };
  };
  const t = toks[i];
  const word = t?.kind === 'word' ? t.text.toUpperCase() : '';
  switch (word) {
    case 'NEXT':
      return { direction: { kind: 'relative-rows', count: 1 }, next: i + 1 };
    case 'PRIOR':
      return { direction: { kind: 'relative-rows', count: -1 }, next: i + 1 };
    case 'FIRST':
      return { direction: { kind: 'absolute', row: 1 }, next: i + 1 };
    case 'LAST':
      return { direction: { kind: 'absolute', row: -1 }, next: i + 1 };
    case 'ALL':
      return { direction: { kind: 'relative-rows', count: ALL }, next: i + 1 };
    case 'ABSOLUTE':
    case 'RELATIVE': {
      const n = signed(i + 1);
      if (!n) throw syntax(`${word} needs a row count, e.g. FETCH ${word} 5 FROM c`);
      return { direction: word === 'ABSOLUTE' ? { kind: 'absolute', row: n.n } : { kind: 'relative', offset: n.n }, next: n.next };
    }
    case 'FORWARD':
    case 'BACKWARD': {
      const sign = word === 'FORWARD' ? 1 : -1;
      const c = count(toks[i + 1], sign);
      if (c !== undefined) return { direction: { kind: 'relative-rows', count: c }, next: i + 2 };
      const n = signed(i + 1);
      if (n) return { direction: { kind: 'relative-rows', count: sign * n.n }, next: n.next };
      return { direction: { kind: 'relative-rows', count: sign }, next: i + 1 };
    }
    default: {
      const n = signed(i);
      if (n) return { direction: { kind: 'relative-rows', count: n.n }, next: n.next };
      return { direction: { kind: 'relative-rows', count: 1 }, next: i };
    }
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

  /** The end of a transaction block closes the cursors declared WITHOUT HOLD. */
  endTransaction(): void {
    for (const [name, c] of this.open) if (!c.holdable) this.open.delete(name);
  }

  /**
   * Runs DECLARE, FETCH, MOVE or CLOSE. `query` runs a DECLARE's SELECT (with the statement's parameters);
   * `inBlock` says whether a transaction block is open.
   */
  async run(text: string, tokens: Token[], inBlock: boolean, query: (sql: string) => Promise<StatementResult>): Promise<StatementResult> {
    const toks = significant(tokens).filter((t) => t.text !== ';');
    const verb = toks[0]?.text.toUpperCase();
    const done = (command: string): StatementResult => ({ kind: 'command', columns: [], rows: [], command });
    if (verb === 'CLOSE') {
      if (isWord(toks[1], 'ALL') && toks.length === 2) {
        this.open.clear();
        return done('CLOSE CURSOR');
      }
      const name = nameOf(toks[1]);
      if (!name || toks.length !== 2) throw syntax('expected CLOSE name or CLOSE ALL');
      if (!this.open.delete(name)) throw notFound(name);
      return done('CLOSE CURSOR');
    }
    if (verb === 'DECLARE') return this.declare(text, toks, inBlock, query);
    // FETCH / MOVE [direction] [FROM | IN] name
    const { direction, next } = readDirection(toks, 1);
    const at = isWord(toks[next], 'FROM', 'IN') ? next + 1 : next;
    const name = nameOf(toks[at]);
    if (!name || toks.length !== at + 1) throw syntax(`expected ${verb} [FORWARD n | NEXT | ALL | …] FROM cursor_name`);
    const cursor = this.open.get(name);
    if (!cursor) throw notFound(name);
    const rows = this.move(cursor, direction);
    if (verb === 'MOVE') return done(`MOVE ${rows.length}`);
    return { kind: 'rows', columns: cursor.result.columns, rows, command: `FETCH ${rows.length}` };
  }

  private async declare(text: string, toks: Token[], inBlock: boolean, query: (sql: string) => Promise<StatementResult>): Promise<StatementResult> {
    const name = nameOf(toks[1]);
    if (!name) throw syntax('expected DECLARE name CURSOR FOR SELECT …');
    let i = 2;
    let binary = false;
    let scrollable = true;
    let holdable = false;
    for (; toks[i] && !isWord(toks[i], 'CURSOR'); i++) {
      if (isWord(toks[i], 'BINARY')) binary = true;
      else if (isWord(toks[i], 'NO') && isWord(toks[i + 1], 'SCROLL')) {
        scrollable = false;
        i++;
      } else if (!isWord(toks[i], 'SCROLL', 'INSENSITIVE', 'ASENSITIVE')) throw syntax(`unexpected "${toks[i].text}" in DECLARE`);
    }
    i++; // CURSOR
    if (isWord(toks[i], 'WITH', 'WITHOUT') && isWord(toks[i + 1], 'HOLD')) {
      holdable = isWord(toks[i], 'WITH');
      i += 2;
    }
    if (!isWord(toks[i], 'FOR') || !toks[i + 1]) throw syntax('expected DECLARE name CURSOR FOR SELECT …');
    if (this.open.has(name)) throw new DoqlError('validation', `cursor "${name}" already exists`, { sqlState: '42P03' });
    if (!holdable && !inBlock) {
      throw new DoqlError('validation', 'DECLARE CURSOR can only be used in transaction blocks', {
        sqlState: '25P01',
        hint: 'Run BEGIN first, or declare the cursor WITH HOLD.',
      });
    }
    if (binary) throw new DoqlError('validation', 'BINARY cursors are not supported: fetch in binary format with the extended protocol instead', { sqlState: '0A000' });
    const statement = text.slice(toks[i + 1].start).replace(/;\s*$/, '');
    const result = await query(statement);
    if (result.kind !== 'rows' || result.copy) throw new DoqlError('validation', 'a cursor is declared FOR a SELECT (or VALUES)', { sqlState: '42601' });
    this.open.set(name, { name, statement: text.trim(), holdable, binary, scrollable, created: new Date().toISOString(), result, position: 0 });
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
