// Request URLs: base + path + query, and links from answers pinned to the base's origin.
import { DoqlError } from '../errors.js';
import type { Query } from './types.js';

export function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new DoqlError('usage', `not a valid API URL: ${baseUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DoqlError('usage', `the API URL must be http or https: ${baseUrl}`);
  }
  if (url.username || url.password) {
    throw new DoqlError('usage', 'the API URL must not hold credentials; use a token instead');
  }
  url.search = '';
  url.hash = '';
  return url;
}

function prefixOf(base: URL): string {
  return base.pathname.replace(/\/+$/, '');
}

/** `path` may carry its own query string; `query` is appended (arrays repeat the key, undefined is dropped). */
export function buildUrl(base: URL, path: string, query?: Query): URL {
  const url = /^https?:\/\//i.test(path)
    ? resolveLink(path, base)
    : new URL(`${base.origin}${prefixOf(base)}${path.startsWith('/') ? '' : '/'}${path}`);
  if (query) {
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v));
      else url.searchParams.append(key, String(value));
    }
  }
  return url;
}

/**
 * A link from an answer (links.pages.next), made safe to follow with our token: a link to another origin
 * (the real API host seen through a proxy, or a hostile answer) keeps its path and query but goes to our base.
 */
export function resolveLink(link: string, base: URL): URL {
  let url: URL;
  try {
    url = new URL(link, base);
  } catch {
    throw new DoqlError('api', `the API answered with an unreadable link: ${link.slice(0, 200)}`);
  }
  if (url.origin === base.origin && (url.protocol === 'http:' || url.protocol === 'https:')) return url;
  const prefix = prefixOf(base);
  const path = prefix && !url.pathname.startsWith(`${prefix}/`) ? `${prefix}${url.pathname}` : url.pathname;
  return new URL(`${base.origin}${path}${url.search}`);
}

export function setParam(url: URL, key: string, value: string | number): URL {
  const copy = new URL(url);
  copy.searchParams.set(key, String(value));
  return copy;
}
