// The DigitalOcean API client: one keep-alive pool, a shared in-flight cap, rate-limit pacing, safe retries, pagination.
import { request as undiciRequest } from './undici-core.js';
import { DoqlError } from '../errors.js';
import { backoffDelay } from './backoff.js';
import { createDispatcher } from './dispatcher.js';
import { AttemptAbort, cancelledError, cancelledUnsent, follow, sharedController, throwIfCancelled, wait, whenAborted } from './cancel.js';
import { badBodyFailure, checkAdvice, isSafeMethod, networkFailure, requestIdOf, statusFailure, timeoutFailure } from './failure.js';
import type { Failure, FailureContext } from './failure.js';
import { Limiter } from './limiter.js';
import { extractItems, isPinned, MAX_PAGES, nextLink, PER_PAGE, planPages } from './pagination.js';
import { RateLimitPacer } from './rate-limit.js';
import { redact } from './redact.js';
import { decodeBody } from './response-body.js';
import type {
  ApiClient,
  ApiClientOptions,
  ApiRequest,
  ApiResponse,
  ClientStats,
  ListRequest,
  ListResult,
  RequestEvent,
} from './types.js';
import { buildUrl, parseBaseUrl, resolveLink, setParam } from './url.js';
import { mark } from '../timings.js';
import { monotonicMs } from '../clock.js';

export type {
  ApiClient,
  ApiClientOptions,
  ApiRequest,
  ApiResponse,
  ClientStats,
  ListRequest,
  ListResult,
  Query,
  QueryValue,
  RequestEvent,
} from './types.js';
export { redact } from './redact.js';

const DEFAULTS = {
  // Requests in flight, not a rate: DigitalOcean counts requests per minute (250) and per hour (5,000), never
  // requests in flight, so the cap changes the shape of a burst, not what is counted (the pacer, rate-limit.ts,
  // keeps to the budget). 100 lets a typical page of parents fan out in one wave, as a hand-written Promise.all
  // does (at 64, 100 clusters' backups took a second wave: ~45 ms, ~13% of such a script's time); over HTTP/2
  // they share one connection.
  concurrency: 100,
  retries: 5,
  timeoutMs: 30_000,
  backoffBaseMs: 100,
  backoffMaxMs: 5_000,
  userAgent: 'doql',
};

/** How long an idle pooled connection is kept: a statement's rounds reuse warm TLS connections. */
const KEEP_ALIVE_MS = 30_000;

type AttemptResult = { ok: true; response: ApiResponse } | { ok: false; failure: Failure };

function intOption(value: number | undefined, fallback: number, min: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min) throw new DoqlError('usage', `${name} must be a number >= ${min}`);
  return Math.floor(value);
}

