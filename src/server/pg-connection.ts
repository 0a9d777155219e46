// One client connection: startup, TLS and auth negotiation, then the query protocols over its own session.
import type { Session } from '../engine/types.js';
import * as wire from './backend-serializer.js';
import type { CancelKey, CancelRegistry, ConnectionBackend } from './cancel-registry.js';
import type { FrontendMessage, StartupMessage } from './frontend-messages.js';
import { FrontendParser } from './message-parser.js';
import type { AuthMethod, PasswordCredentials, PasswordExchange } from './password-exchange.js';
import { createPasswordExchange } from './password-exchange.js';
import { QueryProtocol } from './query-protocol.js';
import { logSafe, messageOf } from './sql-state.js';

/** The socket as a connection sees it; the server adapts net/tls sockets to it, tests can fake it. */
export interface ConnectionTransport {
  write(data: Buffer): void;
  /** Ends the connection once pending writes are out. */
  end(): void;
  /** Resolves once the socket has room for more output (or is gone); absent: writes never wait. */
  drain?: () => Promise<void>;
  /** Present when the server has a certificate: switches the socket to TLS; later bytes arrive decrypted. */
  startTls?: () => void;
  /** For log lines: `host:port`. */
  readonly remoteAddress: string;
}

export interface ConnectionSettings {
  /** `backend`: the connection as the server's registry knows it (its pid, pg_stat_activity, pg_cancel_backend). */
  sessionFactory: (backend: ConnectionBackend) => Session | Promise<Session>;
  /** Absent: every user is let in without a password. */
  auth?: { method: AuthMethod; credentials: PasswordCredentials };
  serverVersion: string;
  cancels: CancelRegistry;
  log: (line: string) => void;
}

/** Output is batched and handed to the socket at ReadyForQuery, Flush, or once this much piles up. */
const FLUSH_THRESHOLD = 64 * 1024;

export class PgConnection {
  private readonly parser = new FrontendParser();
  private readonly queue: FrontendMessage[] = [];
  private pumping = false;
  private state: 'startup' | 'auth' | 'ready' | 'closed' = 'startup';
  private output: Buffer[] = [];
  private outputSize = 0;
  private tls = false;
  private user = '';
  private startupParams: Record<string, string> = {};
  private exchange?: PasswordExchange;
  private session?: Session;
  private protocol?: QueryProtocol;
  private cancelKey?: CancelKey;

  constructor(
    private readonly transport: ConnectionTransport,
    private readonly settings: ConnectionSettings,
  ) {}

  /** Bytes from the client, in any chunking. */
  receive(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.queue.push(...this.parser.feed(chunk));
    void this.pump();
  }

  /** The socket closed (or errored): abort what runs, close the session. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.protocol?.cancel();
    if (this.cancelKey) this.settings.cancels.unregister(this.cancelKey.processId);
    this.output = [];
    this.transport.end();
    if (this.session) this.settings.log(`${this.transport.remoteAddress}: disconnected`);
    // A statement may still be unwinding; the pump closes the session once it has.
    if (!this.pumping) this.closeSession();
  }

  /** The server is shutting down. */
  terminate(): void {
    this.fatal('57P01', 'terminating connection due to administrator command');
  }

