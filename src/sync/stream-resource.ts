// Reads one resource for a sync as its pages arrive: the plain listing a `SELECT … FROM resource` would make (the
// same method, pages and concurrency, over every account), each page's rows handed on at once, so that the
// destination writes them while later pages are still on their way.
import { accountError } from '../engine/accounts.js';
import { streamItems } from '../engine/fetcher.js';
import { chooseSelectMethod } from '../engine/method-choice.js';
import type { DoqlSession } from '../engine/session.js';
import type { CellValue } from '../engine/types.js';
import { DoqlError } from '../errors.js';
import type { SyncColumn } from './plan.js';

/** Takes one page of rows (in `columns`' order) and the account they came from. */
export type RowSink = (rows: CellValue[][], context: string) => void;

/**
 * Lists `resourceId` over the session's accounts, handing each page to `sink`; resolves with the number of rows.
 * One account failing stops the others and fails the whole, naming the account when there are several.
 */
export async function streamResource(session: DoqlSession, resourceId: string, columns: readonly SyncColumn[], sink: RowSink): Promise<number> {
  const resource = session.resource(resourceId);
  const wanted = columns.map((c) => {
    const column = resource.columns.find((rc) => rc.name === c.name);
    if (!column) throw new DoqlError('internal', `${resourceId} has no column ${c.name}`);
    return column;
  });
  const method = chooseSelectMethod(resource, new Set());
  const accounts = await session.accounts();
  await session.options.beforeFetch?.(accounts.names.length);
  const stop = new AbortController();
  let first: unknown;
  let total = 0;
  await Promise.allSettled(
    accounts.names.map(async (context) => {
      try {
        await streamItems(
          accounts.api(context),
          { resourceId, method, params: {}, context },
          wanted,
          (values, size) => {
            const rows: CellValue[][] = new Array(size);
            for (let i = 0; i < size; i++) {
              const row: CellValue[] = new Array(values.length);
              for (let k = 0; k < values.length; k++) row[k] = values[k][i];
              rows[i] = row;
            }
            total += size;
            session.stats.rowsFetched += size;
            sink(rows, context);
          },
          stop.signal,
        );
      } catch (err) {
        // The first failure is the one to report; the others were stopped because of it.
        if (first === undefined) {
          first = accountError(err, context, accounts);
          stop.abort();
        }
      }
    }),
  );
  if (first !== undefined) throw first;
  return total;
}
