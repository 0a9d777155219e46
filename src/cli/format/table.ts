// -o table: a boxed table (cli-table3) that fits the terminal width by truncating cells; -x for records.
import type { Formatter, FormatOptions } from './formatter.js';
import { cellText } from './values.js';
import type { StatementResult } from '../../engine/types.js';

function truncate(s: string, max: number): string {
  const one = s.replace(/\s*\n\s*/g, ' ');
  if (one.length <= max) return one;
  return max <= 1 ? '…'.slice(0, max) : `${one.slice(0, max - 1)}…`;
}

/** Column widths that fit `width`: shrink the widest columns first, never below a few characters. */
export function fitWidths(natural: number[], width: number | undefined): number[] {
  const widths = [...natural];
  if (!width) return widths;
  // Each column costs its content + 2 padding + 1 border, plus the final border.
  const budget = width - 1 - widths.length * 3;
  const MIN = 3;
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > budget) {
    const max = Math.max(...widths);
    if (max <= MIN) break;
    const i = widths.indexOf(max);
    const second = Math.max(MIN, ...widths.filter((_, j) => j !== i));
    const cut = Math.min(total - budget, max - Math.max(second, MIN) || 1);
    widths[i] = Math.max(MIN, max - cut);
    total = widths.reduce((a, b) => a + b, 0);
  }
  return widths;
}

function expanded(result: StatementResult, options: FormatOptions): string {
  const nameWidth = Math.max(0, ...result.columns.map((c) => c.name.length));
  const valueWidth = options.width ? Math.max(10, options.width - nameWidth - 3) : Infinity;
  const out: string[] = [];
  result.rows.forEach((r, n) => {
    out.push(`-[ RECORD ${n + 1} ]${'-'.repeat(Math.max(0, nameWidth - 10))}`);
    result.columns.forEach((c, i) => out.push(`${c.name.padEnd(nameWidth)} | ${truncate(cellText(r[i]), valueWidth)}`));
  });
  if (result.rows.length === 0) out.push('(0 rows)');
  return `${out.join('\n')}\n`;
}

function pad(s: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - s.length));
  return right ? fill + s : s + fill;
}

export const tableFormatter: Formatter = {
  format(result, options) {
    if (result.kind !== 'rows') return '';
    if (options.expanded) return expanded(result, options);
    const texts = result.rows.map((r) => r.map((v) => cellText(v).replace(/\s*\n\s*/g, ' ')));
    const natural = result.columns.map((c, i) => Math.max(c.name.length, ...texts.map((r) => r[i].length), 1));
    const widths = fitWidths(natural, options.width);
    const right = result.columns.map((c) => c.type === 'INTEGER' || c.type === 'REAL');
    const paint = (s: string, code: string): string => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
    const rule = (l: string, m: string, r: string): string => paint(`${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`, '90');
    const bar = paint('│', '90');
    const line = (cells: string[], head: boolean): string =>
      `${bar}${cells.map((c, i) => ` ${head ? paint(pad(truncate(c, widths[i]), widths[i], false), '36') : pad(truncate(c, widths[i]), widths[i], right[i])} `).join(bar)}${bar}`;
    const out = [rule('┌', '┬', '┐'), line(result.columns.map((c) => c.name), true), rule('├', '┼', '┤'), ...texts.map((r) => line(r, false)), rule('└', '┴', '┘')];
    const rows = result.rows.length;
    return `${out.join('\n')}\n(${rows} row${rows === 1 ? '' : 's'})\n`;
  },
};
