// The batch the native virtual table (src/native/doql_columns.c) serves rows from: one buffer per scan instead of
// one JavaScript call per row and one per value. Its layout is described at the top of the C file; in short:
//   header (magic, columns, segments, ordered) · per segment (one per account): rows, context, then per column a
//   dictionary (NULL / integer / real / text entries, text as UTF-8) and each row's entry number in 0, 1, 2 or 4
//   bytes · an optional serving order (row numbers across segments). Little-endian throughout.
// A column is encoded once per fetch and kept with the fetch's converted columns (rows.ts ColumnCache), so a repeat
// of a statement only joins cached pieces.
import type { SqliteValue } from './rows.js';

export const BATCH_MAGIC = 0x31425144;
const ENTRY_BYTES = 9;
const COLUMN_HEADER_BYTES = 9;
const enum EntryType {
  Null = 0,
  Integer = 1,
  Real = 2,
  Text = 3,
}

/** One column of one fetch, dictionary-encoded. */
export interface EncodedColumn {
  /** What the C side reads: entries, width, text bytes, the entries, the text, the rows' entry numbers. */
  bytes: Buffer;
  /** The distinct values, by entry number. */
  dict: readonly SqliteValue[];
  /** Each row's entry number; null when the column has one entry (every row is entry 0). */
  codes: Uint32Array | null;
}

/**
 * A column's values dictionary-encoded. Values are told apart as a Map tells them (1n and 1 are two entries, as
 * SQLite's integer 1 and real 1.0 are two values); `table` names the table in the error a too-large integer
 * gives, which is better-sqlite3's own for its virtual tables.
 */
export function encodeColumn(values: readonly (SqliteValue | undefined)[], rows: number, table: string): EncodedColumn {
  const index = new Map<SqliteValue, number>();
  const dict: SqliteValue[] = [];
  const codes = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = values[i] ?? null;
    let code = index.get(v);
    if (code === undefined) {
      code = dict.length;
      index.set(v, code);
      dict.push(v);
    }
    codes[i] = code;
  }
  const width = dict.length <= 1 ? 0 : dict.length <= 0x100 ? 1 : dict.length <= 0x10000 ? 2 : 4;
  // A string with a lone surrogate (rare) is written from its WTF-8 bytes, found once; the others as UTF-8.
  const odd = new Map<number, Buffer>();
  let textBytes = 0;
  dict.forEach((v, k) => {
    if (typeof v !== 'string') return;
    if (wellFormed(v)) textBytes += Buffer.byteLength(v, 'utf8');
    else {
      const b = wtf8(v);
      odd.set(k, b);
      textBytes += b.length;
    }
  });
  const entriesAt = COLUMN_HEADER_BYTES;
  const textAt = entriesAt + dict.length * ENTRY_BYTES;
  const codesAt = textAt + textBytes;
  const bytes = Buffer.alloc(codesAt + rows * width);
  bytes.writeUInt32LE(dict.length, 0);
  bytes[4] = width;
  bytes.writeUInt32LE(textBytes, 5);
  let text = textAt;
  dict.forEach((v, k) => {
    const at = entriesAt + k * ENTRY_BYTES;
    if (typeof v === 'string') {
      const length = odd.get(k)?.copy(bytes, text) ?? bytes.write(v, text, 'utf8');
      bytes[at] = EntryType.Text;
      bytes.writeUInt32LE(text - textAt, at + 1);
      bytes.writeUInt32LE(length, at + 5);
      text += length;
    } else if (typeof v === 'bigint') {
      if (v > 0x7fffffffffffffffn || v < -0x8000000000000000n) throw new RangeError(`Virtual table module "${table}" yielded a bigint that was too big`);
      bytes[at] = EntryType.Integer;
      bytes.writeBigInt64LE(v, at + 1);
    } else if (typeof v === 'number') {
      bytes[at] = EntryType.Real;
      bytes.writeDoubleLE(v, at + 1);
    } else {
      bytes[at] = EntryType.Null;
    }
  });
  // Entry numbers as the host lays them out (little-endian: native-rows.ts uses the batch on such hosts only).
  if (width === 1) bytes.set(codes, codesAt);
  else if (width === 2) bytes.set(new Uint8Array(new Uint16Array(codes).buffer), codesAt);
  else if (width === 4) bytes.set(new Uint8Array(codes.buffer), codesAt);
  return { bytes, dict, codes: width === 0 ? null : codes };
}

/** A column of NULLs (one that the statement does not read), for any number of rows. */
export const NULL_COLUMN: Buffer = (() => {
  const b = Buffer.alloc(COLUMN_HEADER_BYTES + ENTRY_BYTES);
  b.writeUInt32LE(1, 0);
  b[COLUMN_HEADER_BYTES] = EntryType.Null;
  return b;
})();

