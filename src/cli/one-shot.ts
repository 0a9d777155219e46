// Runs scripts of statements for the command line and prints each result as soon as it is ready. It loads only
// what the script needs: the chosen formatter, the engine unless the script is SHOW/DESCRIBE alone (catalog-only.ts),
// the progress line on a terminal, COPY's writer for a COPY.
import { DoqlError, isDoqlError } from '../errors.js';
import { Interrupted } from './errors.js';
import type { StatementResult } from '../engine/types.js';
import type { DoqlSession } from '../engine/session.js';
import type { ContextExtras, RunContext } from './context.js';
import { mark, markLast } from '../timings.js';
import { monotonicMs } from '../clock.js';
import { catalogOnlyResults, parseScripts } from './catalog-only.js';
import { loadFormatter } from './format/load.js';
import type { RunOptions } from './options.js';
import { loadConfig } from './options.js';
import { chooseFormat, processOutput, rateLimitNotice, renderResult, type Output } from './output.js';
import type { Progress } from './progress.js';
import type { Statement } from '../sql/statement.js';
import { preloadParser } from '../sql/tree/parse.js';

/** Statements that go through the SQL parser's tree. */
const PARSED_KINDS: ReadonlySet<Statement['kind']> = new Set(['select', 'mutation', 'copy', 'cursor']);

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

/** What runScript needs of a run context: the full one (context.ts) or one replaying catalog-only results. */
interface ScriptContext {
  session: Pick<DoqlSession, 'executeEach'> & { cache: { hits: number }; stats: { rounds: number } };
  clientStats(): Record<string, number> | undefined;
  close(): Promise<void>;
}

/** A context whose session hands back results already computed from the catalog (catalog-only.ts). */
function replayContext(results: StatementResult[][]): ScriptContext {
  // runScript runs its scripts once each, in order.
  let next = 0;
  return {
    session: {
      executeEach: async (_script, _options, onResult) => {
        const list = results[next++] ?? [];
        for (let k = 0; k < list.length; k++) await onResult(list[k]!, { index: k, total: list.length, text: '' });
      },
      cache: { hits: 0 },
      stats: { rounds: 0 },
    },
    clientStats: () => undefined,
    close: async () => {},
  };
}

/** The engine's context, loaded only when a script needs it. */
async function fullContext(opts: RunOptions, extras: ContextExtras): Promise<RunContext> {
  const { createRunContext } = await import('./context.js');
  return createRunContext(opts, extras);
}

/** Runs scripts in order (each argument of `doql "…" "…"` is one); throws the first failure after printing what ran before it. */
export async function runScript(scripts: string[], opts: RunOptions, out: Output = processOutput()): Promise<void> {
  const format = chooseFormat(opts, out);
  const formatter = await loadFormatter(format);
  const ask = out.stderrIsTTY && process.stdin.isTTY ? (await import('./confirm.js')).confirmOnTerminal : undefined;
  // Ctrl-C cancels the statement (no new request starts; the error says what was sent) and exits 130; at a
  // question it answers no.
  const interrupt = new AbortController();
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
          return await ask(message, () => interrupt.abort());
        } finally {
          progress?.restart();
        }
      }
    : undefined;
  // SHOW and DESCRIBE alone never load the engine (SQLite, the API client); anything else takes the full way.
  const parsed = parseScripts(scripts, opts);
  const quick = await catalogOnlyResults(parsed, opts);
  if (quick) for (const w of loadConfig().warnings) stderr(w);
  // A statement the SQL parser (libpg-query, ~50 ms to load) will read starts loading it now, while the engine,
  // the catalog and the API client load.
  else if (!parsed || parsed.some((list) => list.some((st) => PARSED_KINDS.has(st.kind)))) {
    void preloadParser().catch(() => {});
    // Such a statement most likely sends requests: the API client's modules (undici, ~20 ms) load in the time the
    // main thread would otherwise wait for the parser's WebAssembly to compile, not after the statement is parsed.
    setImmediate(() => void import('../api/client.js').catch(() => {}));
  }
  // A SELECT that reads no resource runs in a session process, which Ctrl-C stops even mid-SQLite.
  const statements = quick ? undefined : new (await import('./statement-process.js')).StatementProcess(opts, 'local', () => full!, stderr);
  let full: RunContext | undefined;
  const ctx: ScriptContext = quick ? replayContext(quick) : (full = await fullContext(opts, {
    offloadSelect: statements?.offload,
    // While SQLite computes in this process no handler can run: Ctrl-C then takes its default course and ends
    // the process at once (a read; nothing is in flight).
    blocking: (work) => {
      process.off('SIGINT', onSigint);
      try {
        return work();
      } finally {
        process.on('SIGINT', onSigint);
      }
    },
    defaultCacheTtl: 0,
    stderr,
    confirm,
    onRateLimitWait: (wait) => {
      const notice = rateLimitNotice(wait);
      if (notice) stderr(notice);
    },
  }));
  mark('context');
  const started = monotonicMs();
  if (out.stderrIsTTY && !opts.verbose) progress = new (await import('./progress.js')).Progress(true, () => ctx.clientStats());
  // COPY … TO STDOUT writes its own lines; a script that did not parse here may hold one too.
  const copy = !parsed || parsed.some((list) => list.some((st) => st.kind === 'copy')) ? (await import('../engine/copy-out.js')).copyLines : undefined;
  const json = format === 'json' ? jsonDocument(out) : undefined;
  const print = (result: StatementResult): void => {
    mark('result');
    if (json && result.kind === 'rows' && !result.copy) {
      for (const w of result.warnings ?? []) out.stderr(`WARNING: ${w}`);
      for (const n of result.notices ?? []) out.stderr(n);
      json.write(formatter.format(result, { header: opts.header, color: false, expanded: false }));
    } else renderResult(result, format, formatter, copy, opts, out);
  };
  // --timeout bounds each statement, rate-limit waits included: its timer starts again after every result.
  const deadline = opts.timeout !== undefined ? (await import('./deadline.js')).statementDeadline(opts.timeout * 1000, interrupt.signal) : undefined;
  const onSigint = (): void => {
    progress?.clear();
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    for (const script of scripts) {
      deadline?.restart();
      await ctx.session.executeEach(script, { signal: deadline?.signal ?? interrupt.signal }, (result) => {
        progress?.stop();
        print(result);
        markLast('printed');
        deadline?.restart();
        progress?.restart();
      });
    }
  } catch (err) {
    if (interrupt.signal.aborted) throw new Interrupted(isDoqlError(err) ? err : new DoqlError('cancelled', 'statement cancelled', { cause: err }));
    throw deadline?.expired() && isDoqlError(err) && err.code === 'cancelled' ? deadline.error(err) : err;
  } finally {
    process.off('SIGINT', onSigint);
    statements?.close();
    deadline?.clear();
    progress?.stop();
    json?.end();
    if (opts.stats) {
      const s = ctx.clientStats() ?? {};
      // What the statement cost; the client's in-flight gauges (inFlight, done) say nothing once it is over.
      const labels: Record<string, string> = { requests: 'requests', pages: 'pages', retries: 'retries', rateLimitWaits: 'rate-limit waits', bytes: 'bytes' };
      const fields = Object.entries(labels).flatMap(([k, label]) => (typeof s[k] === 'number' ? [`${label} ${s[k]}`] : []));
      out.stderr(
        `stats: ${[...fields, `cache hits ${ctx.session.cache.hits}`, `rounds ${ctx.session.stats.rounds}`, `time ${Math.round(monotonicMs() - started)} ms`].join(', ')}`,
      );
    }
    await ctx.close();
    mark('closed');
  }
}
