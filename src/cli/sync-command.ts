// `doql sync`: copies resources into a SQLite file or PostgreSQL as snapshots (see src/sync).
import { readFileSync } from 'node:fs';
import { DoqlError } from '../errors.js';
import { createRunContext } from './context.js';
import type { RunOptions } from './options.js';
import { Progress } from './progress.js';

export interface SyncCommandOptions extends RunOptions {
  to: string;
  resources?: string;
  query: string[];
  mode: string;
}

function readQuery(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DoqlError('usage', `--query ${file}: cannot read it: ${code === 'ENOENT' ? 'no such file' : (code ?? String(err))}`);
  }
}

export async function syncCommand(opts: SyncCommandOptions): Promise<void> {
  if (opts.mode !== 'append' && opts.mode !== 'replace') throw new DoqlError('usage', `--mode must be append or replace, got "${opts.mode}"`);
  if (!opts.resources && !opts.query.length) throw new DoqlError('usage', 'doql sync needs --resources (e.g. --resources compute.droplets,databases.*) or --query FILE');
  const mode = opts.mode;
  const started = performance.now();
  const stderr = (line: string): void => void process.stderr.write(`${line}\n`);
  const { openDestination } = await import('../sync/destination.js');
  const { runSync, failureError } = await import('../sync/run-sync.js');
  const ctx = await createRunContext(opts, { defaultCacheTtl: 0, stderr });
  let destination: Awaited<ReturnType<typeof openDestination>> | undefined;
  const tty = Boolean(process.stderr.isTTY);
  const progress = new Progress(tty && !opts.verbose, () => ({ ...ctx.clientStats(), rowsFetched: ctx.session.stats.rowsFetched }));
  try {
    // A misspelt resource is refused before the destination is created or anything fetched.
    const { resolvePatterns, planQuery } = await import('../sync/plan.js');
    if (opts.resources) resolvePatterns(ctx.catalog.catalog, [opts.resources]);
    const queries = opts.query.map((file) => planQuery(file, readQuery(file)));
    destination = await openDestination(opts.to);
    // The accounts read (--context a,b / all: each row's own goes in its context column).
    const accounts = await ctx.session.accounts();
    const context = accounts.names.join(', ');
    const result = await runSync(ctx.session, destination, {
      patterns: opts.resources ? [opts.resources] : [],
      queries,
      mode,
      context: accounts.names[0],
      contexts: accounts.names,
      log: (line) => {
        progress.stop();
        stderr(line);
        progress.restart();
      },
    });
    progress.stop();
    if (opts.stats) {
      const requests = ctx.clientStats()?.requests ?? 0;
      stderr(`stats: resources ${result.resources}, rows ${result.rows}, skipped ${result.skipped.length}, failed ${result.failed.length}, requests ${requests}, time ${Math.round(performance.now() - started)} ms`);
    }
    const failure = failureError(result);
    if (failure) throw failure;
    if (!result.resources && result.skipped.length) throw new DoqlError('usage', 'nothing to sync: every resource named was skipped');
    stderr(`synced ${result.resources} resource${result.resources === 1 ? '' : 's'}, ${result.rows} rows to ${destination.label} (context${accounts.names.length > 1 ? 's' : ''} ${context}, synced_at ${result.syncedAt.toISOString()}, ${mode})`);
  } finally {
    progress.stop();
    await destination?.close();
    await ctx.close();
  }
}
