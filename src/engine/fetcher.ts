// The read side's link to the API: one request (or one complete listing) per method + params,
// deduplicated within a statement and cached for the session's TTL.
import { assertServedHere } from './served-here.js';
import { ApiError, DoqlError } from '../errors.js';
import type { Column, Method } from '../catalog/types.js';
import { convertColumn, extractItems, type ColumnCache, type SqliteValue } from './rows.js';
import { markLast } from '../timings.js';

export type QueryValue = string | number | boolean;
export type Query = Record<string, QueryValue | undefined>;

/** What the engine needs of the API client (src/api satisfies it). */
export interface EngineApi {
  request(req: { method: string; path: string; query?: Query; headers?: Record<string, string>; body?: unknown; signal?: AbortSignal }): Promise<{
    status: number;
    headers: Record<string, string>;
    body: unknown;
    requestId?: string;
  }>;
  list(req: {
    path: string;
    query?: Query;
    listKey: string;
    signal?: AbortSignal;
    onPage?: (items: unknown[], page: number, body: unknown) => void;
  }): Promise<{ items: unknown[]; pages: number; response: { body: unknown } }>;
  /** True for the sandbox, which also serves, at its one address, the operations the spec puts on other servers. */
  servesEveryPath?: boolean;
}

export interface FetchKey {
  resourceId: string;
  method: Method;
  params: Record<string, QueryValue>;
  /** The account (doctl context) it is fetched from; absent: the session's only one. */
  context?: string;
}

export function fetchKeyString(k: FetchKey): string {
  const params = Object.keys(k.params)
    .sort()
    .map((p) => `${p}=${JSON.stringify(k.params[p])}`)
    .join('&');
  return `${k.context === undefined ? '' : `${JSON.stringify(k.context)}|`}${k.resourceId}|${k.method.operationId}|${params}`;
}

/**
 * Fills `{param}` in a path template, URL-encoding each value. A value of '', '.' or '..' is refused:
 * encodeURIComponent keeps dots, and URL parsing then drops or climbs the segment, so
 * `username = '..'` would turn DELETE /v2/databases/{id}/users/{username} into DELETE /v2/databases/{id}.
 */
export function fillPath(path: string, params: Record<string, unknown>): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = String(params[name]);
    if (value === '' || value === '.' || value === '..') {
      throw new DoqlError('validation', `${name} cannot be '${value}': it fills a segment of the request path`, { sqlState: '22023' });
    }
    return encodeURIComponent(value);
  });
}

/** Query params of a method from the supplied values (path params excluded). */
export function queryOf(method: Method, params: Record<string, QueryValue>): Query {
  const query: Query = {};
  for (const p of method.params) {
    if (p.in === 'query' && params[p.name] !== undefined) query[p.name] = params[p.name];
  }
  return query;
}

/** What one fetch gave: the rows, and the rest of the (first) response body for envelope columns. */
export interface FetchedRows {
  items: unknown[];
  /** The body's other top-level fields (`links`, `meta`), shared by every row. */
  envelope?: Record<string, unknown>;
  /** The object key (`droplets`): its column holds each row as the API returned it. */
  key?: string;
  /** Converted column values, filled as statements read them. */
  cache?: ColumnCache;
  /**
   * Set when the items were dropped once these columns were converted (in `cache`): the rows can
   * serve only statements that read no other column. `size` is then the number of rows.
   */
  only?: ReadonlySet<string>;
  size?: number;
}

/** How many rows a fetch gave. */
export function rowCount(f: FetchedRows): number {
  return f.only ? (f.size ?? 0) : f.items.length;
}

export function envelopeOf(method: Method, body: unknown): Pick<FetchedRows, 'envelope' | 'key'> {
  if (!method.objectKey || method.objectKey === '$' || !body || typeof body !== 'object' || Array.isArray(body)) return {};
  const key = method.objectKey.slice(2);
  const envelope: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (k !== key) envelope[k] = v;
  return { envelope, key };
}

function headersOf(method: Method, params: Record<string, QueryValue>): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const p of method.params) if (p.in === 'header' && params[p.name] !== undefined) (out ??= {})[p.name] = String(params[p.name]);
  return out;
}

function hasNextPage(body: unknown): boolean {
  const links = (body as { links?: { pages?: { next?: unknown } } } | null)?.links;
  return typeof links?.pages?.next === 'string';
}

/**
 * Every page of a list. With `only`, each page is converted to those columns as it arrives and its
 * items dropped, so a listing of 100,000 rows never holds 100,000 parsed objects at once.
 */
async function listAll(
  api: EngineApi,
  method: Method,
  req: { path: string; query: Query; listKey: string; signal?: AbortSignal },
  only?: Column[],
  sink?: PageSink,
): Promise<FetchedRows> {
  if (!only) {
    const { items, response } = await api.list(req);
    return { items, ...envelopeOf(method, response.body) };
  }
  const pages: { size: number; columns: SqliteValue[][] }[] = [];
  let shape: Pick<FetchedRows, 'envelope' | 'key'> = {};
  let called = false;
  const onPage = (items: unknown[], page: number, body: unknown): void => {
    called = true;
    // Page 0 always arrives first: its envelope serves the columns every row shares.
    if (page === 0) shape = envelopeOf(method, body);
    const columns = only.map((c) => convertColumn(items, c, shape));
    if (sink) sink(columns, items.length);
    else pages[page] = { size: items.length, columns };
  };
  const { items, response } = await api.list({ ...req, onPage });
  // An API that does not take onPage returned the items themselves.
  if (!called) return { items, ...envelopeOf(method, response.body) };
  if (sink) return { items: [], ...shape, cache: { columns: new Map() }, only: new Set(), size: 0 };
  const columns = new Map<string, SqliteValue[]>();
  only.forEach((c, j) => {
    const values: SqliteValue[] = [];
    for (const page of pages) for (const v of page.columns[j]) values.push(v);
    columns.set(c.name, values);
  });
  const size = pages.reduce((n, page) => n + page.size, 0);
  return { items: [], ...shape, cache: { columns }, only: new Set(only.map((c) => c.name)), size };
}

