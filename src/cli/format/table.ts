// -o table: a boxed table fitted to the terminal as psql users expect: IDs and short columns stay whole, the
// widest columns shrink first, cut cells end in …, and a row that cannot fit switches to records (\x auto).
// Widths are display widths: CJK and emoji take two cells.
import type { Formatter, FormatOptions } from './formatter.js';
import { cellText } from './values.js';
import type { ResultColumn, StatementResult } from '../../engine/types.js';

/** Made on first use: creating a Segmenter loads ICU's break data, ~10-30 ms that a JSON or CSV run never needs. */
let graphemes: Intl.Segmenter | undefined;

/**
 * string-width's Unicode tables cost ~35 ms to load, a fifth of a cold command: they are loaded only when a
 * table is about to be printed (loadDisplayWidths), and printable ASCII, one cell a character, never needs them.
 */
let unicodeWidth: ((s: string) => number) | undefined;

export async function loadDisplayWidths(): Promise<void> {
  unicodeWidth ??= (await import('string-width')).default;
}

function stringWidth(s: string): number {
  if (/^[\x20-\x7e]*$/.test(s)) return s.length;
  if (!unicodeWidth) throw new Error('doql bug: a table was measured before loadDisplayWidths()');
  return unicodeWidth(s);
}

/** A column shrinks no narrower than this (or its natural width). */
const MIN_SHRUNK = 8;
/** A column this narrow is never cut. */
const SHORT = 10;

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

/** `s` cut to `max` display cells, ending in … when cut. */
export function truncate(s: string, max: number): { text: string; cut: boolean } {
  if (stringWidth(s) <= max) return { text: s, cut: false };
  let out = '';
  let used = 0;
  for (const { segment } of (graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })).segment(s)) {
    const w = stringWidth(segment);
    if (used + w > max - 1) break;
    out += segment;
    used += w;
  }
  return { text: `${out}…`, cut: true };
}

/** IDs (`id`, `…_id`, `uuid`), numbers and short columns are read and copied whole: they are never cut. */
function keepWhole(column: ResultColumn, natural: number): boolean {
  return natural <= SHORT || /(^|_)(id|uuid)$/i.test(column.name) || column.type === 'INTEGER' || column.type === 'REAL';
}

/**
 * Column widths that fit `width`, or undefined when no row can fit (show records instead). The widest cuttable
 * column shrinks first, to the next widest, and so on, none below MIN_SHRUNK.
 */
export function fitWidths(columns: ResultColumn[], natural: number[], width: number | undefined): number[] | undefined {
  const widths = [...natural];
  if (!width) return widths;
  // Each column costs its content + 2 padding + 1 border, plus the final border.
  const budget = width - 1 - widths.length * 3;
  let over = widths.reduce((a, b) => a + b, 0) - budget;
  if (over <= 0) return widths;
  const cuttable = widths.map((w, i) => (keepWhole(columns[i], w) ? -1 : i)).filter((i) => i >= 0);
  while (over > 0) {
    const open = cuttable.filter((i) => widths[i] > MIN_SHRUNK);
    if (!open.length) return undefined;
    const widest = Math.max(...open.map((i) => widths[i]));
    const top = open.filter((i) => widths[i] === widest);
    const next = Math.max(MIN_SHRUNK, ...open.filter((i) => widths[i] < widest).map((i) => widths[i]));
    // Take from the widest columns together, down to the next widest, one cell at a time when close.
    const step = Math.max(1, Math.min(widest - next, Math.ceil(over / top.length)));
    for (const i of top) {
      if (over <= 0) break;
      const take = Math.min(step, widths[i] - MIN_SHRUNK, over);
      widths[i] -= take;
      over -= take;
    }
  }
  return widths;
}

function pad(s: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - stringWidth(s)));
  return right ? fill + s : s + fill;
}

/** psql's expanded display: one `name | value` line per field, values whole (the terminal wraps them). */
function expanded(result: StatementResult, options: FormatOptions): string {
  const nameWidth = Math.max(0, ...result.columns.map((c) => stringWidth(c.name)));
  const out: string[] = [];
  result.rows.forEach((r, n) => {
    out.push(`-[ RECORD ${n + 1} ]${'-'.repeat(Math.max(0, nameWidth - 10))}`);
    result.columns.forEach((c, i) => out.push(`${pad(c.name, nameWidth, false)} | ${oneLine(cellText(r[i], options.null))}`));
  });
  if (result.rows.length === 0) out.push('(0 rows)');
  return `${out.join('\n')}\n`;
}

export const tableFormatter: Formatter = {
  format(result, options) {
    if (result.kind !== 'rows') return '';
    if (options.expanded) return expanded(result, options);
    const texts = result.rows.map((r) => r.map((v) => oneLine(cellText(v, options.null))));
    const natural = result.columns.map((c, i) => Math.max(options.header ? stringWidth(c.name) : 0, ...texts.map((r) => stringWidth(r[i])), 1));
    const widths = fitWidths(result.columns, natural, options.width);
    if (!widths) return expanded(result, options);
    const right = result.columns.map((c) => c.type === 'INTEGER' || c.type === 'REAL');
    const paint = (s: string, code: string): string => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
    const rule = (l: string, m: string, r: string): string => paint(`${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`, '90');
    const bar = paint('│', '90');
    let cut = false;
    const fit = (s: string, i: number): string => {
      const t = truncate(s, widths[i]);
      cut ||= t.cut;
      return t.text;
    };
    const line = (cells: string[], head: boolean): string =>
      `${bar}${cells.map((c, i) => ` ${head ? paint(pad(fit(c, i), widths[i], false), '36') : pad(fit(c, i), widths[i], right[i])} `).join(bar)}${bar}`;
    const head = options.header ? [line(result.columns.map((c) => c.name), true), rule('├', '┼', '┤')] : [];
    const out = [rule('┌', '┬', '┐'), ...head, ...texts.map((r) => line(r, false)), rule('└', '┴', '┘')];
    const rows = result.rows.length;
    // Say that values were cut, and how to see them whole.
    const note = cut ? `; values ending in … were cut to fit ${options.width} columns (-x or -o json shows them whole)` : '';
    return `${out.join('\n')}\n(${rows} row${rows === 1 ? '' : 's'}${note})\n`;
  },
};
