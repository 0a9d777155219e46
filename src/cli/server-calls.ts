// What a session process may ask of the process that started it (`doql serve`, or the command line's own):
// API requests and reads through its shared read cache, which stay there with the API token.
import { DoqlError } from '../errors.js';
import { fetchItems, fetchKeyString, type EngineApi, type FetchKey } from '../engine/fetcher.js';
import type { Accounts } from '../engine/accounts.js';
import type { RunContext } from './context.js';

/** The calls: `fetch` (through the shared cache), `request`, `list`, `accounts`, `invalidate`, `beforeFetch`. */
export function serverCalls(ctx: RunContext, accounts?: Accounts): (op: string, args: unknown[], signal: AbortSignal) => Promise<unknown> {
  const cache = ctx.session.cache;
  // A call names its account (the session process's context); none: the first. Without a fixed list (the command
  // line's session process), the accounts are the context's now, which the shell's `.context` changes.
  const accountsNow = async (): Promise<Accounts> => accounts ?? (await ctx.session.accounts());
  const apiOf = async (context: unknown): Promise<EngineApi> => {
    const a = await accountsNow();
    return a.api(typeof context === 'string' && context !== '' ? context : a.names[0]);
  };
  return async (op, args, signal) => {
    switch (op) {
      case 'fetch': {
        const key = args[0] as FetchKey;
        const k = fetchKeyString(key);
        // Token 0 is no statement's own: an entry is fresh only by the TTL.
        const hit = cache.get(k, 0);
        if (hit) return { items: hit.items, envelope: hit.envelope, key: hit.key };
        const rows = await fetchItems(await apiOf(key.context), key, signal);
        cache.set(k, key.resourceId, rows, -1);
        return rows;
      }
      case 'request':
        return (await apiOf(args[1])).request({ ...(args[0] as Parameters<EngineApi['request']>[0]), signal });
      case 'list':
        return (await apiOf(args[1])).list({ ...(args[0] as Parameters<EngineApi['list']>[0]), signal });
      case 'beforeFetch':
        // The command line's question before a large fan-out (the wire server's sessions have none).
        await ctx.session.options.beforeFetch?.(Number(args[0]));
        return null;
      case 'accounts': {
        const a = await accountsNow();
        return { names: [...a.names], partial: a.partial };
      }
      case 'invalidate':
        cache.invalidate(String(args[0]));
        return null;
      default:
        throw new DoqlError('internal', `unknown server call ${op}`);
    }
  };
}
