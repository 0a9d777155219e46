// Sends, before SQLite is set up and the statement planned, the requests a SELECT is certain to make (the table it
// lists whole, sql/tree/certain-scans.ts), so that SQLite's set-up runs while they are in flight. The run that misses
// them joins them (EarlyFetches): never a request the statement would not make, never one sent twice.
import { chooseSelectMethod } from './method-choice.js';
import { fetchKeyString, type EarlyFetches, type FetchCache, type FetchedRows, type FetchKey } from './fetcher.js';
import type { Resource } from '../catalog/types.js';
import type { Accounts } from './accounts.js';

/** DOQL_NO_PREFETCH=1 turns early starts off (tests compare the requests sent with and without them). */
export const earlyFetchEnabled = (): boolean => process.env.DOQL_NO_PREFETCH !== '1';

export async function startEarly(
  early: EarlyFetches,
  options: {
    resourceId: string;
    resource: Resource;
    cache: FetchCache;
    statement: number;
    accounts: Accounts;
    fetch: (key: FetchKey) => Promise<FetchedRows>;
    beforeFetch?: (requests: number) => Promise<void>;
  },
): Promise<void> {
  let method;
  try {
    method = chooseSelectMethod(options.resource, new Set());
  } catch {
    return; // the run reports it, as it always did
  }
  // One listing per account, as the table's read asks for it; one the cache still holds fresh is not sent.
  const keys = options.accounts.names
    .map((context): FetchKey => ({ resourceId: options.resourceId, method, params: {}, context }))
    .filter((key) => options.cache.get(fetchKeyString(key), options.statement) === undefined);
  if (!keys.length) return;
  // The question a large fan-out asks comes before anything is sent; the run does not ask it again for these.
  await options.beforeFetch?.(keys.length);
  for (const key of keys) early.start(fetchKeyString(key), (async () => options.fetch(key))());
  // Let the requests leave (the connection opened, the request written) before SQLite's synchronous set-up.
  await new Promise((resolve) => setImmediate(resolve));
}
