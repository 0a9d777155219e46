// Sends a write's requests, all of them, once each: none is retried here (the API client retries only what provably
// did not reach the server), and when some fail the error names which succeeded and which failed, so nothing is
// lost or sent twice by a rerun. The resource's cached reads are dropped, whatever happened.
import { DoqlError } from '../../errors.js';
import { notSent } from '../../api/cancel.js';
import type { PlannedRequest } from '../request-builder.js';
import type { ExecuteOptions } from '../types.js';
import type { WriteContext } from './context.js';

export interface Sent {
  body: unknown;
  status: number;
}

export async function sendAll(ctx: WriteContext, resourceId: string, requests: PlannedRequest[], options: ExecuteOptions): Promise<Sent[]> {
  const api = ctx.api();
  const settled = await Promise.allSettled(requests.map((r) => api.request({ method: r.method, path: r.path, query: r.query, headers: r.headers, body: r.body, signal: options.signal })));
  ctx.cache.invalidate(resourceId);
  const failed = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ i, err: s.reason as unknown }] : []));
  if (failed.length) {
    const first = failed[0].err;
    if (requests.length === 1) throw first;
    const done = requests.filter((_, i) => settled[i].status === 'fulfilled').map((r) => r.label);
    // Ctrl-C (or --timeout) stops requests not yet sent: those are named apart, as changes that did not happen.
    const unsent = failed.filter((f) => notSent(f.err));
    const sentAndFailed = failed.filter((f) => !notSent(f.err));
    const why = first instanceof Error ? first.message : String(first);
    // One request of unknown outcome makes the statement's outcome unknown: say so, with how to check.
    const unknown = failed.map((f) => f.err).find((e) => e instanceof DoqlError && e.code === 'unknown_outcome') as DoqlError | undefined;
    const code = unknown ? 'unknown_outcome' : first instanceof DoqlError ? first.code : 'api';
    const hint = (unknown ?? (first instanceof DoqlError ? first : undefined))?.hint;
    throw new DoqlError(
      code,
      `${failed.length} of ${requests.length} requests failed (first: ${why}); succeeded: ${done.join(', ') || 'none'}; failed: ${sentAndFailed.map((f) => requests[f.i].label).join(', ') || 'none'}` +
        (unsent.length ? `; not sent: ${unsent.map((f) => requests[f.i].label).join(', ')}` : ''),
      { cause: first, ...(hint ? { hint } : {}) },
    );
  }
  return settled.map((s) => (s as PromiseFulfilledResult<Sent>).value);
}
