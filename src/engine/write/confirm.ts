// Before a write is sent: its dry run (the requests it would send), and the confirmation a change to several rows
// needs (asked on a terminal, or --yes); a collection DELETE first reads what it would remove, to name it.
import { DoqlError } from '../../errors.js';
import type { Resource } from '../../catalog/types.js';
import { columnForParam, pathParamNames } from '../../catalog/param-columns.js';
import type { PlannedRequest } from '../request-builder.js';
import type { ExecuteOptions, StatementResult } from '../types.js';
import type { Planned, WriteContext } from './context.js';

export function queryText(r: PlannedRequest): string {
  const qs = new URLSearchParams(Object.entries(r.query).map(([k, v]) => [k, String(v)])).toString();
  return qs ? `?${qs}` : '';
}

function requestUrl(ctx: WriteContext, r: PlannedRequest): string {
  return `${ctx.mutation.baseUrl ?? ''}${r.path}${queryText(r)}`;
}

/**
 * What a collection DELETE would remove, read through the resource's list with the same filters
 * (ids or names, for the confirmation); undefined when the list cannot take those filters.
 */
export async function bulkTargets(ctx: WriteContext, resource: Resource, r: PlannedRequest, options: ExecuteOptions): Promise<string[] | undefined> {
  // The column an item path names its rows by (the get method's, else any method's), as the catalog records it.
  const byItem = [...resource.methods].sort((a, b) => Number(b.verb === 'select') - Number(a.verb === 'select'));
  const idCol = byItem.map((m) => pathParamNames(m)).map((ps, i) => (ps.length ? columnForParam(byItem[i], ps[ps.length - 1]) : undefined)).find(Boolean);
  if (!idCol) return undefined;
  // The filters' values are bound as parameters, never pasted into the SELECT's text.
  const filters = Object.entries(r.query);
  const where = filters.map(([k], i) => `"${k.replace(/"/g, '""')}" = $${i + 1}`).join(' AND ');
  try {
    const rows = await ctx.select(`SELECT "${idCol}" FROM "${resource.id}" WHERE ${where}`, { ...options, params: filters.map(([, v]) => v) });
    return rows.rows.map((row) => String(row[0]));
  } catch {
    return undefined;
  }
}

/** The requests a --dry-run shows instead of sending them, with how many rows they would change. */
export async function dryRun(ctx: WriteContext, planned: Planned, options: ExecuteOptions): Promise<StatementResult> {
  const { resource, requests, bulk } = planned;
  // The rows a change would touch, as its confirmation would count them (a collection DELETE reads them first).
  const wouldChange = !bulk ? requests.length : ctx.mutation.countBulkInDryRun ? (await bulkTargets(ctx, resource, requests[0], options))?.length : undefined;
  return {
    kind: 'rows',
    columns: [
      { name: 'method', type: 'TEXT' },
      { name: 'url', type: 'TEXT' },
      { name: 'body', type: 'JSON' },
    ],
    rows: requests.map((r) => [r.method, requestUrl(ctx, r), r.body === undefined ? null : JSON.stringify(r.body)]),
    command: `SELECT ${requests.length}`,
    notices: [`dry run: ${requests.length} request${requests.length === 1 ? '' : 's'} not sent${planned.selected ? ' (rows were read to find them)' : ''}`],
    ...(wouldChange !== undefined ? { wouldChange } : {}),
  };
}

/**
 * Asks before a change to several rows (or a collection DELETE that may remove several) and throws, having sent
 * nothing, when it is not confirmed. `affected`: what a collection DELETE would remove, when it could be read.
 */
export async function confirmChange(ctx: WriteContext, verb: string, planned: Planned, affected: string[] | undefined): Promise<void> {
  const { resource, requests, bulk } = planned;
  const opts = ctx.mutation;
  const VERB = verb.toUpperCase();
  if (!((requests.length > 1 && verb !== 'insert') || (bulk && (affected === undefined || affected.length > 1)))) return;
  if (opts.yes) return;
  const list = requests.map((r) => `  ${r.method} ${r.path}${queryText(r)}${r.body ? ` ${JSON.stringify(r.body)}` : ''}`).join('\n');
  const what = bulk
    ? `${VERB} would remove ${affected ? `${affected.length} rows` : 'every matching row'} of ${resource.id}${affected?.length ? ` (${affected.join(', ')})` : ''} in one request:\n${list}`
    : `${VERB} would change ${requests.length} rows of ${resource.id}:\n${list}`;
  const ok = opts.confirm ? await opts.confirm(what, bulk ? affected?.length : requests.length) : false;
  if (ok) return;
  const summary = bulk
    ? `${VERB} would remove ${affected ? `${affected.length} rows` : 'every matching row'} of ${resource.id} (${requests[0].path}${queryText(requests[0])}${affected?.length ? `: ${affected.join(', ')}` : ''}); nothing was sent`
    : `${VERB} would change ${requests.length} rows of ${resource.id} (${requests.map((r) => r.path).join(', ')}); nothing was sent`;
  throw new DoqlError('validation', summary, {
    hint: opts.confirm ? 'not confirmed' : 'rerun with --yes to allow changes to several rows',
  });
}
