// The connection pool the API client sends through: keep-alive HTTP/1.1 connections, or one multiplexed
// HTTP/2 connection where the server offers h2 by ALPN, and the CA certificates a TLS server is checked against.
import { createRequire } from 'node:module';
import type { SecureContext, TLSSocket } from 'node:tls';
import { Agent, Client, Pool } from './undici-core.js';
import type { Dispatcher } from 'undici';

export interface DispatcherOptions {
  /** Requests in flight at most (the client's own cap): HTTP/1.1 connections, or streams on one h2 connection. */
  connections: number;
  keepAliveMs: number;
  /** Backstop for headers and body; the client's per-attempt timer is the real deadline. */
  timeoutMs: number;
  /** Extra CA certificates (PEM) trusted besides the system's, e.g. a sandbox's self-signed one. */
  ca?: string[];
}

type ConnectCallback = (err: Error | null, socket: { alpnProtocol?: string | false } | null) => void;
type Connector = (options: object, callback: ConnectCallback) => void;

/**
 * An undici Agent whose connections offer h2 by ALPN. undici counts an HTTP/2 connection as busy after one
 * request unless its pipelining says otherwise, so a pool would still open a connection per request in
 * flight: once a connection has negotiated h2 it takes every request in flight (as streams); an HTTP/1.1
 * connection keeps one at a time (pipelining on HTTP/1.1 would queue requests behind a slow one).
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { connections } = options;
  return new Agent({
    connections,
    pipelining: 1,
    allowH2: true,
    keepAliveTimeout: options.keepAliveMs,
    keepAliveMaxTimeout: 10 * options.keepAliveMs,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: options.ca?.length ? { secureContext: trusting(options.ca) } : undefined,
    factory: (origin, agentOptions) =>
      new Pool(origin, {
        ...agentOptions,
        // undici types the options it hands a factory as `object`; they are Client options, connect a function.
        factory: (poolOrigin, opts) => {
          const clientOptions = opts as Client.Options;
          const connect = clientOptions.connect as unknown as Connector;
          const client: Client = new Client(poolOrigin, {
            ...clientOptions,
            connect: ((connectOptions: object, callback: ConnectCallback) =>
              connect(connectOptions, (err, socket) => {
                // Set before undici dispatches on the new connection, so queued requests share it at once.
                client.pipelining = !err && (socket as TLSSocket | null)?.alpnProtocol === 'h2' ? connections : 1;
                callback(err, socket);
              })) as unknown as Client.Options['connect'],
          });
          return client;
        },
      }),
  });
}

/** What a SecureContext holds for Node's own TLS code (not in its public types). */
interface NativeContext {
  addCACert?(pem: string): void;
}

/**
 * A TLS context trusting what the process trusts (Node's bundled roots, or OpenSSL's system store under
 * --use-openssl-ca) and `ca` too, so a real API behind --ca still works. `ca` as an option would replace that
 * store; passing Node's ~140 bundled PEM texts along with it lost the system store, and parsed them anew for
 * each context (20-65 ms of a cold command). Added to a context that holds the store, the extra certificates
 * cost ~1 ms; where Node lacks that call, the old way.
 */
function trusting(ca: string[]): SecureContext {
  // Loaded here, not with this module: only --ca needs it before a connection does (node:tls and node:crypto are
  // ~5 ms of a cold command's way to its first request, which over plain http never needs them).
  const { createSecureContext, rootCertificates } = createRequire(import.meta.url)('node:tls') as typeof import('node:tls');
  const context = createSecureContext();
  const native = (context as SecureContext & { context?: NativeContext }).context;
  if (typeof native?.addCACert !== 'function') return createSecureContext({ ca: [...rootCertificates, ...ca] });
  for (const pem of ca) native.addCACert(pem);
  return context;
}
