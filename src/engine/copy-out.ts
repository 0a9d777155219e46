// Writes a result's rows as Postgres's COPY … TO STDOUT does, in text or CSV format, one line per row.
import type { CopyOptions } from '../sql/copy.js';
import type { CellValue, StatementResult } from './types.js';
import { pgValueText } from './pg-value-text.js';

const TEXT_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' };

function textField(value: string, delimiter: string): string {
  let out = '';
  for (const ch of value) out += TEXT_ESCAPES[ch] ?? (ch === delimiter ? `\\${ch}` : ch);
  return out;
}

function csvField(value: string, o: CopyOptions, isNull: boolean): string {
  if (isNull) return o.null;
  const needsQuotes = value === o.null || value.includes(o.delimiter) || value.includes(o.quote) || /[\r\n]/.test(value) || (o.escape !== o.quote && value.includes(o.escape));
  if (!needsQuotes) return value;
  let inner = '';
  for (const ch of value) inner += ch === o.quote || ch === o.escape ? `${o.escape}${ch}` : ch;
  return `${o.quote}${inner}${o.quote}`;
}

/** The lines of the copy, each ending in a newline: the header when asked for, then one per row. */
export function copyLines(result: Pick<StatementResult, 'columns' | 'rows'>, o: CopyOptions): string[] {
  const field = (text: string | null): string =>
    o.format === 'csv' ? csvField(text ?? '', o, text === null) : text === null ? o.null : textField(text, o.delimiter);
  const lines: string[] = [];
  if (o.header) lines.push(`${result.columns.map((c) => field(c.name)).join(o.delimiter)}\n`);
  for (const row of result.rows) {
    lines.push(`${result.columns.map((c, i) => field(row[i] === null || row[i] === undefined ? null : pgValueText(row[i] as Exclude<CellValue, null>, c))).join(o.delimiter)}\n`);
  }
  return lines;
}
