// Builds what a command runs with: the catalog, the API client (DigitalOcean or the sandbox) and a session.
import type { LoadedCatalog } from '../catalog/load-compiled.js';
import { loadRunCatalog } from './catalog-only.js';
import type { EngineApi } from '../engine/fetcher.js';
import type { ApiClient, ApiClientOptions, RequestEvent } from '../api/client.js';
import { createSession, type DoqlSession, type SessionOptions } from '../engine/session.js';
import type { StatementResult } from '../engine/types.js';
import { loadConfig, loadVars, type RunOptions } from './options.js';
import { duration } from '../api/rate-limit.js';
import { DoqlError } from '../errors.js';
import type { Accounts } from '../engine/accounts.js';
import { contextList, type SeveralAccounts } from './accounts.js';
import { mark } from '../timings.js';

/** Requests in one round above which a statement asks first: a minute of DigitalOcean's budget (250 a minute). */
const LARGE_FANOUT = 250;

export interface RunContext {
  catalog: LoadedCatalog;
  session: DoqlSession;
  /** Another session with the same catalog, API client and read cache (one per wire-server connection). */
  newSession(): DoqlSession;
  /** Request statistics of the API client, when one was made. */
  clientStats(): Record<string, number> | undefined;
  /** Saves sandbox state and closes everything. */
  close(): Promise<void>;
}

type ClientLike = ApiClient;

export interface ContextExtras {
  /** Default cache TTL in seconds when neither option nor config sets one (0 one-shot, 60 shell/server). */
  defaultCacheTtl: number;
  stderr: (line: string) => void;
  confirm?: (message: string) => Promise<boolean>;
  templating?: boolean;
  /** A wait on DigitalOcean's rate limit begins (see api/types.ts). */
  onRateLimitWait?: ApiClientOptions['onRateLimitWait'];
  /** Where SELECTs may run instead (statement-process.ts): a child that Ctrl-C can stop. */
  offloadSelect?: SessionOptions['offloadSelect'];
  /** Wraps a SELECT's synchronous SQLite work (SessionOptions.blocking). */
  blocking?: SessionOptions['blocking'];
}

/** One `-v` line per attempt; an attempt that failed after a 2xx (a truncated body) shows as failed, not `→ 200`. */
function requestLine(ev: RequestEvent): string {
  const outcome = ev.error && ev.status >= 200 && ev.status < 300 ? `${ev.status} failed: ${ev.error}` : String(ev.status || ev.error || '?');
  return `${ev.method} ${ev.url} → ${outcome} ${Math.round(ev.ms)} ms${ev.attempt > 1 ? ` (attempt ${ev.attempt})` : ''}`;
}

