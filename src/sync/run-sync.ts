// Runs a sync: each planned resource fetched through the engine (its listing written page by page as it arrives; a
// followed resource or --query as one SELECT, joins and all), written to the destination in
// its own transaction. A failed resource leaves its table as it was; the others still go.
import { DoqlError, isDoqlError } from '../errors.js';
import type { DoqlSession } from '../engine/session.js';
import type { Destination, SyncMode } from './destination.js';
import { isSkipped, planResource, resolvePatterns, resultColumns, type Skipped, type SyncPlan } from './plan.js';
import { streamResource } from './stream-resource.js';

export interface SyncOptions {
  patterns: string[];
  /** Plans of `--query` files, run after the resources. */
  queries?: SyncPlan[];
  mode: SyncMode;
  /** The context of rows whose statement does not say (a --query without a context column). */
  context: string;
  /** Every account the run reads (--context a,b): replace mode replaces each one's rows. */
  contexts?: readonly string[];
  /** One line per event (skipped resource, resource done), for stderr. */
  log: (line: string) => void;
  /** Called before each resource, for a progress line. */
  onResource?: (resource: string, index: number, total: number) => void;
}

export interface SyncResult {
  syncedAt: Date;
  resources: number;
  rows: number;
  skipped: Skipped[];
  failed: { resource: string; message: string }[];
}

export async function runSync(session: DoqlSession, destination: Destination, o: SyncOptions): Promise<SyncResult> {
  const catalog = session.catalog.catalog;
  const plans = [...(o.patterns.length ? resolvePatterns(catalog, o.patterns).map((r) => planResource(catalog, r)) : []), ...(o.queries ?? [])];
  // One instant for the whole run, so `WHERE synced_at = …` gives every resource's state at that sync.
  const syncedAt = new Date();
  const result: SyncResult = { syncedAt, resources: 0, rows: 0, skipped: [], failed: [] };
  for (const p of plans) if (isSkipped(p)) result.skipped.push(p);
  for (const s of result.skipped) o.log(`skipped ${s.resource}: ${s.reason}`);
  const todo = plans.filter((p) => !isSkipped(p));
  // --partial leaves a failed account's rows out, with a warning: that takes the SELECT's way.
  const accounts = await session.accounts();
  const streams = !(accounts.partial && accounts.names.length > 1);
  for (const [i, plan] of todo.entries()) {
    if (isSkipped(plan)) continue;
    o.onResource?.(plan.resource, i, todo.length);
    try {
      const snapshot = { context: o.context, contexts: o.contexts, syncedAt, mode: o.mode };
      let count: number;
      if (plan.listing && plan.columns && streams) {
        // Pages go into the table as they arrive, in the resource's one transaction, undone if a later page fails.
        const writer = await destination.begin(plan.table, plan.columns, snapshot);
        try {
          count = await streamResource(session, plan.resource, plan.columns, (rows, context) => writer.add(rows, context));
          await writer.commit();
        } catch (err) {
          await writer.rollback();
          throw err;
        }
      } else {
        const fetched = await session.select(plan.sql);
        // A result's `context` column (a resource's always, a --query's when it selects one) is each row's account.
        const at = fetched.columns.findIndex((c) => c.name === 'context');
        const columns = plan.columns ?? resultColumns(fetched.columns.filter((_, k) => k !== at));
        const rows = at < 0 ? fetched.rows : fetched.rows.map((r) => r.filter((_, k) => k !== at));
        const rowContexts = at < 0 ? undefined : fetched.rows.map((r) => String(r[at]));
        await destination.write(plan.table, columns, rows, { ...snapshot, rowContexts });
        count = fetched.rows.length;
      }
      result.resources++;
      result.rows += count;
      o.log(`${plan.resource} → ${plan.table}: ${count} row${count === 1 ? '' : 's'}${plan.followedFrom ? ` (followed from ${plan.followedFrom})` : ''}`);
    } catch (err) {
      if (!isDoqlError(err) && !(err instanceof Error)) throw err;
      result.failed.push({ resource: plan.resource, message: err.message });
      o.log(`failed ${plan.resource}: ${err.message} (its table is as it was)`);
    }
  }
  return result;
}

/** The error a run with failures ends with: it names every failed resource. */
export function failureError(result: SyncResult): DoqlError | undefined {
  if (!result.failed.length) return undefined;
  const [first, ...rest] = result.failed;
  const others = rest.length ? `; also failed: ${rest.map((f) => f.resource).join(', ')}` : '';
  return new DoqlError('api', `sync of ${first.resource} failed: ${first.message}${others}`, {
    hint: `${result.resources} other resource${result.resources === 1 ? ' was' : 's were'} written; a failed resource's table keeps its previous snapshot`,
  });
}
