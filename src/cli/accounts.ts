// `--context a,b` / `--context all`: the accounts a run's statements go over, each with its own API client.
import type { LoadedCatalog } from '../catalog/load.js';
import type { ApiClient, ApiClientOptions, RequestEvent } from '../api/client.js';
import type { Accounts } from '../engine/accounts.js';
import type { EngineApi } from '../engine/fetcher.js';
import { DoqlError } from '../errors.js';

/** A context list as given (`a,b`, `all`); undefined for none or a single name (one account, as before). */
export function contextList(raw: string | undefined): string[] | 'all' | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  if (text.toLowerCase() === 'all') return 'all';
  if (!text.includes(',')) return undefined;
  const names = text.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) throw new DoqlError('usage', `--context ${text}: a context name is empty`, { hint: 'name contexts with commas between them: --context a,b' });
  const unique = names.filter((n, i) => names.indexOf(n) === i);
  return unique;
}

export interface SeveralAccounts {
  accounts: Accounts;
  clients: ApiClient[];
  /** The in-process sandbox serving them (`--sandbox --context a,b`), to save and close. */
  sandbox?: { save(): void; close(): Promise<void> };
}

/** Clients for every named context: from doctl's config, or accounts of one in-process sandbox with --sandbox. */
export async function severalAccounts(
  list: string[] | 'all',
  o: {
    sandbox: boolean;
    /** Where the sandbox keeps a context's account between runs. */
    sandboxStateFile: (context: string) => Promise<string>;
    catalog: LoadedCatalog;
    apiUrl?: string;
    accessToken?: string;
    partial?: boolean;
    clientOptions: Omit<ApiClientOptions, 'baseUrl' | 'token'>;
  },
): Promise<SeveralAccounts> {
  if (o.accessToken) throw new DoqlError('usage', '--access-token is one account: with several contexts each token comes from its doctl context', { hint: 'drop --access-token, or name a single --context' });
  const { createApiClient } = await import('../api/client.js');
  // -v lines say which account sent each request.
  const onRequest = (name: string): ApiClientOptions['onRequest'] =>
    o.clientOptions.onRequest && ((ev: RequestEvent) => o.clientOptions.onRequest?.({ ...ev, method: `[${name}] ${ev.method}` }));
  const clients = new Map<string, ApiClient>();
  let sandbox: SeveralAccounts['sandbox'];
  let names: string[];
  if (o.sandbox) {
    if (list === 'all') throw new DoqlError('usage', '--context all reads doctl contexts; with --sandbox name them: --context a,b', { hint: 'each name becomes an account of the sandbox' });
    names = list;
    const { createSandbox } = await import('../sandbox/index.js');
    // Each context is an account of the one sandbox, kept between runs in its own file.
    const token = (name: string): string => `doql-sandbox-${name}`;
    const stateFiles = await Promise.all(names.map((n) => o.sandboxStateFile(n)));
    const { sandboxAccountSlots } = await import('./sandbox-command.js');
    const sb = await createSandbox({ stateFiles, catalog: o.catalog, tokens: names.map(token), accountSlots: sandboxAccountSlots(names) });
    sandbox = sb;
    for (const name of names) clients.set(name, createApiClient({ ...o.clientOptions, baseUrl: sb.url, token: token(name), onRequest: onRequest(name) }));
  } else {
    const { resolveAuth, describeAuthSource, doctlContextNames } = await import('../api/auth.js');
    names = list === 'all' ? doctlContextNames({ env: process.env }) : list;
    for (const name of names) {
      const auth = resolveAuth({ context: name, apiUrl: o.apiUrl, env: process.env });
      clients.set(name, createApiClient({ ...o.clientOptions, baseUrl: auth.apiUrl, token: auth.token, tokenSource: describeAuthSource(auth), onRequest: onRequest(name) }));
    }
  }
  const apis = new Map<string, EngineApi>(
    [...clients].map(([name, c]) => [name, { request: (req) => c.request(req), list: (req) => c.list(req), servesEveryPath: o.sandbox }]),
  );
  return {
    accounts: {
      names,
      api: (name) => {
        const api = apis.get(name);
        if (!api) throw new DoqlError('internal', `no API client for context "${name}"`);
        return api;
      },
      partial: o.partial,
    },
    clients: [...clients.values()],
    sandbox,
  };
}
