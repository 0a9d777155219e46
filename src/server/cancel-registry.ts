// The server's connections: hands out BackendKeyData (process id, secret) per connection, routes CancelRequests and
// pg_cancel_backend / pg_terminate_backend to the right one, and says what each is doing (pg_stat_activity).
import { randomBytes, randomInt } from 'node:crypto';
import type { ActivityRow, SignalKind } from '../engine/backend.js';
import { DATABASE_NAME, DATABASE_OID } from '../engine/pg-catalog-model.js';

export interface CancelKey {
  processId: number;
  secretKey: number;
}

/** What a connection tells the registry about itself when its session starts. */
export interface BackendRegistration {
  user: string;
  applicationName: string;
  /** `host:port` of the client. */
  remoteAddress: string;
  /** Aborts the running statement (57014), if any. */
  cancel: () => void;
  /** Ends the connection (FATAL 57P01). */
  terminate: () => void;
}

interface Entry extends BackendRegistration {
  secretKey: number;
  started: string;
  state: 'idle' | 'active' | 'idle in transaction' | 'idle in transaction (aborted)';
  query: string;
  queryStart: string | null;
  stateChange: string;
}

/** One connection's view of the registry, handed to its session. */
export interface ConnectionBackend {
  readonly pid: number;
  readonly user: string;
  /** The application_name the client connected with (its startup parameter). */
  readonly applicationName?: string;
  /** The server's connections as this one may see them (another user's query text is hidden, as in Postgres). */
  activity(): ActivityRow[];
  /** A statement of this connection starts. */
  began(sql: string): void;
  /** It ended; `status`: ReadyForQuery's (I idle, T in a block, E in a failed block); the session's application_name now. */
  ended(status: 'I' | 'T' | 'E', applicationName?: string): void;
  /** Cancels or ends another connection (the caller checked the user: see engine/backend.ts signalBackend). */
  signal(pid: number, how: SignalKind): void;
}

export class CancelRegistry {
  private readonly targets = new Map<number, Entry>();
  // Start somewhere random so that ids do not look like (or collide with) the last server run's.
  private nextId = randomInt(1000, 1_000_000);

  register(backend: BackendRegistration): CancelKey {
    while (this.targets.has(this.nextId)) this.nextId = this.nextId >= 0x7fffffff ? 1000 : this.nextId + 1;
    const processId = this.nextId++;
    const secretKey = randomBytes(4).readInt32BE(0);
    const now = new Date().toISOString();
    this.targets.set(processId, { ...backend, secretKey, started: now, state: 'idle', query: '', queryStart: null, stateChange: now });
    return { processId, secretKey };
  }

  unregister(processId: number): void {
    this.targets.delete(processId);
  }

  /** True when the pair matched a live connection (whose running statement, if any, is now aborted). */
  cancel(processId: number, secretKey: number): boolean {
    const target = this.targets.get(processId);
    if (!target || target.secretKey !== secretKey) return false;
    target.cancel();
    return true;
  }

  /** The handle a connection's session uses; `pid` is what register() returned. */
  backend(pid: number): ConnectionBackend {
    const self = this.targets.get(pid);
    if (!self) throw new Error(`cancel-registry: no connection ${pid}`); // a bug: register() comes first
    return {
      pid,
      user: self.user,
      applicationName: self.applicationName,
      activity: () => [...this.targets].map(([id, entry]) => activityRow(id, entry, entry.user === self.user)),
      began: (sql) => {
        const now = new Date().toISOString();
        Object.assign(self, { state: 'active', query: sql, queryStart: now, stateChange: now });
      },
      ended: (status, applicationName) =>
        Object.assign(self, {
          state: status === 'I' ? 'idle' : status === 'T' ? 'idle in transaction' : 'idle in transaction (aborted)',
          stateChange: new Date().toISOString(),
          applicationName: applicationName ?? self.applicationName,
        }),
      signal: (target, how) => {
        const entry = this.targets.get(target);
        if (how === 'cancel') entry?.cancel();
        else entry?.terminate();
      },
    };
  }
}

/** A pg_stat_activity row; as in Postgres, a role sees what another role's connections run only as `<insufficient privilege>`. */
function activityRow(pid: number, e: Entry, sameUser: boolean): ActivityRow {
  const colon = e.remoteAddress.lastIndexOf(':');
  return {
    datid: DATABASE_OID,
    datname: DATABASE_NAME,
    pid,
    leader_pid: null,
    usesysid: null,
    usename: e.user,
    application_name: e.applicationName,
    client_addr: sameUser && colon > 0 ? e.remoteAddress.slice(0, colon) : null,
    client_hostname: null,
    client_port: sameUser && colon > 0 ? Number(e.remoteAddress.slice(colon + 1)) : null,
    backend_start: sameUser ? e.started : null,
    xact_start: null,
    query_start: sameUser ? e.queryStart : null,
    state_change: sameUser ? e.stateChange : null,
    wait_event_type: null,
    wait_event: null,
    state: sameUser ? e.state : null,
    backend_xid: null,
    backend_xmin: null,
    query_id: null,
    query: sameUser ? e.query : '<insufficient privilege>',
    backend_type: 'client backend',
  };
}
