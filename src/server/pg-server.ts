// `doql serve`: a TCP (optionally TLS) listener speaking the Postgres v3 protocol, one doql session per connection.
//
//   const server = createPgServer({ sessionFactory: () => newSession(), password: 'secret' });
//   const { port, host } = await server.listen(5432, '127.0.0.1'); // port 0 picks a free one
//   …
//   await server.close(); // stops listening, tells clients, closes their sessions
//
// Without a password any local user can connect, so listen() refuses a non-loopback host unless a password is set.
import net from 'node:net';
import tls from 'node:tls';
import type { Session } from '../engine/types.js';
import { DoqlError } from '../errors.js';
import { CancelRegistry } from './cancel-registry.js';
import type { ConnectionBackend } from './cancel-registry.js';
import type { ConnectionSettings, ConnectionTransport } from './pg-connection.js';
import { PgConnection } from './pg-connection.js';
import type { AuthMethod } from './password-exchange.js';
import { makeScramSecret } from './scram-sha-256.js';
import { messageOf } from './sql-state.js';

export type { AuthMethod } from './password-exchange.js';

export interface PgServerOptions {
  /**
   * Called once per connection, after authentication, with the connection as the server knows it (its pid,
   * the server's connections, cancelling another); the session is closed when the connection ends.
   */
  sessionFactory: (backend: ConnectionBackend) => Session | Promise<Session>;
  /** Required of every client when set (any user name is accepted). */
  password?: string;
  /** How the password is checked; default `scram-sha-256` (psql and `pg` both speak it). */
  authMethod?: AuthMethod;
  /** PEM certificate and key: SSLRequest is then answered 'S' and the connection upgraded. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** One line per notable event (connections, failed logins); never holds a password. */
  log?: (line: string) => void;
  /** Reported as `server_version`; clients parse its leading number. */
  serverVersion?: string;
}

export interface PgServer {
  /**
   * Starts listening; resolves with the bound address (useful with port 0).
   * @throws DoqlError `usage` for a non-loopback host without a password, or when the address cannot be bound.
   */
  listen(port?: number, host?: string): Promise<{ port: number; host: string }>;
  /** Stops accepting, ends every connection (FATAL 57P01) and closes their sessions. */
  close(): Promise<void>;
}

export const DEFAULT_SERVER_VERSION = '16.0 (doql)';
const DEFAULT_HOST = '127.0.0.1';
/** How long closing clients get to read their FATAL before their sockets are destroyed. */
const CLOSE_GRACE_MS = 1000;

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

export function createPgServer(options: PgServerOptions): PgServer {
  if (options.password === '') {
    throw new DoqlError('usage', 'the wire server password must not be empty');
  }
  const log = options.log ?? ((): void => {});
  const secureContext = options.tls ? createSecureContext(options.tls) : undefined;
  const settings: ConnectionSettings = {
    sessionFactory: options.sessionFactory,
    auth:
      options.password === undefined
        ? undefined
        : {
            method: options.authMethod ?? 'scram-sha-256',
            credentials: { password: options.password, scram: makeScramSecret(options.password) },
          },
    serverVersion: options.serverVersion ?? DEFAULT_SERVER_VERSION,
    cancels: new CancelRegistry(),
    log,
  };

  const live = new Map<net.Socket, PgConnection>();
  const server = net.createServer((socket) => {
    const connection = accept(socket, settings, secureContext);
    live.set(socket, connection);
    socket.on('close', () => live.delete(socket));
  });

  return {
    listen(port = 5432, host = DEFAULT_HOST) {
      if (options.password === undefined && !isLoopbackHost(host)) {
        return Promise.reject(
          new DoqlError(
            'usage',
            `refusing to listen on ${host} without a password: anyone who can reach it could query your account`,
            { hint: 'Set a password, or listen on 127.0.0.1.' },
          ),
        );
      }
      return new Promise((resolve, reject) => {
        const onError = (err: Error): void => {
          reject(new DoqlError('usage', `cannot listen on ${host}:${port}: ${messageOf(err)}`, { cause: err }));
        };
        server.once('error', onError);
        server.listen(port, host, () => {
          server.removeListener('error', onError);
          server.on('error', (err) => log(`server error: ${messageOf(err)}`));
          const address = server.address() as net.AddressInfo;
          log(`listening on ${address.address}:${address.port}${secureContext ? ' (TLS available)' : ''}`);
          resolve({ port: address.port, host: address.address });
        });
      });
    },

    close() {
      return new Promise((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        for (const [socket, connection] of live) {
          connection.terminate();
          setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
        }
      });
    },
  };
}

function createSecureContext(options: NonNullable<PgServerOptions['tls']>): tls.SecureContext {
  try {
    return tls.createSecureContext({ cert: options.cert, key: options.key });
  } catch (err) {
    throw new DoqlError('usage', `invalid TLS certificate or key: ${messageOf(err)}`, { cause: err });
  }
}

/** Adapts a socket (and, after SSLRequest, its TLS wrapper) to a PgConnection. */
function accept(
  socket: net.Socket,
  settings: ConnectionSettings,
  secureContext: tls.SecureContext | undefined,
): PgConnection {
  socket.setNoDelay(true);
  let stream: net.Socket = socket;
  const remoteAddress = `${socket.remoteAddress}:${socket.remotePort}`;
  const onData = (chunk: Buffer): void => connection.receive(chunk);
  const onError = (err: Error): void => {
    settings.log(`${remoteAddress}: ${messageOf(err)}`);
    connection.close();
    socket.destroy();
  };

  const transport: ConnectionTransport = {
    remoteAddress,
    write: (data) => {
      if (stream.writable) stream.write(data);
    },
    end: () => {
      if (!stream.destroyed) stream.end();
    },
    drain: () =>
      new Promise<void>((resolve) => {
        if (!stream.writableNeedDrain || stream.destroyed) return resolve();
        const done = (): void => {
          stream.off('drain', done);
          stream.off('close', done);
          resolve();
        };
        stream.on('drain', done);
        stream.on('close', done);
      }),
    startTls: secureContext
      ? () => {
          socket.removeListener('data', onData);
          const secure = new tls.TLSSocket(socket, { isServer: true, secureContext });
          secure.on('data', onData);
          secure.on('error', onError);
          stream = secure;
        }
      : undefined,
  };

  const connection = new PgConnection(transport, settings);
  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('close', () => connection.close());
  settings.log(`${remoteAddress}: connected`);
  return connection;
}