/** One account's rows: its context and each visible column's encoding (declared order). */
export interface Segment {
  context: string;
  rows: number;
  columns: readonly Buffer[];
}

/** The batch of `segments`, served in `order` (row numbers across the segments) when one is given. */
export function assembleBatch(columns: number, segments: readonly Segment[], order: Uint32Array | null): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32LE(BATCH_MAGIC, 0);
  header.writeUInt32LE(columns, 4);
  header.writeUInt32LE(segments.length, 8);
  header.writeUInt32LE(order ? order.length : 0, 12);
  const parts: Uint8Array[] = [header];
  for (const s of segments) {
    if (s.columns.length !== columns) throw new Error(`a segment of ${s.columns.length} columns in a batch of ${columns}`);
    const context = Buffer.from(s.context, 'utf8');
    const head = Buffer.alloc(8);
    head.writeUInt32LE(s.rows, 0);
    head.writeUInt32LE(context.length, 4);
    parts.push(head, context, ...s.columns);
  }
  if (order) parts.push(new Uint8Array(order.buffer, order.byteOffset, order.byteLength));
  return Buffer.concat(parts);
}

/** A group key's values in one segment: a dictionary and each row's entry (null: every row is entry 0). */
export interface KeyValues {
  dict: readonly SqliteValue[];
  codes: Uint32Array | null;
}

/** How SQLite wants a scan's rows: equal keys adjacent; for a GROUP BY, the groups sorted as its sorter would. */
export interface Grouping {
  /** Groups in key order (a GROUP BY: SQLite's result comes out in it), or in order of first appearance (a DISTINCT). */
  sorted: boolean;
  /** Per key, whether it sorts descending. */
  descending: readonly boolean[];
}

/**
 * An order of the rows of `segments` (numbered across them) in which rows with equal keys are adjacent, as
 * SQLite's GROUP BY and DISTINCT compare them: NULLs equal, text by its bytes, an integer equal to the real
 * of the same value. Each group's rows keep their own order (SQLite's sorter kept equal keys in arrival order,
 * so results that depend on the order within a group do not change); the groups come sorted by key as SQLite
 * sorts (NULL, numbers, text by bytes) when `grouping.sorted`, else in order of first appearance. Any number of
 * groups. null when every row has the same key (any order will do).
 */
