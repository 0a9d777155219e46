// What a session process may ask of the process that started it (`doql serve`, or the command line's own):
// API requests and reads through its shared read cache, which stay there with the API token.
import { DoqlError } from '../errors.js';
import { fetchItems, fetchKeyString, type FetchKey } from '../engine/fetcher.js';
import type { RunContext } from './context.js';

/** The calls: `fetch` (through the shared cache), `request`, `list`, `invalidate`, `beforeFetch`. */
export function serverCalls(ctx: RunContext): (op: string, args: unknown[], signal: AbortSignal) => Promise<unknown> {
  const api = ctx.session.api();
  const cache = ctx.session.cache;
  return async (op, args, signal) => {
    switch (op) {
      case 'fetch': {
        const key = args[0] as FetchKey;
        const k = fetchKeyString(key);
        // Token 0 is no statement's own: an entry is fresh only by the TTL.
        const hit = cache.get(k, 0);
        if (hit) return { items: hit.items, envelope: hit.envelope, key: hit.key };
        const rows = await fetchItems(api, key, signal);
        cache.set(k, key.resourceId, rows, -1);
        return rows;
      }
      case 'request':
        return api.request({ ...(args[0] as Parameters<typeof api.request>[0]), signal });
      case 'list':
        return api.list({ ...(args[0] as Parameters<typeof api.list>[0]), signal });
      case 'beforeFetch':
        // The command line's question before a large fan-out (the wire server's sessions have none).
        await ctx.session.options.beforeFetch?.(Number(args[0]));
        return null;
      case 'invalidate':
        cache.invalidate(String(args[0]));
        return null;
      default:
        throw new DoqlError('internal', `unknown server call ${op}`);
    }
  };
}
