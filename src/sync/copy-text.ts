// The rows of one resource as the text format of Postgres's COPY FROM STDIN: a tab between fields, a newline after
// each row, \N for NULL, and a backslash before a backslash, tab, newline or carriage return inside a value.
import { copyTextField as copyText } from '../engine/copy-out.js';
import type { CellValue } from '../engine/types.js';
import type { SyncType } from './plan.js';

/** A cell as COPY reads it for the column's type (JSON columns are JSON text already, read by jsonb's input). */
export function copyCell(v: CellValue, type: SyncType): string {
  if (v === null) return '\\N';
  // An unparseable date would fail the whole resource; the API documents these as ISO 8601, so this is a guard.
  if (type === 'timestamp') return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? copyText(v) : '\\N';
  switch (typeof v) {
    case 'string':
      return copyText(v);
    case 'number':
      if (type === 'boolean') return v !== 0 ? 't' : 'f';
      // As a JSON number (the earlier INSERT's way) a non-finite number was null; no column type reads it from the API.
      return Number.isFinite(v) ? String(v) : '\\N';
    case 'boolean':
      return type === 'boolean' ? (v ? 't' : 'f') : String(v);
    default:
      return v.toString();
  }
}

/** Rows per chunk: COPY's text for about a megabyte of wide rows, built while the server reads the last chunk. */
const CHUNK_ROWS = 500;

/** The COPY text of `rows`, a chunk at a time, each row ending with its context and the snapshot's time. */
export function* copyRows(types: readonly SyncType[], rows: readonly CellValue[][], context: string | readonly string[], syncedAt: Date): Generator<string> {
  const tail = `\t${copyText(syncedAt.toISOString())}\n`;
  const one = typeof context === 'string' ? copyText(context) : undefined;
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    let chunk = '';
    const end = Math.min(start + CHUNK_ROWS, rows.length);
    for (let i = start; i < end; i++) {
      const row = rows[i];
      let line = '';
      for (let k = 0; k < types.length; k++) line += `${copyCell(row[k], types[k])}\t`;
      chunk += line + (one ?? copyText((context as readonly string[])[i])) + tail;
    }
    yield chunk;
  }
}
