// The public contract of the DigitalOcean API client: options, requests, responses, events and stats.
import type { RateLimitWait } from './rate-limit.js';
export type { RateLimitWait } from './rate-limit.js';

/** Query values as callers hand them over; arrays repeat the key (`tag=a&tag=b`), undefined is dropped. */
export type QueryValue = string | number | boolean | (string | number)[] | undefined;
export type Query = Record<string, QueryValue>;

/** One event per HTTP attempt, for `-v`. Never holds the token. */
export interface RequestEvent {
  method: string;
  /** The full URL with the query string, token-free. */
  url: string;
  /** The HTTP status, or 0 when no answer came (network error, timeout, cancel). */
  status: number;
  /** Wall time of this attempt, including reading the body. */
  ms: number;
  /** 1 for the first try, 2 for the first retry, … */
  attempt: number;
  /** Why this attempt failed (one line, token-free), when it did. */
  error?: string;
}

export interface ApiClientOptions {
  /** e.g. `https://api.digitalocean.com` or `http://127.0.0.1:8080`; a path prefix is kept. */
  baseUrl: string;
  token: string;
  /** Cap on requests in flight, shared by everything using this client. Default 100 (client.ts says why). */
  concurrency?: number;
  /** Retries after the first attempt. Default 5. */
  retries?: number;
  /** Per attempt, headers and body included. Default 30000. */
  timeoutMs?: number;
  userAgent?: string;
  /** Where the token came from, named when the API rejects it (`DIGITALOCEAN_TOKEN`, a doctl context). */
  tokenSource?: { where: string; fix: string };
  onRequest?: (ev: RequestEvent) => void;
  /** A rate-limit wait longer than this fails at once, saying when the limit resets. Default: no limit. */
  maxWaitMs?: number;
  /** A wait on the rate limit begins (reported once, however many requests share it). */
  onRateLimitWait?: (wait: RateLimitWait) => void;
  /** Replaces the timer used for backoff and rate-limit waits (tests). Cancellation is still prompt. */
  sleep?: (ms: number) => Promise<void>;
  /** First backoff step for retries; full jitter, doubling, capped by backoffMaxMs. Default 100. */
  backoffBaseMs?: number;
  /** Default 5000. */
  backoffMaxMs?: number;
  /** CA certificates (PEM texts) trusted besides the system's: `--ca FILE`, e.g. a sandbox's self-signed one. */
  ca?: string[];
}

export interface ApiResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Parsed JSON; a string for text (YAML, CSV); a base64 string for binary (PDF); null when empty. */
  body: unknown;
  contentType?: string;
  requestId?: string;
}

export interface ApiRequest {
  method: string;
  /** `/v2/droplets`, with path parameters already filled in. */
  path: string;
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  /** Extra headers the operation defines (`X-Dangerous`); they cannot replace Authorization. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ListRequest {
  path: string;
  query?: Query;
  /** The key of the array in each page, e.g. `backups`. */
  listKey: string;
  signal?: AbortSignal;
  /**
   * Takes each page's items as it arrives (page 0 first, then the others in any order), instead of the
   * result holding them: the caller keeps what it needs and the page's parsed body can be freed at once.
   * When given, the result's `items` is empty.
   */
  onPage?: (items: unknown[], page: number, body: unknown) => void;
}

export interface ListResult {
  items: unknown[];
  /** How many pages were fetched. */
  pages: number;
  /** The first page. */
  response: ApiResponse;
}

export interface ClientStats {
  /** HTTP attempts sent (retries included). */
  requests: number;
  /** List pages fetched. */
  pages: number;
  retries: number;
  /** Times a request waited for the rate limit (pacing or 429). */
  rateLimitWaits: number;
  /** Attempts sent and not yet answered. */
  inFlight: number;
  /** Attempts finished, whatever the outcome. */
  done: number;
  /** Response body bytes received. */
  bytes: number;
  /** List items received so far (counted as pages arrive). */
  rows: number;
  /** The sum of `meta.total` of the lists that reported one. */
  rowsExpected: number;
  /** Local epoch ms the current rate-limit wait ends; 0 when none. */
  rateLimitWaitUntil: number;
}

export interface ApiClient {
  request(req: ApiRequest): Promise<ApiResponse>;
  /**
   * Every page of a list (per_page=200): pages 2..N concurrently when page 1 reveals the total,
   * else following links.pages.next. Items in page order; any failed page fails the whole list.
   * A `page` or `per_page` in the query pins that one page.
   */
  list(req: ListRequest): Promise<ListResult>;
  stats(): ClientStats;
  /** Closes pooled connections; the client is unusable afterwards. */
  close(): Promise<void>;
}