export function groupedOrder(segments: readonly { rows: number; keys: readonly KeyValues[] }[], grouping: Grouping): Uint32Array | null {
  let total = 0;
  for (const s of segments) total += s.rows;
  const keyCount = segments[0]?.keys.length ?? 0;
  // Each distinct value of a key, as SQLite compares them, gets a number (per segment, a table from entry to number).
  const values: SqliteValue[][] = [];
  const tables: Int32Array[][] = segments.map(() => []);
  for (let k = 0; k < keyCount; k++) {
    const ids = new Map<unknown, number>();
    const distinct: SqliteValue[] = [];
    segments.forEach((s, si) => {
      const { dict } = s.keys[k];
      const table = new Int32Array(dict.length);
      for (let d = 0; d < dict.length; d++) {
        const key = sqliteEquality(dict[d]);
        let n = ids.get(key);
        if (n === undefined) {
          ids.set(key, (n = ids.size));
          distinct.push(dict[d]);
        }
        table[d] = n;
      }
      tables[si].push(table);
    });
    values.push(distinct);
  }
  // Each row's group, numbered in order of first appearance, and the first row of each.
  const group = new Int32Array(total);
  const first: number[] = [];
  const widths = values.map((v) => v.length);
  const combinations = widths.reduce((a, b) => a * b, 1);
  // Few combinations of key values (the usual GROUP BY): a row's key numbers make one number, looked up in an
  // array; otherwise in a Map. One pass over the rows either way: each pass is a loop compiled while it runs.
  const dense = combinations <= 1 << 22 ? new Int32Array(combinations).fill(-1) : null;
  const sparse = dense ? null : new Map<string, number>();
  let base = 0;
  segments.forEach((s, si) => {
    const codes = s.keys.map((key) => key.codes);
    const table = tables[si];
    for (let i = 0; i < s.rows; i++) {
      let g: number | undefined;
      if (dense) {
        let c = 0;
        for (let k = 0; k < keyCount; k++) {
          const code = codes[k];
          c = c * widths[k] + table[k][code ? code[i] : 0];
        }
        g = dense[c];
        if (g < 0) {
          dense[c] = g = first.length;
          first.push(base + i);
        }
      } else {
        let c = '';
        for (let k = 0; k < keyCount; k++) {
          const code = codes[k];
          c += `${table[k][code ? code[i] : 0]},`;
        }
        g = sparse!.get(c);
        if (g === undefined) {
          sparse!.set(c, (g = first.length));
          first.push(base + i);
        }
      }
      group[base + i] = g;
    }
    base += s.rows;
  });
  const range = first.length;
  if (range <= 1) return null;
  // Where each group goes: its number (first appearance), or its place among the groups sorted by key.
  let place: Int32Array | null = null;
  if (grouping.sorted) {
    // Each group's key numbers, from its first row, as ranks in SQLite's order of each key's values.
    const ranks = values.map(ranked);
    const keyRank = new Int32Array(range * keyCount);
    let si = 0;
    let start = 0;
    first.forEach((row, g) => {
      for (si = 0, start = 0; row >= start + segments[si].rows; si++) start += segments[si].rows;
      for (let k = 0; k < keyCount; k++) {
        const code = segments[si].keys[k].codes;
        keyRank[g * keyCount + k] = ranks[k][tables[si][k][code ? code[row - start] : 0]];
      }
    });
    const groups = Array.from({ length: range }, (_, g) => g);
    groups.sort((a, b) => {
      for (let k = 0; k < keyCount; k++) {
        const d = keyRank[a * keyCount + k] - keyRank[b * keyCount + k];
        if (d !== 0) return grouping.descending[k] ? -d : d;
      }
      return 0;
    });
    place = new Int32Array(range);
    groups.forEach((g, at) => (place![g] = at));
  }
  // A counting sort by place keeps each group's rows in order.
  const start = new Uint32Array(range + 1);
  if (place) for (let i = 0; i < total; i++) start[place[group[i]] + 1]++;
  else for (let i = 0; i < total; i++) start[group[i] + 1]++;
  for (let g = 0; g < range; g++) start[g + 1] += start[g];
  const order = new Uint32Array(total);
  if (place) for (let i = 0; i < total; i++) order[start[place[group[i]]]++] = i;
  else for (let i = 0; i < total; i++) order[start[group[i]]++] = i;
  return order;
}

/** Each value's rank among `values` (distinct as SQLite compares them) in SQLite's order. */
function ranked(values: readonly SqliteValue[]): Int32Array {
  const byOrder = values.map((_, i) => i).sort((a, b) => sqliteCompare(values[a], values[b]));
  const rank = new Int32Array(values.length);
  byOrder.forEach((v, r) => (rank[v] = r));
  return rank;
}

/** SQLite's order of two values under BINARY collation: NULL, then numbers by value, then text by UTF-8 bytes. */
function sqliteCompare(a: SqliteValue, b: SqliteValue): number {
  const ca = a === null ? 0 : typeof a === 'string' ? 2 : 1;
  const cb = b === null ? 0 : typeof b === 'string' ? 2 : 1;
  if (ca !== cb || ca === 0) return ca - cb;
  if (ca === 2) {
    const x = a as string;
    const y = b as string;
    // UTF-16 order is UTF-8 byte order except where surrogates meet U+E000..U+FFFF.
    if (/[\uD800-\uFFFF]/.test(x) || /[\uD800-\uFFFF]/.test(y)) return Buffer.compare(textBytesOf(x), textBytesOf(y));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = sqliteEquality(a) as number | bigint;
  const y = sqliteEquality(b) as number | bigint;
  // A bigint against a non-integral (or huge) real: as reals (beyond 2^53 no real has a fraction).
  if (typeof x !== typeof y) return Number(x) < Number(y) ? -1 : Number(x) > Number(y) ? 1 : 0;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A value standing for all the values SQLite finds equal to `v` (Map keys compare as SameValueZero). */
function sqliteEquality(v: SqliteValue): unknown {
  // An integral real equals the integer of its value; another real equals no integer. Text is equal when its
  // bytes are, and its bytes (wtf8) differ when the strings do.
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? BigInt(v) : v;
}

/** Whether a string has no lone surrogate (Node 20 has isWellFormed; TypeScript's ES2022 library does not). */
const wellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * The bytes better-sqlite3 hands SQLite for a string (V8's UTF-8): UTF-8, except that a lone surrogate is written
 * as the three bytes of its code unit (WTF-8), not as U+FFFD. Only strings that have one come here.
 */
function wtf8(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Buffer.from(out);
}

/** A string's bytes as SQLite holds them. */
const textBytesOf = (s: string): Buffer => (wellFormed(s) ? Buffer.from(s, 'utf8') : wtf8(s));
