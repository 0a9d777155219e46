// -o text: psql's unaligned output (`psql -A`): values as they are, separated by `|`, a header line unless
// --no-header, no footer. For escaped, tab-separated values use -o tsv.
import type { Formatter } from './formatter.js';
import { cellText } from './values.js';

export const textFormatter: Formatter = {
  format(result, options) {
    if (result.kind !== 'rows') return '';
    const lines: string[] = [];
    if (options.header) lines.push(result.columns.map((c) => c.name).join('|'));
    for (const r of result.rows) lines.push(r.map((v) => cellText(v, options.null)).join('|'));
    return lines.length ? `${lines.join('\n')}\n` : '';
  },
};