  /** Messages are handled one at a time, in order, even when a statement takes a while. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && this.state !== 'closed') {
        await this.dispatch(this.queue.shift() as FrontendMessage);
      }
    } catch (err) {
      this.settings.log(`${this.transport.remoteAddress}: internal error: ${messageOf(err)}`);
      this.fatal('XX000', 'internal error in the wire server');
    } finally {
      this.pumping = false;
      if (this.state === 'closed') this.closeSession();
    }
  }

  private async dispatch(message: FrontendMessage): Promise<void> {
    if (message.kind === 'protocolError') return this.fatal('08P01', message.message);
    switch (this.state) {
      case 'startup':
        return this.onStartupPhase(message);
      case 'auth':
        if (message.kind === 'terminate') return this.close(); // a client giving up, e.g. to prompt for a password
        if (message.kind !== 'password') return this.fatal('08P01', `expected password response, got ${message.kind}`);
        return this.onPassword(message.data);
      case 'ready':
        return this.onReady(message);
      case 'closed':
        return;
    }
  }

  private async onStartupPhase(message: FrontendMessage): Promise<void> {
    switch (message.kind) {
      case 'sslRequest':
        // Bytes already sent after an SSLRequest would bypass TLS (CVE-2021-23214): refuse them.
        if (this.parser.pendingBytes > 0 || this.queue.length > 0) {
          return this.fatal('08P01', 'received unencrypted data after SSL request');
        }
        if (!this.tls && this.transport.startTls) {
          this.writeRaw('S');
          this.tls = true;
          this.transport.startTls();
        } else {
          this.writeRaw('N');
        }
        return;
      case 'gssEncRequest':
        return this.writeRaw('N');
      case 'cancelRequest': {
        const hit = this.settings.cancels.cancel(message.processId, message.secretKey);
        if (hit) this.settings.log(`${this.transport.remoteAddress}: cancel request for process ${message.processId}`);
        return this.close();
      }
      case 'startup':
        return this.onStartup(message);
      default:
        return this.fatal('08P01', `unexpected ${message.kind} message before startup`);
    }
  }

  private async onStartup(message: StartupMessage): Promise<void> {
    const major = message.protocolVersion >>> 16;
    const minor = message.protocolVersion & 0xffff;
    if (major !== 3) {
      return this.fatal('0A000', `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`);
    }
    const user = message.params.user;
    if (!user) return this.fatal('28000', 'no PostgreSQL user name specified in startup packet');
    this.user = user;
    this.startupParams = message.params;
    const unknownOptions = Object.keys(message.params).filter((name) => name.startsWith('_pq_.'));
    if (minor > 0 || unknownOptions.length > 0) this.send(wire.negotiateProtocolVersion(0, unknownOptions));

    const { auth } = this.settings;
    if (!auth) {
      this.send(wire.authenticationOk());
      return this.startSession();
    }
    this.exchange = createPasswordExchange(auth.method, auth.credentials, user);
    this.state = 'auth';
    this.send(this.exchange.start());
    this.flush();
  }

  private async onPassword(data: Buffer): Promise<void> {
    const step = (this.exchange as PasswordExchange).respond(data);
    switch (step.outcome) {
      case 'continue':
        this.send(step.send);
        return this.flush();
      case 'ok':
        if (step.send) this.send(step.send);
        this.send(wire.authenticationOk());
        return this.startSession();
      case 'failed':
        // Never log what the client sent: it may be the password itself.
        this.settings.log(
          `${this.transport.remoteAddress}: password authentication failed for user ${logSafe(this.user)} (${step.reason})`,
        );
        return this.fatal('28P01', `password authentication failed for user "${this.user}"`);
    }
  }

  private async startSession(): Promise<void> {
    let session: Session;
    // The key comes first: the session's pg_backend_pid is the process id BackendKeyData announces.
    this.cancelKey = this.settings.cancels.register({
      user: this.user,
      applicationName: this.startupParams.application_name ?? '',
      remoteAddress: this.transport.remoteAddress,
      cancel: () => this.protocol?.cancel(),
      terminate: () => this.terminate(),
    });
    try {
      session = await this.settings.sessionFactory(this.settings.cancels.backend(this.cancelKey.processId));
    } catch (err) {
      this.settings.log(`${this.transport.remoteAddress}: could not start a session: ${messageOf(err)}`);
      return this.fatal('XX000', 'could not start a doql session');
    }
    if (this.state === 'closed') {
      session.close();
      return;
    }
    this.session = session;
    this.protocol = new QueryProtocol(session, {
      send: (m) => this.send(m),
      flush: () => this.flush(),
      drain: async () => {
        this.flush();
        await this.transport.drain?.();
      },
      log: (line) => this.settings.log(`${this.transport.remoteAddress}: ${line}`),
    });
    for (const [name, value] of this.parameterStatuses()) this.send(wire.parameterStatus(name, value));
    this.send(wire.backendKeyData(this.cancelKey.processId, this.cancelKey.secretKey));
    this.send(wire.readyForQuery());
    this.flush();
    this.state = 'ready';
    this.settings.log(`${this.transport.remoteAddress}: session started for user ${logSafe(this.user)}`);
  }

  private parameterStatuses(): [string, string][] {
    return [
      ['server_version', this.settings.serverVersion],
      ['server_encoding', 'UTF8'],
      ['client_encoding', 'UTF8'],
      ['DateStyle', 'ISO, MDY'],
      ['IntervalStyle', 'postgres'],
      ['TimeZone', 'UTC'],
      ['integer_datetimes', 'on'],
      ['standard_conforming_strings', 'on'],
      ['is_superuser', 'off'],
      ['session_authorization', this.user],
      ['application_name', this.startupParams.application_name ?? ''],
      ['default_transaction_read_only', 'off'],
      ['in_hot_standby', 'off'],
    ];
  }

  private async onReady(message: FrontendMessage): Promise<void> {
    switch (message.kind) {
      case 'terminate':
        return this.close();
      case 'copy':
        return; // Postgres ignores COPY traffic outside COPY, so a client that raced an error stays in sync
      case 'functionCall':
        this.send(
          wire.errorResponse({ severity: 'ERROR', sqlState: '0A000', message: 'the function call protocol is not supported' }),
        );
        this.send(wire.readyForQuery());
        return this.flush();
      case 'query':
      case 'parse':
      case 'bind':
      case 'describe':
      case 'execute':
      case 'close':
      case 'sync':
      case 'flush':
        return (this.protocol as QueryProtocol).handle(message);
      default:
        return this.fatal('08P01', `unexpected ${message.kind} message`);
    }
  }

  private fatal(sqlState: string, message: string): void {
    if (this.state === 'closed') return;
    this.send(wire.errorResponse({ severity: 'FATAL', sqlState, message }));
    this.flush();
    this.close();
  }

  private send(message: Buffer): void {
    if (this.state === 'closed') return;
    this.output.push(message);
    this.outputSize += message.length;
    if (this.outputSize >= FLUSH_THRESHOLD) this.flush();
  }

  private flush(): void {
    if (this.output.length === 0) return;
    const data = this.output.length === 1 ? (this.output[0] as Buffer) : Buffer.concat(this.output, this.outputSize);
    this.output = [];
    this.outputSize = 0;
    this.transport.write(data);
  }

  /** The one-byte answers to SSLRequest / GSSENCRequest are not messages. */
  private writeRaw(byte: 'S' | 'N'): void {
    this.flush();
    this.transport.write(Buffer.from(byte, 'latin1'));
  }

  private closeSession(): void {
    const session = this.session;
    this.session = undefined;
    try {
      session?.close();
    } catch (err) {
      this.settings.log(`${this.transport.remoteAddress}: closing the session failed: ${messageOf(err)}`);
    }
  }
}
