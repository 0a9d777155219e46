// The read side's link to the API: one request (or one complete listing) per method + params,
// deduplicated within a statement and cached for the session's TTL.
import { ApiError } from '../errors.js';
import type { Method } from '../catalog/types.js';
import { extractItems } from './rows.js';

export type QueryValue = string | number | boolean;
export type Query = Record<string, QueryValue | undefined>;

/** What the engine needs of the API client (src/api satisfies it). */
export interface EngineApi {
  request(req: { method: string; path: string; query?: Query; body?: unknown; signal?: AbortSignal }): Promise<{
    status: number;
    headers: Record<string, string>;
    body: unknown;
    requestId?: string;
  }>;
  list(req: { path: string; query?: Query; listKey: string; signal?: AbortSignal }): Promise<{ items: unknown[]; pages: number }>;
}

export interface FetchKey {
  resourceId: string;
  method: Method;
  params: Record<string, QueryValue>;
}

export function fetchKeyString(k: FetchKey): string {
  const params = Object.keys(k.params)
    .sort()
    .map((p) => `${p}=${JSON.stringify(k.params[p])}`)
    .join('&');
  return `${k.resourceId}|${k.method.operationId}|${params}`;
}

/** Fills `{param}` in a path template, URL-encoding each value. */
export function fillPath(path: string, params: Record<string, unknown>): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(String(params[name])));
}

/** Query params of a method from the supplied values (path params excluded). */
export function queryOf(method: Method, params: Record<string, QueryValue>): Query {
  const query: Query = {};
  for (const p of method.params) {
    if (p.in === 'query' && params[p.name] !== undefined) query[p.name] = params[p.name];
  }
  return query;
}

/** Fetches the items a method returns for the given params: every page of a list, or one object. */
export async function fetchItems(api: EngineApi, key: FetchKey, signal?: AbortSignal): Promise<unknown[]> {
  const { method, params } = key;
  const path = fillPath(method.path, params);
  const query = queryOf(method, params);
  const pinnedPage = params.page !== undefined || params.per_page !== undefined;
  if (method.paginated && method.returnsList && method.objectKey && method.objectKey !== '$' && !pinnedPage) {
    const { items } = await api.list({ path, query, listKey: method.objectKey.slice(2), signal });
    return items;
  }
  try {
    const res = await api.request({ method: method.httpMethod.toUpperCase(), path, query, signal });
    return extractItems(method, res.body);
  } catch (err) {
    // A get by id that finds nothing is an empty result, not an error.
    if (err instanceof ApiError && err.status === 404 && !method.returnsList && method.path.includes('{')) return [];
    throw err;
  }
}

interface CacheEntry {
  items: unknown[];
  fetchedAt: number;
  resourceId: string;
}

/** Session read cache: entries live for `ttlMs`, and always for the statement that fetched them. */
export class FetchCache {
  private readonly entries = new Map<string, CacheEntry>();
  hits = 0;
  private readonly counted = new Set<string>();

  constructor(public ttlMs: number) {}

  get(key: string, statementStart: number): unknown[] | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const fresh = e.fetchedAt >= statementStart || Date.now() - e.fetchedAt < this.ttlMs;
    if (!fresh) {
      this.entries.delete(key);
      return undefined;
    }
    // A hit is a fetch this statement did not have to make (kept from an earlier statement).
    if (e.fetchedAt < statementStart && !this.counted.has(key)) {
      this.hits++;
      this.counted.add(key);
    }
    return e.items;
  }

  set(key: string, resourceId: string, items: unknown[]): void {
    this.counted.delete(key);
    this.entries.set(key, { items, fetchedAt: Date.now(), resourceId });
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
