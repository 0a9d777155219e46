// -o csv (engine/csv.ts: RFC 4180 quoting; NULL an empty field, '' a quoted "") and -o tsv (tabs, newlines and backslashes escaped).
import type { CellValue } from '../../engine/types.js';
import type { Formatter, FormatOptions } from './formatter.js';
import { cellText } from './values.js';
import { csvLines } from '../../engine/csv.js';

function tsvText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function tsvCell(v: CellValue, options: FormatOptions): string {
  // --null's text is written as given (`--null '\N'` is COPY's text format).
  if (v === null || v === undefined) return options.null ?? '';
  return tsvText(cellText(v));
}

function delimited(sep: string, head: (s: string) => string, cell: (v: CellValue, options: FormatOptions) => string): Formatter {
  return {
    format(result, options) {
      if (result.kind !== 'rows') return '';
      const lines: string[] = [];
      if (options.header) lines.push(result.columns.map((c) => head(c.name)).join(sep));
      for (const r of result.rows) lines.push(r.map((v) => cell(v, options)).join(sep));
      return lines.length ? `${lines.join('\n')}\n` : '';
    },
  };
}

export const csvFormatter: Formatter = {
  format(result, options) {
    if (result.kind !== 'rows') return '';
    const records: (string | null)[][] = options.header ? [result.columns.map((c) => c.name)] : [];
    for (const r of result.rows) records.push(r.map((v) => (v === null || v === undefined ? null : cellText(v))));
    return csvLines(records, { delimiter: ',', quote: '"', escape: '"', null: options.null ?? '', quoteEmpty: true }).join('');
  },
};
export const tsvFormatter = delimited('\t', tsvText, tsvCell);
