// The client's pure pieces: redaction, backoff, Retry-After, page planning, body decoding, URLs.
import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { AttemptAbort, whenAborted } from './cancel.js';
import { extractItems, planPages } from './pagination.js';
import { redact } from './redact.js';
import { decodeBody } from './response-body.js';
import { buildUrl, parseBaseUrl, resolveLink } from './url.js';

describe('redact', () => {
  const token = 'my+secret/token';
  it.each([
    ['the token', `x ${token} y`, 'x [REDACTED] y'],
    ['the URL-encoded token', `?t=${encodeURIComponent(token)}`, '?t=[REDACTED]'],
    ['any DigitalOcean token', `dop_v1_${'f'.repeat(64)} and doo_v1_${'1'.repeat(64)}`, '[REDACTED] and [REDACTED]'],
    ['a bearer credential', 'authorization: Bearer abc.def', 'authorization: Bearer [REDACTED]'],
  ])('masks %s', (_name, input, output) => {
    expect(redact(input, token)).toBe(output);
  });
});

describe('backoff', () => {
  it('doubles from the base with full jitter, capped', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 100, 5_000, () => 0.999))).toEqual([99, 199, 399, 799]);
    expect(backoffDelay(20, 100, 5_000, () => 0.5)).toBe(2_500);
    expect(backoffDelay(3, 100, 5_000, () => 0)).toBe(0);
  });

  it.each([
    ['0', 0],
    ['2', 2_000],
    ['1.5', 1_500],
    [new Date(1_003_000).toUTCString(), 3_000], // an HTTP date
    ['soon', undefined],
    [undefined, undefined],
  ] as const)('reads Retry-After %s', (value, ms) => {
    expect(parseRetryAfter(value, 1_000_000)).toBe(ms);
  });
});

describe('planPages', () => {
  const link = (p: number, extra = ''): string => `https://api.digitalocean.com/v2/x?page=${p}&per_page=200${extra}`;
  it.each([
    ['one page', { x: [], links: {}, meta: { total: 3 } }, 3, { kind: 'single' }],
    ['last link', { links: { pages: { next: link(2), last: link(7) } } }, 200, { kind: 'range', lastPage: 7 }],
    ['meta.total', { links: { pages: { next: link(2) } }, meta: { total: 401 } }, 200, { kind: 'range', lastPage: 3 }],
    ['meta.total, server page size', { meta: { total: 95 } }, 20, { kind: 'range', lastPage: 5 }],
    ['next only', { links: { pages: { next: link(2) } } }, 200, { kind: 'follow', next: link(2) }],
    ['cursor', { links: { pages: { next: '/v2/x?page_token=abc', last: link(9) } }, meta: { total: 1800 } }, 200, { kind: 'follow', next: '/v2/x?page_token=abc' }],
    ['no links at all', { x: [1] }, 1, { kind: 'single' }],
  ])('%s', (_name, body, count, plan) => {
    expect(planPages(body, count)).toEqual(plan);
  });

  it('extracts items under the list key', () => {
    expect(extractItems({ a: [1, 2] }, 'a')).toEqual([1, 2]);
    expect(extractItems({ a: { id: 1 } }, 'a')).toEqual([{ id: 1 }]);
    expect(extractItems({}, 'a')).toEqual([]);
    expect(extractItems('text', 'a')).toBeUndefined();
  });
});

describe('decodeBody', () => {
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
  it.each([
    ['application/json; charset=utf-8', '{"a":1}', { a: 1 }, false],
    ['application/vnd.api+json', '[1]', [1], false],
    ['application/json', '{"a":', '{"a":', true],
    ['application/yaml', 'a: 1\n', 'a: 1\n', false],
    ['text/csv', 'a,b\n', 'a,b\n', false],
    [undefined, '{"guess":true}', { guess: true }, false],
    [undefined, '{nope', '{nope', false],
    ['application/json', '', null, false],
  ] as const)('%s %j', (type, text, body, invalidJson) => {
    expect(decodeBody(bytes(text), type)).toEqual({ body, invalidJson });
  });

  it('base64s binary and non-UTF-8 bodies', () => {
    const raw = new Uint8Array([0xff, 0x00, 0xfe]);
    expect(decodeBody(raw, 'application/pdf').body).toBe('/wD+');
    expect(decodeBody(raw, 'text/plain').body).toBe('/wD+');
  });
});

describe('urls', () => {
  it('joins base prefix, path and query', () => {
    const base = parseBaseUrl('http://127.0.0.1:8080/proxy/');
    expect(buildUrl(base, '/v2/droplets', { tag: ['a', 'b'], n: 1, skip: undefined }).href).toBe(
      'http://127.0.0.1:8080/proxy/v2/droplets?tag=a&tag=b&n=1',
    );
  });

  it('pins links from other origins to the base', () => {
    const base = parseBaseUrl('http://127.0.0.1:8080/proxy');
    expect(resolveLink('https://evil.example/v2/x?page=2', base).href).toBe('http://127.0.0.1:8080/proxy/v2/x?page=2');
    expect(resolveLink('http://127.0.0.1:8080/proxy/v2/x?page=2', base).href).toBe('http://127.0.0.1:8080/proxy/v2/x?page=2');
  });

  it('refuses a base URL with credentials', () => {
    expect(() => parseBaseUrl('https://user:pw@api.digitalocean.com')).toThrow(/credentials/);
  });
});

describe('whenAborted', () => {
  it('tells every request still watching, through one listener on the shared signal, and no request that stopped', () => {
    const ac = new AbortController();
    const added: string[] = [];
    const add = ac.signal.addEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((type: string, ...rest: [EventListener, AddEventListenerOptions]) => {
      added.push(type);
      add(type, ...rest);
    }) as typeof ac.signal.addEventListener;
    const told: number[] = [];
    const stops = [1, 2, 3].map((n) => whenAborted(ac.signal, () => told.push(n)));
    stops[1]!();
    ac.abort();
    expect(told).toEqual([1, 3]);
    expect(added).toEqual(['abort']);
    // A request that starts watching after the abort is told at once.
    whenAborted(ac.signal, () => told.push(4));
    expect(told).toEqual([1, 3, 4]);
  });

  it('an attempt abort tells its listeners once, as undici listens to a request signal', () => {
    const a = new AttemptAbort();
    let n = 0;
    a.once('abort', () => n++);
    a.abort();
    a.abort();
    expect(a.aborted).toBe(true);
    expect(n).toBe(1);
  });
});