export async function createRunContext(opts: RunOptions, extras: ContextExtras): Promise<RunContext> {
  mark('engine');
  const config = loadConfig();
  for (const w of config.warnings) extras.stderr(w);
  const catalog = await loadRunCatalog(opts);
  const vars = loadVars(opts);
  let client: ClientLike | undefined;
  let sandbox: { save(): void; close(): Promise<void> } | undefined;
  // `--context a,b` / `all` (or DIGITALOCEAN_CONTEXT so): every statement runs over those accounts.
  const list = contextList(opts.context ?? process.env.DIGITALOCEAN_CONTEXT);
  let several: SeveralAccounts | undefined;
  /** The one account's name (the `context` column) when there is one: its doctl context, else `default`. */
  let singleName = opts.context?.trim() || 'default';

  const clientOptions = {
    concurrency: opts.concurrency ?? config.concurrency,
    retries: opts.retries,
    // --timeout bounds the whole statement (run.ts); no single request may outlast it either.
    timeoutMs: opts.timeout !== undefined ? Math.min(opts.timeout, 30) * 1000 : undefined,
    maxWaitMs: (opts.maxWait ?? config.maxWait ?? 60) * 1000,
    onRateLimitWait: extras.onRateLimitWait,
    onRequest: opts.verbose ? (ev: RequestEvent) => extras.stderr(requestLine(ev)) : undefined,
  };

  // The client is made on first use; in sandbox mode the simulator starts then too.
  const makeApi = async (): Promise<ClientLike> => {
    const { createApiClient } = await import('../api/client.js');
    if (opts.sandbox) {
      const { createSandbox } = await import('../sandbox/index.js');
      const { sandboxStateFile, sandboxAccountSlots } = await import('./sandbox-command.js');
      // A named context is an account of its own, the same one `--sandbox --context a,b` reads as `a`.
      const named = opts.context?.trim() || process.env.DIGITALOCEAN_CONTEXT?.trim() || undefined;
      const stateFile = sandboxStateFile(catalog.catalog.specHash, process.env, named);
      const sb = await createSandbox({ stateFile, catalog, accountSlots: sandboxAccountSlots([named]) });
      sandbox = sb;
      singleName = named ?? 'default';
      return createApiClient({ baseUrl: sb.url, token: sb.token, ...clientOptions });
    }
    const { resolveAuth, describeAuthSource } = await import('../api/auth.js');
    // --ca, else DOQL_CA, else config.yaml's ca (NODE_EXTRA_CA_CERTS works too, as for any Node program).
    const caFile = opts.ca ?? process.env.DOQL_CA ?? config.ca;
    const caFrom = opts.ca ? '--ca' : process.env.DOQL_CA ? 'DOQL_CA' : 'config.yaml ca';
    const ca = caFile ? (await import('./ca-file.js')).readCaFile(caFile, caFrom) : undefined;
    // Flags beat the environment, which beats doql's config file.
    const auth = resolveAuth({
      token: opts.accessToken,
      context: Array.isArray(list) ? list[0] : opts.context,
      defaultContext: config.context,
      apiUrl: opts.apiUrl ?? process.env.DIGITALOCEAN_API_URL ?? config.apiUrl,
      env: process.env,
    });
    singleName = auth.context ?? 'default';
    return createApiClient({ baseUrl: auth.apiUrl, token: auth.token, tokenSource: describeAuthSource(auth), ca, ...clientOptions });
  };
  let accountsMade: Promise<Accounts> | undefined;
  // Made once for every session of the run (the wire server's too): one client, one budget, per account.
  const accounts = (): Promise<Accounts> =>
    (accountsMade ??= makeAccounts().catch((err: unknown) => {
      accountsMade = undefined;
      throw err;
    }));
  const makeAccounts = async (): Promise<Accounts> => {
    if (list === undefined || (list !== 'all' && list.length === 1)) {
      if (list) singleName = list[0];
      // The client's auth names the account (doctl's current context); without a token the name stays
      // `default` and the first request fails with the auth error (a dry run needs none).
      await getClient().catch(() => undefined);
      return { names: [singleName], api: () => api };
    }
    const { severalAccounts } = await import('./accounts.js');
    several = await severalAccounts(list, {
      sandbox: opts.sandbox,
      sandboxStateFile: async (context) => (await import('./sandbox-command.js')).sandboxStateFile(catalog.catalog.specHash, process.env, context),
      catalog,
      apiUrl: opts.apiUrl ?? process.env.DIGITALOCEAN_API_URL ?? config.apiUrl,
      accessToken: opts.accessToken,
      partial: opts.partial,
      clientOptions,
    });
    sandbox = several.sandbox;
    return several.accounts;
  };
  // Engine calls are async everywhere the client is used, so a lazy async proxy suffices.
  let pending: Promise<ClientLike> | undefined;
  const getClient = (): Promise<ClientLike> => (pending ??= makeApi().then((c) => (client = c)));
  const api: EngineApi = {
    request: async (req) => (await getClient()).request(req),
    list: async (req) => (await getClient()).list(req),
    servesEveryPath: opts.sandbox,
  };

  const sessionOptions: SessionOptions = {
    catalog,
    beforeFetch: async (requests) => {
      if (requests <= LARGE_FANOUT || opts.yes) return;
      const what = `this statement sends ${requests} requests, about ${duration((requests / LARGE_FANOUT) * 60_000)} of DigitalOcean's rate limit (${LARGE_FANOUT}/min)`;
      if (!extras.confirm) {
        // A read changes nothing: without a terminal to ask on it goes ahead, saying what it costs.
        extras.stderr(`doql: ${what}; sending them (--yes skips this notice)`);
        return;
      }
      if (!(await extras.confirm(what))) throw new DoqlError('cancelled', `${what}; not confirmed, nothing was sent`, { hint: '--yes skips the question' });
    },
    api: () => api,
    accounts,
    cacheTtlMs: (opts.cacheTtl ?? config.cacheTtl ?? extras.defaultCacheTtl) * 1000,
    vars,
    templating: extras.templating ?? true,
    offloadSelect: extras.offloadSelect,
    blocking: extras.blocking,
    mutation: {
      dryRun: opts.dryRun,
      yes: opts.yes,
      confirm: extras.confirm,
      waitTimeoutMs: (opts.waitTimeout ?? 600) * 1000,
      // Dry-run URLs say where the requests would go (the sandbox's address is only known once it runs).
      baseUrl: opts.sandbox ? undefined : (opts.apiUrl ?? process.env.DIGITALOCEAN_API_URL ?? config.apiUrl ?? catalog.catalog.serverUrl).replace(/\/+$/, ''),
      onProgress: process.stderr.isTTY ? (line) => extras.stderr(line) : undefined,
    },
    registry: {
      list: async (): Promise<StatementResult> => {
        const { registryListResult } = await import('./registry-command.js');
        return registryListResult();
      },
      pull: async (from?: string): Promise<StatementResult> => {
        const { registryPullResult } = await import('./registry-command.js');
        return registryPullResult(from);
      },
    },
  };
  const session = createSession(sessionOptions);

  return {
    catalog,
    session,
    newSession: () => createSession({ ...sessionOptions, cache: session.cache, vars: { ...vars } }),
    clientStats: () => {
      const all = several ? several.clients : client ? [client] : [];
      if (!all.length) return undefined;
      // Several accounts: each client's counts, added up.
      const out: Record<string, number> = {};
      for (const c of all) for (const [k, v] of Object.entries(c.stats())) if (typeof v === 'number') out[k] = (out[k] ?? 0) + v;
      return out;
    },
    close: async () => {
      session.close();
      if (sandbox) {
        try {
          sandbox.save();
        } finally {
          await sandbox.close();
        }
      }
    },
  };
}
