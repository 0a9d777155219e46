// -o text: space-separated values, one row a line, for shell pipelines (`| while read id name`).
import type { Formatter } from './formatter.js';
import { cellText } from './values.js';

export const textFormatter: Formatter = {
  format(result, options) {
    if (result.kind !== 'rows') return '';
    const lines: string[] = [];
    if (options.header) lines.push(result.columns.map((c) => c.name).join('\t'));
    for (const r of result.rows) lines.push(r.map((v) => cellText(v).replace(/\s*\n\s*/g, ' ')).join('\t'));
    return lines.length ? `${lines.join('\n')}\n` : '';
  },
};
