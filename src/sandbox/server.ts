// The HTTP edge: node:http (or node:http2 over TLS, HTTP/1.1 still served), Bearer auth, rate limits, latency,
// faults, request ids, request and connection counting, and the admin endpoints under /_sandbox/ (never
// faulted, rate-limited or counted as requests).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { constants as h2constants, createSecureServer } from 'node:http2';
import type { Http2SecureServer, Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ERRORS, errorBody } from './api-errors.js';
import type { SandboxCertificate } from './certificate.js';
import type { ConnectionCounter } from './connections.js';
import type { RequestCounter } from './counts.js';
import type { FaultInjector } from './faults.js';
import type { SimReply } from './handlers.js';
import type { Rng } from './prng.js';
import type { RateLimiter } from './rate-limit.js';
import type { Simulator } from './simulator.js';

/** Bodies beyond this are refused (413) rather than buffered. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** One simulated account: what a token reaches. */
export interface SandboxAccount {
  sim: Simulator;
  /** This account's requests (the server's counter has every account's). */
  counter: RequestCounter;
  /** Absent when rate limiting is off. */
  limiter?: RateLimiter;
}

export interface ServerParts {
  /** By token. */
  accounts: ReadonlyMap<string, SandboxAccount>;
  /** A request's route template, for counting one that no account answers (a 401). */
  routeKey(method: string, path: string): string;
  counter: RequestCounter;
  connections: ConnectionCounter;
  /** Serve HTTPS with this certificate, HTTP/2 offered by ALPN beside HTTP/1.1. */
  tls?: SandboxCertificate;
  faults: FaultInjector;
  latency: { ms: number; jitterMs: number; rng: Rng };
  /** After a request that changed an account's state (to save a state file). */
  onMutation(account: SandboxAccount): void;
  /** POST /_sandbox/reset. */
  onReset(): void;
}

class BodyTooLarge extends Error {}

/** A request and its response as node:http or node:http2's compatibility API hands them over. */
type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

