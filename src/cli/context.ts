// Builds what a command runs with: the catalog, the API client (DigitalOcean or the sandbox) and a session.
import { loadCatalog, type LoadedCatalog } from '../catalog/load.js';
import type { EngineApi } from '../engine/fetcher.js';
import type { ApiClient } from '../api/client.js';
import { createSession, type DoqlSession, type SessionOptions } from '../engine/session.js';
import type { StatementResult } from '../engine/types.js';
import { loadConfig, loadVars, type RunOptions } from './options.js';

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
}

export async function createRunContext(opts: RunOptions, extras: ContextExtras): Promise<RunContext> {
  const config = loadConfig();
  const catalog = loadCatalog({ specFile: opts.spec });
  const vars = loadVars(opts);
  let client: ClientLike | undefined;
  let sandbox: { url: string; token: string; save(): void; close(): Promise<void> } | undefined;

  const clientOptions = {
    concurrency: opts.concurrency ?? config.concurrency,
    retries: opts.retries,
    timeoutMs: opts.timeout !== undefined ? opts.timeout * 1000 : undefined,
    onRequest: opts.verbose
      ? (ev: { method: string; url: string; status?: number; ms: number; attempt?: number; error?: string }) =>
          extras.stderr(`${ev.method} ${ev.url} → ${ev.status || ev.error || '?'} ${Math.round(ev.ms)} ms${ev.attempt && ev.attempt > 1 ? ` (attempt ${ev.attempt})` : ''}`)
      : undefined,
  };

  // The client is made on first use; in sandbox mode the simulator starts then too.
  const makeApi = async (): Promise<ClientLike> => {
    const { createApiClient } = await import('../api/client.js');
    if (opts.sandbox) {
      const { createSandbox } = await import('../sandbox/index.js');
      const { sandboxStateFile } = await import('./sandbox-command.js');
      const stateFile = sandboxStateFile(catalog.catalog.specHash);
      const sb = await createSandbox({ stateFile, catalog });
      sandbox = sb;
      return createApiClient({ baseUrl: sb.url, token: sb.token, ...clientOptions });
    }
    const { resolveAuth } = await import('../api/auth.js');
    const auth = resolveAuth({ context: opts.context ?? config.context, apiUrl: opts.apiUrl ?? config.apiUrl, env: process.env });
    return createApiClient({ baseUrl: auth.apiUrl, token: auth.token, ...clientOptions });
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
    api: () => api,
    cacheTtlMs: (opts.cacheTtl ?? config.cacheTtl ?? extras.defaultCacheTtl) * 1000,
    vars,
    templating: extras.templating ?? true,
    mutation: {
      dryRun: opts.dryRun,
      yes: opts.yes,
      confirm: extras.confirm,
      waitTimeoutMs: (opts.waitTimeout ?? 600) * 1000,
      // Dry-run URLs say where the requests would go (the sandbox's address is only known once it runs).
      baseUrl: opts.sandbox ? undefined : (opts.apiUrl ?? config.apiUrl ?? process.env.DIGITALOCEAN_API_URL ?? catalog.catalog.serverUrl).replace(/\/+$/, ''),
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
    clientStats: () => (client ? (Object.fromEntries(Object.entries(client.stats()).filter(([, v]) => typeof v === 'number')) as Record<string, number>) : undefined),
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
