// What a write needs from the session it runs in (the catalog, the SELECT path, the API, the read cache) and what
// its plan holds: the narrow interface the plan, send and report steps depend on. DoqlSession is one.
import type { LoadedCatalog } from '../../catalog/load.js';
import type { Column, Method, Resource } from '../../catalog/types.js';
import type { Accounts } from '../accounts.js';
import type { EngineApi } from '../fetcher.js';
import type { PlannedRequest } from '../request-builder.js';
import type { SqliteValue } from '../rows.js';
import type { MutationOptions } from '../session.js';
import type { ExecuteOptions, StatementResult } from '../types.js';

export interface WriteContext {
  readonly catalog: LoadedCatalog;
  readonly mutation: MutationOptions;
  readonly cache: { invalidate(resourceId: string): void };
  resource(id: string): Resource;
  /** Runs a SELECT's text through the SELECT path (a source, the rows a WHERE picks, SET values). */
  select(sql: string, options?: ExecuteOptions): Promise<StatementResult>;
  /** Evaluates a RETURNING list over rows. */
  returningRows(columns: { name: string; sqlType: Column['sqlType'] }[], rows: (SqliteValue | boolean)[][], list: string): StatementResult;
  api(): EngineApi;
  /** The accounts the session runs over (several under --context a,b). */
  accounts(): Promise<Accounts>;
  /** Narrows the statement (its reads and requests) to one account; undefined undoes it. */
  narrowTo(accounts: Accounts | undefined): void;
}

export type SqlValue = string | number | bigint | boolean | null;

/** A write's requests, planned and validated, before anything is sent. */
export interface Planned {
  resource: Resource;
  method: Method;
  requests: PlannedRequest[];
  /** Reads were needed to find the rows (a WHERE that is not only the method's parameters). */
  selected: boolean;
  /** DELETE … RETURNING: the rows as they were before, since a delete answers with no body. */
  deleted?: StatementResult;
  /** A DELETE on a collection (`DELETE /v2/droplets?tag_name=ci`): one request that can remove many rows. */
  bulk: boolean;
}
