// `doql serve`: the Postgres wire server in front of one doql session per connection.
import { untilStopped } from '../until-stopped.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DoqlError } from '../errors.js';
import { formatDurationMs, parseDurationMs } from '../engine/session-settings.js';
import { createPgServer } from '../server/pg-server.js';
import { SessionHost } from '../server/session-process.js';
import { createRunContext } from './context.js';
import { serverCalls } from './server-calls.js';
import { catalogCacheDir, knownCatalogKey } from '../engine/pg-catalog-file.js';
import type { RunOptions } from './options.js';
import type { ServeChildConfig } from './serve-child.js';

/** How long SIGTERM waits for connections and the sandbox's state to close before the process exits anyway. */
const STOP_DEADLINE_MS = 4000;

/** `doql serve`'s own options (main.ts declares them). */
export interface ServeOptions {
  host?: string;
  port?: string;
  passwordEnv?: string;
  tlsCert?: string;
  tlsKey?: string;
  statementTimeout?: string;
  allowRegistry?: boolean;
}

export async function serveCommand(opts: RunOptions & ServeOptions): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  const port = Number(opts.port ?? 5444);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new DoqlError('usage', `--port must be 0–65535, got ${opts.port}`);
  let password: string | undefined;
  if (opts.passwordEnv) {
    password = process.env[opts.passwordEnv];
    if (!password) throw new DoqlError('usage', `--password-env ${opts.passwordEnv}: that environment variable is not set`);
  }
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (opts.tlsCert || opts.tlsKey) {
    if (!opts.tlsCert || !opts.tlsKey) throw new DoqlError('usage', '--tls-cert and --tls-key go together');
    try {
      tls = { cert: readFileSync(opts.tlsCert), key: readFileSync(opts.tlsKey) };
    } catch (err) {
      throw new DoqlError('usage', `cannot read TLS files: ${(err as Error).message}`);
    }
  }
  const timeoutText = opts.statementTimeout ?? '5min';
  const statementTimeoutMs = parseDurationMs(timeoutText);
  if (statementTimeoutMs === undefined) {
    throw new DoqlError('usage', `--statement-timeout must be a duration such as 30s, 5min or 0 (none), got ${timeoutText}`);
  }
  const log = (line: string): void => {
    process.stderr.write(`doql serve: ${line}\n`);
  };
  // Sessions in a long-running server keep API results for 60 s unless told otherwise.
  const ctx = await createRunContext(opts, { defaultCacheTtl: 60, stderr: log, templating: false });
  const settings = { statement_timeout: formatDurationMs(statementTimeoutMs) };
  // The accounts are known before any connection: `--context a,b` makes their clients (and checks their tokens) now.
  const accounts = await ctx.session.accounts();
  const sessions = new SessionHost({
    childModule: fileURLToPath(new URL('./session-entry.js', import.meta.url)),
    config: {
      spec: opts.spec,
      vars: ctx.session.vars,
      mutation: {
        dryRun: ctx.session.mutation.dryRun,
        yes: ctx.session.mutation.yes,
        waitTimeoutMs: ctx.session.mutation.waitTimeoutMs,
        baseUrl: ctx.session.mutation.baseUrl,
      },
      allowRegistry: opts.allowRegistry === true,
      servesEveryPath: opts.sandbox,
      settings,
      accounts: { names: [...accounts.names], partial: accounts.partial },
      pgCatalogKey: catalogCacheDir() ? knownCatalogKey(ctx.catalog.catalog) : undefined,
    } satisfies ServeChildConfig,
    settings,
    hideEnv: opts.passwordEnv ? [opts.passwordEnv] : [],
    handle: serverCalls(ctx, accounts),
    log,
    verbose: opts.verbose,
  });
  await sessions.start();
  const server = createPgServer({ sessionFactory: (backend) => sessions.newSession(backend), password, tls, log });
  // The server logs its own `listening on host:port` line (port 0 shows the one picked).
  const addr = await server.listen(port, host);
  const source = opts.sandbox ? 'the sandbox' : 'DigitalOcean';
  log(`serving ${source}${password ? ' (password required)' : ''}; connect with: psql -h ${addr.host} -p ${addr.port} -d digitalocean`);
  await untilStopped();
  // A statement still running is cancelled (its process killed); past the deadline the process exits anyway.
  setTimeout(() => {
    log('could not stop cleanly in time; exiting');
    process.exit(1);
  }, STOP_DEADLINE_MS).unref();
  const closing = server.close();
  sessions.close();
  await closing;
  await ctx.close();
}