function checkToken(raw: string): string {
  const token = (raw ?? '').trim();
  if (token === '') {
    throw new DoqlError('auth', 'No DigitalOcean API token was given to the API client.');
  }
  // Control or non-Latin-1 characters cannot go in a header; say so without echoing the token.
  if (/[^\x20-\x7e\x80-\xff]/.test(token)) {
    throw new DoqlError('auth', 'The DigitalOcean API token contains characters that cannot be sent in an HTTP header.');
  }
  return token;
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = parseBaseUrl(options.baseUrl);
  const token = checkToken(options.token);
  const concurrency = intOption(options.concurrency, DEFAULTS.concurrency, 1, 'concurrency');
  const retries = intOption(options.retries, DEFAULTS.retries, 0, 'retries');
  const timeoutMs = intOption(options.timeoutMs, DEFAULTS.timeoutMs, 1, 'timeoutMs');
  const backoffBaseMs = intOption(options.backoffBaseMs, DEFAULTS.backoffBaseMs, 0, 'backoffBaseMs');
  const backoffMaxMs = intOption(options.backoffMaxMs, DEFAULTS.backoffMaxMs, 0, 'backoffMaxMs');
  const sleep = options.sleep;

  // One connection per allowed in-flight request, kept alive. Measured on localhost, plain HTTP, 64 in
  // flight: 3000 GETs in ~0.5-0.8 s kept alive vs ~1.4-1.6 s with a new connection each; over TLS to a
  // distant API each new connection also costs handshake round trips, so the gap only grows. Where the
  // server offers HTTP/2, one connection carries them all (dispatcher.ts).
  const agent = createDispatcher({
    connections: concurrency,
    keepAliveMs: KEEP_ALIVE_MS,
    // Backstops only: the per-attempt timer below is the real deadline.
    timeoutMs: timeoutMs + 1_000,
    ca: options.ca,
  });
  const limiter = new Limiter(concurrency);
  const pacer = new RateLimitPacer({ sleep, maxWaitMs: options.maxWaitMs, onWait: options.onRateLimitWait });
  const counters = { requests: 0, pages: 0, retries: 0, rateLimitWaits: 0, inFlight: 0, done: 0, bytes: 0, rows: 0, rowsExpected: 0 };
  const fixedHeaders: Record<string, string> = {
    authorization: `Bearer ${token}`,
    accept: 'application/json, */*;q=0.8',
    'user-agent': options.userAgent ?? DEFAULTS.userAgent,
  };
  let closed = false;

  const emit = (ev: RequestEvent): void => {
    if (!options.onRequest) return;
    try {
      options.onRequest({ ...ev, url: redact(ev.url, token), error: ev.error === undefined ? undefined : redact(ev.error, token) });
    } catch {
      // A failing listener (a -v printer) must not fail the request it reports on.
    }
  };

  /** One HTTP exchange under the in-flight cap and the rate-limit budget. */
  async function attempt(method: string, url: URL, payload: string | undefined, ctx: FailureContext, n: number, signal: AbortSignal | undefined, extraHeaders?: Record<string, string>): Promise<AttemptResult> {
    const what = `${method} ${url.pathname}`;
    let release: () => void;
    try {
      release = await limiter.acquire(signal);
    } catch {
      throw cancelledUnsent(what);
    }
    try {
      const waited = await pacer.acquire(signal).catch((err: unknown) => {
        // A wait past --max-wait says so; anything else here is the caller's abort.
        throw err instanceof DoqlError && err.code !== 'cancelled' ? err : cancelledUnsent(what);
      });
      if (waited) counters.rateLimitWaits++;
      if (signal?.aborted) {
        pacer.release();
        throw cancelledUnsent(what);
      }
      return await exchange(method, url, payload, ctx, n, signal, extraHeaders);
    } finally {
      release();
    }
  }

  /** Sends and reads one request; the pacer slot taken by `attempt` is given back here. */
  async function exchange(method: string, url: URL, payload: string | undefined, ctx: FailureContext, n: number, signal: AbortSignal | undefined, extraHeaders?: Record<string, string>): Promise<AttemptResult> {
    counters.requests++;
    counters.inFlight++;
    const started = monotonicMs();
    const controller = new AttemptAbort();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const unwatch = whenAborted(signal, () => controller.abort());
    let status = 0;
    let headers: Record<string, string> | undefined;
    const base = extraHeaders ? { ...extraHeaders, ...fixedHeaders } : fixedHeaders;
    const headersOut = payload === undefined ? base : { ...base, 'content-type': 'application/json' };
    let result: AttemptResult;
    mark('first request');
    try {
      const res = await undiciRequest(url, { dispatcher: agent, method, headers: headersOut, body: payload, signal: controller });
      status = res.statusCode;
      mark('first response');
      headers = flattenHeaders(res.headers);
      const bytes = new Uint8Array(await res.body.arrayBuffer());
      counters.bytes += bytes.length;
      const contentType = headers['content-type'];
      const decoded = decodeBody(bytes, contentType);
      if (status >= 200 && status < 300) {
        const requestId = requestIdOf(headers, decoded.body);
        result = decoded.invalidJson
          ? { ok: false, failure: badBodyFailure(ctx, status, requestId) }
          : { ok: true, response: { status, headers: redactHeaders(headers), body: decoded.body, contentType, requestId } };
      } else {
        result = { ok: false, failure: statusFailure(ctx, { status, headers, body: decoded.body, contentType }, Date.now()) };
      }
    } catch (err) {
      if (signal?.aborted) {
        finish(undefined, 'cancelled');
        throw cancelledAfterSend(ctx);
      }
      const requestId = headers?.['x-request-id'];
      result = { ok: false, failure: timedOut ? timeoutFailure(ctx, timeoutMs, requestId) : networkFailure(ctx, err, requestId) };
    }
    finish(result.ok ? undefined : result.failure.summary);
    return result;

    function finish(error: string | undefined, why?: string): void {
      clearTimeout(timer);
      unwatch();
      counters.inFlight--;
      counters.done++;
      pacer.release(headers);
      if (options.onRequest) emit({ method, url: url.toString(), status, ms: Math.round(monotonicMs() - started), attempt: n, error: error ?? why });
    }
  }

  function redactHeaders(headers: Record<string, string>): Record<string, string> {
    for (const [k, v] of Object.entries(headers)) if (v.includes(token)) headers[k] = redact(v, token);
    return headers;
  }

  /** A caller's abort while a request was on the wire: for a mutation, say that it may have happened. */
  function cancelledAfterSend(ctx: FailureContext): DoqlError {
    if (isSafeMethod(ctx.method)) return cancelledError(`${ctx.method} ${ctx.path}`);
    return new DoqlError(
      'cancelled',
      `${ctx.method} ${ctx.path}: cancelled after the request was sent; the outcome is unknown. ${checkAdvice(ctx.method)}`,
      { hint: checkAdvice(ctx.method) },
    );
  }

  /** The retry loop around `attempt`. */
  async function execute(method: string, url: URL, body: unknown, signal: AbortSignal | undefined, extraHeaders?: Record<string, string>): Promise<ApiResponse> {
    if (closed) throw new DoqlError('internal', 'the API client is closed');
    const ctx: FailureContext = { method, path: url.pathname, token, tokenSource: options.tokenSource };
    const what = `${method} ${url.pathname}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let n = 1; ; n++) {
      throwIfCancelled(signal, what);
      const result = await attempt(method, url, payload, ctx, n, signal, extraHeaders);
      if (result.ok) return result.response;
      const { failure } = result;
      if (!failure.retryable || n > retries) throw failure.build(n);
      counters.retries++;
      if (failure.rateLimited) {
        // The pacer now holds every request until Retry-After (or the reset); back off only when it cannot.
        if (pacer.throttled(failure.retryAfterMs) === undefined) {
          await wait(backoffDelay(n, backoffBaseMs, backoffMaxMs), signal, { sleep, what });
        }
      } else if (failure.retryAfterMs !== undefined) {
        await wait(Math.min(failure.retryAfterMs, 60_000), signal, { sleep, what });
      } else {
        await wait(backoffDelay(n, backoffBaseMs, backoffMaxMs), signal, { sleep, what });
      }
    }
  }

  /** Counts a page and its rows as it arrives, so a progress line can show rows before the list is complete. */
  function pageArrived(response: ApiResponse, listKey: string): void {
    counters.pages++;
    counters.rows += extractItems(response.body, listKey)?.length ?? 0;
  }

  function itemsOf(response: ApiResponse, url: URL, listKey: string): unknown[] {
    const items = extractItems(response.body, listKey);
    if (items === undefined) {
      const rid = response.requestId ? ` (request id ${response.requestId})` : '';
      throw new DoqlError('api', `GET ${url.pathname}: expected a JSON object with "${listKey}", got ${describe(response.body)}${rid}`);
    }
    return items;
  }

  /**
   * Pages fetched at once, each handed to `each` as it arrives (so its body need not outlive it);
   * the first failure cancels the rest and fails the whole list.
   */
  async function fetchAll<T>(urls: URL[], listKey: string, signal: AbortSignal | undefined, each: (response: ApiResponse, i: number) => T): Promise<T[]> {
    const inner = sharedController();
    const onAbort = (): void => inner.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let firstError: unknown;
    try {
      const settled = await Promise.allSettled(
        urls.map((url, i) =>
          execute('GET', url, undefined, inner.signal).then(
            (response) => {
              pageArrived(response, listKey);
              return each(response, i);
            },
          ).catch((err: unknown) => {
            if (firstError === undefined) {
              firstError = err;
              inner.abort();
            }
            throw err;
          }),
        ),
      );
      if (signal?.aborted) throw cancelledError(`GET ${urls[0]?.pathname ?? ''}`);
      if (firstError !== undefined) throw firstError;
      return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async function list(req: ListRequest): Promise<ListResult> {
    const { listKey, onPage } = req;
    const signal = follow(req.signal);
    const url = buildUrl(base, req.path, req.query);
    // A page's items, kept in the result or handed to onPage (which keeps only what its caller needs).
    const take = (response: ApiResponse, pageUrl: URL, page: number): unknown[] => {
      const items = itemsOf(response, pageUrl, listKey);
      if (!onPage) return items;
      onPage(items, page, response.body);
      return [];
    };
    if (isPinned(req.query)) {
      const response = await execute('GET', url, undefined, signal);
      pageArrived(response, listKey);
      return { items: take(response, url, 0), pages: 1, response };
    }
    const firstUrl = setParam(url, 'per_page', PER_PAGE);
    const first = await execute('GET', firstUrl, undefined, signal);
    pageArrived(first, listKey);
    counters.rowsExpected += metaTotal(first.body) ?? 0;
    const firstItems = itemsOf(first, firstUrl, listKey);
    const plan = planPages(first.body, firstItems.length);
    const chunks: unknown[][] = [take(first, firstUrl, 0)];
    let next: string | undefined;
    if (plan.kind === 'range') {
      if (plan.lastPage > MAX_PAGES) {
        throw new DoqlError('api', `GET ${url.pathname}: the API reported ${plan.lastPage} pages, more than doql will fetch (${MAX_PAGES})`);
      }
      const urls: URL[] = [];
      for (let page = 2; page <= plan.lastPage; page++) urls.push(setParam(firstUrl, 'page', page));
      const rest = await fetchAll(urls, listKey, signal, (response, i) => ({
        items: take(response, urls[i]!, i + 1),
        // The list may have grown since page 1 was counted: keep going while the last page says so.
        next: i === urls.length - 1 ? nextLink(response.body) : undefined,
      }));
      for (const r of rest) chunks.push(r.items);
      next = rest.at(-1)?.next;
    } else if (plan.kind === 'follow') {
      next = plan.next;
    }
    const seen = new Set<string>([firstUrl.href]);
    while (next !== undefined) {
      let pageUrl = resolveLink(next, base);
      // A link that forgets per_page would page at the default size and repeat items.
      if (!pageUrl.searchParams.has('per_page')) pageUrl = setParam(pageUrl, 'per_page', PER_PAGE);
      if (seen.has(pageUrl.href)) {
        throw new DoqlError('api', `GET ${url.pathname}: the API's next-page links loop; refusing to return a partial list`);
      }
      if (chunks.length >= MAX_PAGES) {
        throw new DoqlError('api', `GET ${url.pathname}: more than ${MAX_PAGES} pages; refusing to continue`);
      }
      seen.add(pageUrl.href);
      const response = await execute('GET', pageUrl, undefined, signal);
      pageArrived(response, listKey);
      chunks.push(take(response, pageUrl, chunks.length));
      next = nextLink(response.body);
    }
    return { items: chunks.flat(), pages: chunks.length, response: first };
  }

  return {
    request(req: ApiRequest): Promise<ApiResponse> {
      const method = req.method.toUpperCase();
      return execute(method, buildUrl(base, req.path, req.query), req.body, follow(req.signal), req.headers);
    },
    list,
    stats(): ClientStats {
      return { ...counters, rateLimitWaitUntil: pacer.waitingUntilMs() };
    },
    async close(): Promise<void> {
      closed = true;
      await agent.close();
    },
  };
}

/** meta.total, when the first page of a list gives it: the progress line's "of N". */
function metaTotal(body: unknown): number | undefined {
  const meta = body !== null && typeof body === 'object' ? (body as { meta?: { total?: unknown } }).meta : undefined;
  return typeof meta?.total === 'number' && Number.isFinite(meta.total) ? meta.total : undefined;
}

function describe(body: unknown): string {
  if (body === null) return 'an empty body';
  if (Array.isArray(body)) return 'a JSON array';
  return typeof body === 'string' ? 'a non-JSON body' : `a JSON ${typeof body}`;
}
