// Runs a script of statements for the command line and prints each result as soon as it is ready.
import type { StatementResult } from '../engine/types.js';
import { copyLines } from '../engine/copy-out.js';
import { createRunContext } from './context.js';
import { FORMATTERS, type FormatName } from './format/index.js';
import type { RunOptions } from './options.js';
import { loadConfig } from './options.js';
import { Progress } from './progress.js';

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
    columns: process.stdout.columns,
  };
}

export function chooseFormat(opts: RunOptions, out: Output): FormatName {
  return opts.output ?? loadConfig().output ?? (out.stdoutIsTTY ? 'table' : 'json');
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
      width: out.stdoutIsTTY ? out.columns : undefined,
      expanded: opts.expanded,
    }),
  );
}

/** Runs statements; throws the first failure after printing what ran before it. */
export async function runScript(script: string, opts: RunOptions, out: Output = processOutput()): Promise<void> {
  const format = chooseFormat(opts, out);
  const ask = out.stderrIsTTY && process.stdin.isTTY ? (await import('./confirm.js')).confirmOnTerminal : undefined;
  let progress: Progress | undefined;
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
  const ctx = await createRunContext(opts, { defaultCacheTtl: 0, stderr: out.stderr, confirm });
  const started = performance.now();
  progress = new Progress(out.stderrIsTTY && !opts.verbose, () => ({ ...ctx.clientStats(), rowsFetched: ctx.session.stats.rowsFetched }));
  try {
    await ctx.session.executeEach(script, {}, (result) => {
      progress?.stop();
      printResult(result, format, opts, out);
      progress?.restart();
    });
  } finally {
    progress.stop();
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
