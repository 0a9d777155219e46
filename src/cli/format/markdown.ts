// -o markdown: a GitHub-flavoured Markdown table.
import type { Formatter } from './formatter.js';
import { cellText } from './values.js';

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

export const markdownFormatter: Formatter = {
  format(result, options) {
    if (result.kind !== 'rows') return '';
    const head = `| ${result.columns.map((c) => mdCell(c.name)).join(' | ')} |`;
    const rule = `|${result.columns.map((c) => (c.type === 'INTEGER' || c.type === 'REAL' ? '---:' : ':---')).join('|')}|`;
    const body = result.rows.map((r) => `| ${r.map((v) => mdCell(cellText(v, options.null))).join(' | ')} |`);
    return `${[head, rule, ...body].join('\n')}\n`;
  },
};
