// -o csv (RFC 4180 quoting) and -o tsv (tabs and newlines escaped).
import type { Formatter } from './formatter.js';
import { cellText } from './values.js';

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function tsvCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function delimited(sep: string, cell: (s: string) => string): Formatter {
  return {
    format(result, options) {
      if (result.kind !== 'rows') return '';
      const lines: string[] = [];
      if (options.header) lines.push(result.columns.map((c) => cell(c.name)).join(sep));
      for (const r of result.rows) lines.push(r.map((v) => cell(cellText(v))).join(sep));
      return lines.length ? `${lines.join('\n')}\n` : '';
    },
  };
}

export const csvFormatter = delimited(',', csvCell);
export const tsvFormatter = delimited('\t', tsvCell);
