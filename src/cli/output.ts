// What a one-shot run (one-shot.ts) and the shell share to print results: where output goes, the format, a result's text.
import type { StatementResult } from '../engine/types.js';
import type { copyLines } from '../engine/copy-out.js';
import { duration, limitText, type RateLimitWait } from '../api/rate-limit.js';
import type { FormatName, Formatter } from './format/formatter.js';
import type { RunOptions } from './options.js';
import { loadConfig } from './options.js';

export interface Output {
  stdout: (text: string) => void;
  stderr: (line: string) => void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  columns?: number;
}

export function processOutput(): Output {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (l) => process.stderr.write(`${l}\n`),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    // A pipe has no width; COLUMNS (set by the shell, or by hand) still says how wide the reader's terminal is.
    columns: process.stdout.columns ?? (Number(process.env.COLUMNS) || undefined),
  };
}

/** -o, else the config file, else -x's records, else a table on a terminal and JSON otherwise. */
export function chooseFormat(opts: RunOptions, out: Output): FormatName {
  // `-x` asked for explicitly means records, on a pipe too (psql's \x).
  return opts.output ?? loadConfig().output ?? (out.stdoutIsTTY || opts.expanded ? 'table' : 'json');
}

export function useColor(opts: RunOptions, out: Output): boolean {
  return opts.color && out.stdoutIsTTY && !process.env.NO_COLOR;
}

/** `waiting 42 s for DigitalOcean's rate limit (250/min)`, printed once for a wait longer than 5 s. */
export function rateLimitNotice(wait: RateLimitWait): string | undefined {
  return wait.ms > 5_000 ? `waiting ${duration(wait.ms)} for DigitalOcean's rate limit${limitText(wait.limit, wait.ms)}` : undefined;
}

/**
 * Prints one result with the formatter of `format` (and, for COPY … TO STDOUT, its own lines): the shell
 * passes every formatter, a one-shot run the one it loaded.
 */
export function renderResult(result: StatementResult, format: FormatName, formatter: Formatter, copy: typeof copyLines | undefined, opts: RunOptions, out: Output): void {
  for (const w of result.warnings ?? []) out.stderr(`WARNING: ${w}`);
  for (const n of result.notices ?? []) out.stderr(n);
  if (result.copy) {
    // COPY … TO STDOUT writes its own format, whatever -o says.
    if (!copy) throw new Error('doql bug: a COPY result was printed without its writer loaded');
    out.stdout(copy(result, result.copy).join(''));
    if (format === 'table') out.stderr(result.command);
    return;
  }
  if (result.kind !== 'rows') {
    if (format === 'table') out.stderr(result.command);
    return;
  }
  out.stdout(
    formatter.format(result, {
      header: opts.header,
      color: useColor(opts, out),
      // The table fits the terminal it is shown on; COLUMNS also applies to a pipe (`COLUMNS=80 doql … | less`).
      width: out.stdoutIsTTY || process.env.COLUMNS ? out.columns : undefined,
      expanded: opts.expanded,
      null: opts.null,
    }),
  );
}