function readBody(req: Req): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export class SandboxServer {
  private readonly server: Server | Http2SecureServer;
  private readonly sockets = new Set<Socket>();
  private readonly sleepers = new Set<() => void>();
  private closed = false;
  /** Tokens revoked since start (Sandbox.revoke): answered with a 401 as unknown ones are. */
  private readonly revoked = new Set<string>();
  url = '';

  constructor(private readonly parts: ServerParts) {
    const handler = (req: Req, res: Res): void => {
      this.serve(req, res).catch((err: unknown) => this.internalError(res, err));
    };
    const { connections } = parts;
    if (parts.tls) {
      // allowHTTP1: a client that offers only http/1.1 by ALPN (or none) is served as before.
      const server = createSecureServer({ cert: parts.tls.cert, key: parts.tls.key, allowHTTP1: true }, handler);
      server.on('secureConnection', (socket: TLSSocket) => connections.negotiated(socket.alpnProtocol || 'http/1.1'));
      // A failed handshake (a client that does not trust the certificate) is the client's to report.
      server.on('tlsClientError', () => {});
      server.on('sessionError', () => {});
      this.server = server;
    } else {
      const server = createServer(handler);
      server.on('connection', () => connections.negotiated('http'));
      // A malformed request line or header must not take the process down.
      server.on('clientError', (_err, socket) => {
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        else socket.destroy();
      });
      this.server = server;
    }
    this.server.on('connection', (socket: Socket) => {
      connections.accepted();
      this.sockets.add(socket);
      socket.on('close', () => {
        connections.closed();
        this.sockets.delete(socket);
      });
    });
  }

  listen(host: string, port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const addr = this.server.address() as AddressInfo;
        const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
        this.url = `${this.parts.tls ? 'https' : 'http'}://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${addr.port}`;
        resolve(this.url);
      });
    });
  }

  revoke(token: string): void {
    this.revoked.add(token);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  /** A delay that close() cuts short (slow faults must not hold a test run open). */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private async serve(req: Req, res: Res): Promise<void> {
    const requestId = randomUUID();
    res.setHeader('x-request-id', requestId);
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    if (path === '/_sandbox' || path.startsWith('/_sandbox/')) return this.admin(method, path, query, res);

    const { parts } = this;
    // An HTTP/2 request's connection is its session (its socket is shared by every stream on it).
    parts.connections.request('stream' in req ? req.stream.session ?? req.socket : req.socket, req.httpVersion);
    const now = Date.now();
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    const account = m && !this.revoked.has(m[1]) ? parts.accounts.get(m[1]) : undefined;
    if (!account) {
      // DigitalOcean sends the rate-limit headers on a 401 too; no account is known, so the first one's budget shows.
      const first = parts.accounts.values().next().value;
      if (first?.limiter) setHeaders(res, first.limiter.peek(now));
      req.resume();
      return this.send(res, requestId, { ...errorReplyOf(ERRORS.unauthorized), routeKey: parts.routeKey(method, path) });
    }
    const send = (reply: SimReply, truncate = false): void => {
      account.counter.record(reply.routeKey, reply.status);
      this.send(res, requestId, reply, truncate);
    };
    if (account.limiter) {
      const decision = account.limiter.take(now);
      setHeaders(res, decision.headers);
      if (!decision.allowed) {
        req.resume();
        res.setHeader('retry-after', String(decision.retryAfter ?? 1));
        return send({ ...errorReplyOf(ERRORS.tooMany), routeKey: account.sim.routeKey(method, path) });
      }
    }
    const fault = parts.faults.draw();
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLarge) return send({ ...errorReplyOf(ERRORS.tooLarge), routeKey: account.sim.routeKey(method, path) });
      throw err;
    }
    const { latency } = parts;
    await this.sleep(latency.ms + (latency.jitterMs > 0 ? latency.rng.int(0, latency.jitterMs) : 0));
    if (this.closed) return;

    if (fault === 'drop') {
      parts.counter.record(account.sim.routeKey(method, path), 0);
      account.counter.record(account.sim.routeKey(method, path), 0);
      // Over HTTP/2 the connection carries other requests too: drop this one stream, as a lost request would be.
      if ('stream' in req) req.stream.close(h2constants.NGHTTP2_INTERNAL_ERROR);
      else req.socket.destroy();
      return;
    }
    if (fault === '500' || fault === '503') {
      const e = fault === '500' ? ERRORS.serverError : ERRORS.unavailable;
      return send({ ...errorReplyOf(e), routeKey: account.sim.routeKey(method, path) });
    }
    const host = ('authority' in req ? req.authority : undefined) || req.headers.host || new URL(this.url).host;
    const reply = account.sim.handle({
      method,
      path,
      query,
      rawBody,
      contentType: req.headers['content-type'],
      baseUrl: `${this.parts.tls ? 'https' : 'http'}://${host}`,
      now,
    });
    if (reply.mutated && reply.status < 300) parts.onMutation(account);
    if (fault === 'slow') {
      await this.sleep(parts.faults.slowMs);
      if (this.closed) return;
    }
    send(reply, fault === 'truncate');
  }

  private send(res: Res, requestId: string, reply: SimReply, truncate = false): void {
    this.parts.counter.record(reply.routeKey, reply.status);
    if (res.destroyed || res.writableEnded) return;
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    let body: Buffer | Buffer[] | undefined;
    if (reply.raw) {
      res.setHeader('content-type', reply.raw.contentType);
      body = reply.raw.body;
    } else if (reply.json !== undefined) {
      let json = reply.json;
      if (reply.status >= 400 && json && typeof json === 'object' && 'id' in json) json = { ...json, request_id: requestId };
      res.setHeader('content-type', 'application/json; charset=utf-8');
      body = Buffer.from(JSON.stringify(json));
    } else if (reply.jsonChunks !== undefined) {
      res.setHeader('content-type', 'application/json; charset=utf-8');
      body = reply.jsonChunks;
    }
    // A truncated body keeps a matching content-length: the client sees a complete response of broken JSON.
    if (body && truncate) {
      const whole = Array.isArray(body) ? Buffer.concat(body) : body;
      body = whole.subarray(0, Math.max(1, Math.floor(whole.length / 2)));
    }
    res.statusCode = reply.status;
    if (body && reply.status !== 204 && reply.status !== 304) {
      writeBody(res, body);
    } else res.end();
  }

  private admin(method: string, path: string, query: URLSearchParams, res: Res): void {
    const json = (status: number, value: unknown): void => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(value));
    };
    const route = `${method} ${path.replace(/\/+$/, '')}`;
    switch (route) {
      case 'GET /_sandbox/requests': {
        // `?token=T`: the requests one account served.
        const token = query.get('token');
        if (token === null) return json(200, this.parts.counter.snapshot());
        const account = this.parts.accounts.get(token);
        return account ? json(200, account.counter.snapshot()) : json(404, errorBody(ERRORS.notFound.id, 'no sandbox account has that token'));
      }
      case 'GET /_sandbox/connections':
        return json(200, this.parts.connections.snapshot());
      case 'POST /_sandbox/reset':
        this.parts.onReset();
        return json(200, { reset: true });
      case 'POST /_sandbox/reset-counts':
        this.parts.counter.reset();
        this.parts.connections.reset();
        for (const a of this.parts.accounts.values()) a.counter.reset();
        return json(200, { reset: true });
      case 'GET /_sandbox/health':
        return json(200, { ok: true });
      default:
        return json(404, errorBody(ERRORS.notFound.id, ERRORS.notFound.message));
    }
  }

  private internalError(res: Res, err: unknown): void {
    // Never crash: an unexpected failure is a 500 naming the cause, in DigitalOcean's error shape.
    try {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.statusCode = 500;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ id: 'server_error', message: `sandbox error: ${(err as Error)?.message ?? String(err)}`, request_id: res.getHeader('x-request-id') }));
    } catch {
      res.destroy();
    }
  }
}

function errorReplyOf(e: { status: number; id: string; message: string }): Omit<SimReply, 'routeKey'> {
  return { status: e.status, json: errorBody(e.id, e.message) };
}

/** Pieces are written corked (one writev), not joined: a cached list page is sent without being copied. */
function writeBody(res: Res, body: Buffer | Buffer[]): void {
  if (!Array.isArray(body)) {
    res.setHeader('content-length', body.length);
    res.end(body);
    return;
  }
  res.setHeader('content-length', body.reduce((n, b) => n + b.length, 0));
  res.cork();
  // Both kinds of response are Writables; the union's two write() overload sets do not unify in TypeScript.
  for (const b of body) (res as ServerResponse).write(b);
  res.end();
  res.uncork();
}

function setHeaders(res: Res, headers: Record<string, string>): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
}
