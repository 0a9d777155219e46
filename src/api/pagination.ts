// DigitalOcean pagination: read links.pages / meta.total from page 1 and decide how to fetch the rest.
import type { Query } from './types.js';

/** DigitalOcean's maximum page size (the default is 20). */
export const PER_PAGE = 200;
/** 10 million rows at 200 a page: more than that is a broken answer, not an account. */
export const MAX_PAGES = 50_000;

export type PagePlan =
  /** Page 1 was everything. */
  | { kind: 'single' }
  /** Pages 2..lastPage can be fetched at once. */
  | { kind: 'range'; lastPage: number }
  /** No total: follow links.pages.next one page at a time (also cursor paging with page_token). */
  | { kind: 'follow'; next: string };

/** A caller who puts `page` or `per_page` in the query asks for that one page. */
export function isPinned(query: Query | undefined): boolean {
  return query !== undefined && (query['page'] !== undefined || query['per_page'] !== undefined);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The items under `listKey`: the array itself; [] when the key is absent or null (some endpoints omit
 * empty lists); [value] when it holds a single object. undefined when the body is not a JSON object.
 */
export function extractItems(body: unknown, listKey: string): unknown[] | undefined {
  const obj = record(body);
  if (!obj) return undefined;
  const value = obj[listKey];
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null) return [];
  return [value];
}

export function nextLink(body: unknown): string | undefined {
  const next = record(record(record(body)?.['links'])?.['pages'])?.['next'];
  return typeof next === 'string' && next !== '' ? next : undefined;
}

/** The `page` number in a link, if it has one. */
export function pageParam(link: string): number | undefined {
  let url: URL;
  try {
    url = new URL(link, 'http://localhost');
  } catch {
    return undefined;
  }
  const raw = url.searchParams.get('page');
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= 1 ? n : undefined;
}

/**
 * How to fetch the pages after the first. links.pages.last is the server's own count and wins;
 * else meta.total divided by the page size the server really used (page 1's length when it
 * returned fewer than asked but not everything), so a server that caps per_page loses no page.
 */
export function planPages(body: unknown, firstCount: number): PagePlan {
  const obj = record(body);
  const pages = record(record(obj?.['links'])?.['pages']);
  const next = nextLink(body);
  // Cursor paging (page_token) cannot be fetched out of order.
  if (next !== undefined && pageParam(next) === undefined) return { kind: 'follow', next };

  const last = typeof pages?.['last'] === 'string' ? pageParam(pages['last']) : undefined;
  if (last !== undefined) return last > 1 ? { kind: 'range', lastPage: last } : single(next);

  const total = record(obj?.['meta'])?.['total'];
  if (typeof total === 'number' && Number.isFinite(total)) {
    if (firstCount > 0 && firstCount < total) return { kind: 'range', lastPage: Math.ceil(total / firstCount) };
    return single(next);
  }
  return single(next);
}

function single(next: string | undefined): PagePlan {
  // A next link beats a total that says we are done: the list grew, or the total is wrong.
  return next !== undefined ? { kind: 'follow', next } : { kind: 'single' };
}
