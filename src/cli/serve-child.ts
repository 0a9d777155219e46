// The entry of a session process (see server/session-process.ts), for `doql serve` and for the command line's
// SELECTs: a doql session that runs any connection's statements in that connection's state, whose API requests
// and shared-cache reads go to the parent.
import { loadCatalog } from '../catalog/load.js';
import { FetchCache, type EngineApi, type FetchedRows, type FetchKey } from '../engine/fetcher.js';
import { createSession, type MutationOptions } from '../engine/session.js';
import type { Accounts } from '../engine/accounts.js';
import type { StatementResult } from '../engine/types.js';
import type { Vars } from '../sql/template.js';
import { remoteStatementGuard } from '../server/remote-policy.js';
import { runSessionChild, type ServerCall } from '../server/session-child.js';
import { useKnownCatalogKey, type KnownCatalogKey } from '../engine/pg-catalog-file.js';

/** What `doql serve` tells each session process (structured-clone safe). */
export interface ServeChildConfig {
  spec?: string;
  vars: Vars;
  mutation: Pick<MutationOptions, 'dryRun' | 'yes' | 'waitTimeoutMs' | 'baseUrl'>;
  allowRegistry: boolean;
  servesEveryPath: boolean;
  /** Settings every session starts with (statement_timeout from --statement-timeout). */
  settings: Record<string, string>;
  /** Ask the parent before a large fan-out (the command line asks on its terminal; the wire server does not). */
  askBeforeFetch?: boolean;
  /** The key of the pg_catalog emulation kept on disk, as the server computed it (engine/pg-catalog-file.ts). */
  pgCatalogKey?: KnownCatalogKey;
  /**
   * The accounts statements run over (`doql serve --context a,b`); their requests leave from the server. Absent: asked
   * of the parent at each statement (the shell's `.context` changes them).
   */
  accounts?: { names: string[]; partial?: boolean };
}

/** The session's own cache lives for one statement; what it drops is dropped from the server's shared cache too. */
class SharedCacheView extends FetchCache {
  constructor(private readonly call: ServerCall) {
    super(0);
  }

  override invalidate(resourceId: string): void {
    super.invalidate(resourceId);
    void this.call('invalidate', resourceId).catch(() => {});
  }
}

const withoutSignal = <T extends { signal?: AbortSignal }>(req: T): Omit<T, 'signal'> => {
  const { signal: _signal, ...rest } = req;
  return rest;
};

runSessionChild(async (raw, call, backend) => {
  const config = raw as ServeChildConfig;
  const catalog = loadCatalog({ specFile: config.spec });
  if (config.pgCatalogKey) useKnownCatalogKey(config.pgCatalogKey);
  // Requests leave from the server (one client, one rate-limit budget, per account); it aborts them on cancel.
  const apiOf = (context: string): EngineApi => ({
    request: async (req) => (await call('request', withoutSignal(req), context)) as Awaited<ReturnType<EngineApi['request']>>,
    list: async (req) => (await call('list', withoutSignal(req), context)) as Awaited<ReturnType<EngineApi['list']>>,
    servesEveryPath: config.servesEveryPath,
  });
  const apis = new Map<string, EngineApi>();
  const accountsOf = (list: { names: string[]; partial?: boolean }): Accounts => ({
    names: list.names,
    api: (name) => apis.get(name) ?? apis.set(name, apiOf(name)).get(name)!,
    partial: list.partial,
  });
  const fixed = config.accounts ? accountsOf(config.accounts) : undefined;
  return createSession({
    catalog,
    // Without a fixed list the parent names the account of each request (its first, for a statement's own).
    api: () => (fixed ? fixed.api(fixed.names[0]) : apiOf('')),
    accounts: async () => fixed ?? accountsOf((await call('accounts')) as { names: string[]; partial?: boolean }),
    cache: new SharedCacheView(call),
    fetchRows: async (key: FetchKey) => (await call('fetch', key)) as FetchedRows,
    vars: config.vars,
    templating: false,
    mutation: config.mutation,
    settings: config.settings,
    beforeFetch: config.askBeforeFetch
      ? async (requests: number) => {
          await call('beforeFetch', requests);
        }
      : undefined,
    guard: remoteStatementGuard({ allowRegistry: config.allowRegistry }),
    backend,
    registry: {
      list: async (): Promise<StatementResult> => (await import('./registry-command.js')).registryListResult(),
      pull: async (from?: string): Promise<StatementResult> => (await import('./registry-command.js')).registryPullResult(from),
    },
  });
});