/**
 * Fetches the items a method returns for the given params: every page of a list, or one object.
 * `only`: the statement reads no column but these, and nothing after it will (see listAll).
 */
export async function fetchItems(api: EngineApi, key: FetchKey, signal?: AbortSignal, only?: Column[]): Promise<FetchedRows> {
  const rows = await fetchOne(api, key, signal, only);
  markLast('fetched');
  return rows;
}

/** Takes one page's values of the `only` columns (one array per column) as the page arrives. */
export type PageSink = (columns: SqliteValue[][], size: number) => void;

/**
 * Every item a method returns, handed to `sink` a page at a time as the pages arrive (in any order), converted to
 * `only`'s columns and then dropped: for a consumer that takes the rows as they come (`doql sync` writing while
 * later pages are still on their way). Resolves when the last page was handed over.
 */
export async function streamItems(api: EngineApi, key: FetchKey, only: Column[], sink: PageSink, signal?: AbortSignal): Promise<void> {
  const rows = await fetchOne(api, key, signal, only, sink);
  // A single response (or an API without onPage) came whole: hand it over at once.
  if (rows.items.length) sink(only.map((c) => convertColumn(rows.items, c, rows)), rows.items.length);
  markLast('fetched');
}

async function fetchOne(api: EngineApi, key: FetchKey, signal?: AbortSignal, only?: Column[], sink?: PageSink): Promise<FetchedRows> {
  const { method, params } = key;
  assertServedHere(api, key.resourceId, method);
  const path = fillPath(method.path, params);
  const query = queryOf(method, params);
  const pinnedPage = params.page !== undefined || params.per_page !== undefined;
  const listKey = method.returnsList && method.objectKey && method.objectKey !== '$' ? method.objectKey.slice(2) : undefined;
  if (method.paginated && listKey && !pinnedPage) return listAll(api, method, { path, query, listKey, signal }, only, sink);
  try {
    const res = await api.request({ method: method.httpMethod.toUpperCase(), path, query, headers: headersOf(method, params), signal });
    // A list the spec calls unpaged that answers with a next page anyway: fetch every page rather than
    // return part of the listing.
    if (listKey && !pinnedPage && method.httpMethod === 'get' && hasNextPage(res.body)) return listAll(api, method, { path, query, listKey, signal }, only, sink);
    return { items: extractItems(method, res.body), ...envelopeOf(method, res.body) };
  } catch (err) {
    // A get by id that finds nothing is an empty result, not an error.
    if (err instanceof ApiError && err.status === 404 && !method.returnsList && method.path.includes('{')) return { items: [] };
    throw err;
  }
}

interface CacheEntry {
  rows: FetchedRows;
  fetchedAt: number;
  resourceId: string;
  /** The statement that fetched it (a token from beginStatement). */
  statement: number;
}

/** Session read cache: entries live for `ttlMs`, and always for the statement that fetched them. */
export class FetchCache {
  private readonly entries = new Map<string, CacheEntry>();
  hits = 0;
  private readonly counted = new Set<string>();

  private statements = 0;

  constructor(public ttlMs: number) {}

  /**
   * A token for one statement: what it fetched stays fresh for it whatever the TTL. A token, not the
   * statement's start time: with a 1 ms clock, a statement starting in the millisecond the previous
   * one fetched would otherwise take that data as its own, and TTL 0 would not mean fresh data.
   */
  beginStatement(): number {
    return ++this.statements;
  }

  get(key: string, statement: number): FetchedRows | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const own = e.statement === statement;
    const fresh = own || Date.now() - e.fetchedAt < this.ttlMs;
    if (!fresh) {
      this.entries.delete(key);
      return undefined;
    }
    // A hit is a fetch this statement did not have to make (kept from an earlier statement).
    if (!own && !this.counted.has(key)) {
      this.hits++;
      this.counted.add(key);
    }
    return e.rows;
  }

  /** `ownOnly`: the rows serve only this statement, whatever the TTL (an account's stand-in for failed rows under --partial). */
  set(key: string, resourceId: string, rows: FetchedRows, statement: number, ownOnly = false): void {
    this.counted.delete(key);
    this.entries.set(key, { rows, fetchedAt: ownOnly ? -Infinity : Date.now(), resourceId, statement });
  }

  /** Drops what a mutation may have changed: every entry of the resource, and of resources sharing its service. */
  invalidate(resourceId: string): void {
    const service = resourceId.split('.').slice(0, 2).join('.');
    for (const [k, e] of this.entries) {
      if (e.resourceId === resourceId || e.resourceId.startsWith(`${service}.`)) this.entries.delete(k);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * One statement's requests started before its first run (engine/early-fetch.ts), by key: the run that misses one
 * joins it instead of sending its own. Lives as long as the statement: TTL 0 still means data fetched for it.
 */
export class EarlyFetches {
  private readonly started = new Map<string, Promise<FetchedRows>>();

  start(key: string, rows: Promise<FetchedRows>): void {
    // Its error is reported by the run that joins it; a statement that fails before then leaves it unseen.
    rows.catch(() => {});
    this.started.set(key, rows);
  }

  /** The request in flight (or done) for this key, handed over once: later runs read the cache the join filled. */
  join(key: string): Promise<FetchedRows> | undefined {
    const rows = this.started.get(key);
    this.started.delete(key);
    return rows;
  }

  has(key: string): boolean {
    return this.started.has(key);
  }
}
