// Test fixture: a real node:http server on 127.0.0.1 that answers like DigitalOcean (pages, rate-limit headers, faults).
// Used by src/api/*.test.ts until the sandbox exists; nothing in the client imports it.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  /** Path + query as received. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** ms since the server started. */
  at: number;
}

export type Handler = (req: SeenRequest, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export interface FakeServer {
  url: string;
  port: number;
  requests: SeenRequest[];
  /** Most requests being handled at once. */
  maxConcurrent: number;
  /** TCP connections accepted (keep-alive shows as few). */
  connections: number;
  count(path?: string): number;
  close(): Promise<void>;
}

export async function startFakeServer(handler: Handler, port = 0): Promise<FakeServer> {
  const started = Date.now();
  let current = 0;
  const state = { maxConcurrent: 0, connections: 0 };
  const requests: SeenRequest[] = [];
  const server = createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on('data', (c: Buffer) => chunks.push(c));
    raw.on('end', () => {
      const url = new URL(raw.url ?? '/', 'http://localhost');
      const seen: SeenRequest = {
        method: raw.method ?? 'GET',
        url: raw.url ?? '/',
        path: url.pathname,
        query: url.searchParams,
        headers: raw.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now() - started,
      };
      requests.push(seen);
      current++;
      state.maxConcurrent = Math.max(state.maxConcurrent, current);
      let counted = true;
      const done = (): void => {
        if (counted) current--;
        counted = false;
      };
      res.on('close', done);
      Promise.resolve(handler(seen, res, raw)).catch((err: unknown) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    get maxConcurrent() {
      return state.maxConcurrent;
    },
    get connections() {
      return state.connections;
    },
    count: (path?: string) => (path === undefined ? requests.length : requests.filter((r) => r.path === path).length),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface ListOptions {
  total: number;
  key: string;
  /** The server's own cap on per_page (DigitalOcean: 200). */
  maxPerPage?: number;
  defaultPerPage?: number;
  withTotal?: boolean;
  withLast?: boolean;
  /** Origin written into links; DigitalOcean writes its own absolute URLs. */
  linkOrigin?: string;
  latencyMs?: number;
}

/** A DigitalOcean-style paged list of `{id: i}` items with links.pages and meta.total. */
export function listHandler(opts: ListOptions): Handler {
  return async (req, res) => {
    if (opts.latencyMs) await delay(opts.latencyMs);
    const perPage = Math.min(Number(req.query.get('per_page') ?? opts.defaultPerPage ?? 20), opts.maxPerPage ?? 200);
    const page = Number(req.query.get('page') ?? 1);
    const lastPage = Math.max(1, Math.ceil(opts.total / perPage));
    const from = (page - 1) * perPage;
    const items = [];
    for (let i = from; i < Math.min(opts.total, from + perPage); i++) items.push({ id: i });
    const origin = opts.linkOrigin ?? `http://${req.headers.host}`;
    const link = (p: number): string => `${origin}${req.path}?page=${p}&per_page=${perPage}`;
    const pages: Record<string, string> = {};
    if (page > 1) {
      pages['first'] = link(1);
      pages['prev'] = link(page - 1);
    }
    if (page < lastPage) {
      pages['next'] = link(page + 1);
      if (opts.withLast !== false) pages['last'] = link(lastPage);
    }
    const body: Record<string, unknown> = { [opts.key]: items, links: { pages } };
    if (opts.withTotal !== false) body['meta'] = { total: opts.total };
    sendJson(res, 200, body);
  };
}
