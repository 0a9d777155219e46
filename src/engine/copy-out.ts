// Writes a result's rows as Postgres's COPY … TO STDOUT does, in text or CSV format, one line per row.
import type { CopyOptions } from '../sql/copy.js';
import type { CellValue, StatementResult } from './types.js';
import { pgValueText } from './pg-value-text.js';
import { csvLines } from './csv.js';

const TEXT_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' };

function textField(value: string, delimiter: string): string {
  let out = '';
  for (const ch of value) out += TEXT_ESCAPES[ch] ?? (ch === delimiter ? `\\${ch}` : ch);
  return out;
}

/** The lines of the copy, each ending in a newline: the header when asked for, then one per row. */
export function copyLines(result: Pick<StatementResult, 'columns' | 'rows'>, o: CopyOptions): string[] {
  const records: (string | null)[][] = [];
  if (o.header) records.push(result.columns.map((c) => c.name));
  for (const row of result.rows) {
    records.push(result.columns.map((c, i) => (row[i] === null || row[i] === undefined ? null : pgValueText(row[i] as Exclude<CellValue, null>, c))));
  }
  if (o.format === 'csv') return csvLines(records, o);
  return records.map((r) => `${r.map((text) => (text === null ? o.null : textField(text, o.delimiter))).join(o.delimiter)}\n`);
}
