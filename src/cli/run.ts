// Runs scripts of statements for the command line and prints each result as soon as it is ready.
import { isDoqlError } from '../errors.js';
import type { StatementResult } from '../engine/types.js';
import { copyLines } from '../engine/copy-out.js';
import { duration, limitText, type RateLimitWait } from '../api/rate-limit.js';
import { createRunContext } from './context.js';
import { FORMATTERS, type FormatName } from './format/index.js';
import { loadDisplayWidths } from './format/table.js';
import type { RunOptions } from './options.js';
import { loadConfig } from './options.js';
import { Progress } from './progress.js';
import { statementDeadline } from './deadline.js';
import { preloadParser } from '../sql/tree/parse.js';

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

export function printResult(result: StatementResult, format: FormatName, opts: RunOptions, out: Output): void {
  for (const n of result.notices ?? []) out.stderr(n);
  if (result.copy) {
    // COPY … TO STDOUT writes its own format, whatever -o says.
    out.stdout(copyLines(result, result.copy).join(''));
    if (format === 'table') out.stderr(result.command);
    return;
  }
  if (result.kind !== 'rows') {
    if (format === 'table') out.stderr(result.command);
    return;
  }
  out.stdout(
    FORMATTERS[format].format(result, {
      header: opts.header,
      color: useColor(opts, out),
      // The table fits the terminal it is shown on; COLUMNS also applies to a pipe (`COLUMNS=80 doql … | less`).
      width: out.stdoutIsTTY || process.env.COLUMNS ? out.columns : undefined,
      expanded: opts.expanded,
      null: opts.null,
    }),
  );
}

/**
 * `-o json` prints one JSON document: a statement's array of rows, or, when several statements return rows,
 * an array of those arrays (streamed from the second one on, closed even when a later statement fails).
 */
function jsonDocument(out: Output): { write(text: string): void; end(): void } {
  let first: string | undefined;
  let count = 0;
  const indent = (text: string): string => text.trimEnd().replace(/^/gm, '  ');
  return {
    write(text) {
      count++;
      if (count === 1) first = text;
      else if (count === 2) out.stdout(`[\n${indent(first!)},\n${indent(text)}`);
      else out.stdout(`,\n${indent(text)}`);
    },
    end() {
      if (count === 1) out.stdout(first!);
      else if (count > 1) out.stdout('\n]\n');
    },
  };
}

/** `waiting 42 s for DigitalOcean's rate limit (250/min)`, printed once for a wait longer than 5 s. */
export function rateLimitNotice(wait: RateLimitWait): string | undefined {
  return wait.ms > 5_000 ? `waiting ${duration(wait.ms)} for DigitalOcean's rate limit${limitText(wait.limit, wait.ms)}` : undefined;
}

/** Whether a script may hold a SELECT (WITH, VALUES): a statement starting so, at its start or after a `;`. */
function mayHoldSelect(script: string): boolean {
  return /(^|;)\s*(--[^\n]*\n\s*)*(\(\s*)*(select|with|values|table)\b/i.test(script);
}

/** Runs scripts in order (each argument of `doql "…" "…"` is one); throws the first failure after printing what ran before it. */
export async function runScript(scripts: string[], opts: RunOptions, out: Output = processOutput()): Promise<void> {
  // A SELECT needs the SQL parser (~50 ms to load): its load overlaps loading the catalog. SHOW never loads it.
  if (scripts.some(mayHoldSelect)) void preloadParser().catch(() => undefined);
  const format = chooseFormat(opts, out);
  if (format === 'table') await loadDisplayWidths();
  const ask = out.stderrIsTTY && process.stdin.isTTY ? (await import('./confirm.js')).confirmOnTerminal : undefined;
  let progress: Progress | undefined;
  // Lines on stderr erase the progress line first; it is drawn again on its next tick.
  const stderr = (line: string): void => {
    progress?.clear();
    out.stderr(line);
  };
  // The progress line is redrawn on stderr every 100 ms; it must pause while a question waits there.
  const confirm = ask
    ? async (message: string): Promise<boolean> => {
        progress?.stop();
        try {
          return await ask(message);
        } finally {
          progress?.restart();
        }
      }
    : undefined;
  const ctx = await createRunContext(opts, {
    defaultCacheTtl: 0,
    stderr,
    confirm,
    onRateLimitWait: (wait) => {
      const notice = rateLimitNotice(wait);
      if (notice) stderr(notice);
    },
  });
  const started = performance.now();
  progress = new Progress(out.stderrIsTTY && !opts.verbose, () => ctx.clientStats());
  const json = format === 'json' ? jsonDocument(out) : undefined;
  const print = (result: StatementResult): void => {
    if (json && result.kind === 'rows' && !result.copy) {
      for (const n of result.notices ?? []) out.stderr(n);
      json.write(FORMATTERS.json.format(result, { header: opts.header, color: false, expanded: false }));
    } else printResult(result, format, opts, out);
  };
  // --timeout bounds each statement, rate-limit waits included: its timer starts again after every result.
  const deadline = opts.timeout !== undefined ? statementDeadline(opts.timeout * 1000) : undefined;
  try {
    for (const script of scripts) {
      deadline?.restart();
      await ctx.session.executeEach(script, { signal: deadline?.signal }, (result) => {
        progress?.stop();
        print(result);
        deadline?.restart();
        progress?.restart();
      });
    }
  } catch (err) {
    throw deadline?.expired() && isDoqlError(err) && err.code === 'cancelled' ? deadline.error(err) : err;
  } finally {
    deadline?.clear();
    progress.stop();
    json?.end();
    if (opts.stats) {
      const s = ctx.clientStats() ?? {};
      // What the statement cost; the client's in-flight gauges (inFlight, done) say nothing once it is over.
      const labels: Record<string, string> = { requests: 'requests', pages: 'pages', retries: 'retries', rateLimitWaits: 'rate-limit waits', bytes: 'bytes' };
      const fields = Object.entries(labels).flatMap(([k, label]) => (typeof s[k] === 'number' ? [`${label} ${s[k]}`] : []));
      out.stderr(
        `stats: ${[...fields, `cache hits ${ctx.session.cache.hits}`, `rounds ${ctx.session.stats.rounds}`, `time ${Math.round(performance.now() - started)} ms`].join(', ')}`,
      );
    }
    await ctx.close();
  }
}
