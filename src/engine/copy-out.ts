// Writes a result's rows as Postgres's COPY … TO STDOUT does, in text or CSV format, one line per row.
import type { CopyOptions } from '../sql/copy.js';
import type { CellValue, StatementResult } from './types.js';
import { pgValueText } from './pg-value-text.js';
import { csvLines } from './csv.js';

const TEXT_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
const TEXT_SPECIAL = /[\\\n\r\t\b\f\v]/g;
const withDelimiter = new Map<string, RegExp>();

/**
 * A value as one field of COPY's text format (read by COPY FROM, written by COPY TO): a backslash before a
 * backslash, the delimiter, and the control characters that have an escape. `doql sync` writes its rows with it too.
 */
export function copyTextField(value: string, delimiter = '\t'): string {
  let special = TEXT_SPECIAL;
  if (delimiter !== '\t') {
    special = withDelimiter.get(delimiter) ?? new RegExp(`[\\\\\\n\\r\\t\\b\\f\\v${delimiter.replace(/[\\\]^-]/g, '\\$&')}]`, 'gu');
    withDelimiter.set(delimiter, special);
  }
  return value.replace(special, (ch) => TEXT_ESCAPES[ch] ?? `\\${ch}`);
}

/** The lines of the copy, each ending in a newline: the header when asked for, then one per row. */
export function copyLines(result: Pick<StatementResult, 'columns' | 'rows'>, o: CopyOptions): string[] {
  const records: (string | null)[][] = [];
  if (o.header) records.push(result.columns.map((c) => c.name));
  for (const row of result.rows) {
    records.push(result.columns.map((c, i) => (row[i] === null || row[i] === undefined ? null : pgValueText(row[i] as Exclude<CellValue, null>, c))));
  }
  if (o.format === 'csv') return csvLines(records, o);
  return records.map((r) => `${r.map((text) => (text === null ? o.null : copyTextField(text, o.delimiter))).join(o.delimiter)}\n`);
}
