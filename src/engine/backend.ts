// What a session knows of the server it runs in: its own backend pid, the server's connections (pg_stat_activity),
// and how to ask the server to cancel or end one (pg_cancel_backend, pg_terminate_backend). Outside a server (the
// command line, the shell) the session is its process alone.
import { DoqlError } from '../errors.js';
import { DATABASE_NAME, DATABASE_OID } from './pg-catalog-model.js';

/** One connection as pg_stat_activity shows it (Postgres 16's columns; what doql has no notion of is null). */
export interface ActivityRow {
  datid: number | null;
  datname: string | null;
  pid: number;
  leader_pid: number | null;
  usesysid: number | null;
  usename: string | null;
  application_name: string | null;
  client_addr: string | null;
  client_hostname: string | null;
  client_port: number | null;
  backend_start: string | null;
  xact_start: string | null;
  query_start: string | null;
  state_change: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  state: string | null;
  backend_xid: number | null;
  backend_xmin: number | null;
  query_id: number | null;
  query: string | null;
  backend_type: string | null;
}

/** The wire server as one of its connections' sessions sees it (structured-clone safe but for `signal`). */
export interface BackendView {
  /** This connection's pid: the one BackendKeyData announced. */
  pid: number;
  /** The user it logged in as. */
  user: string;
  /** The server's connections when the statement began. */
  activity: ActivityRow[];
  /** Asks the server to cancel a connection's running statement, or to end the connection. */
  signal(pid: number, how: SignalKind): void;
}

export type SignalKind = 'cancel' | 'terminate';

/**
 * pg_cancel_backend / pg_terminate_backend as Postgres answers them: true once the signal is sent; false with a
 * warning for a pid that is no connection; 42501 for another user's connection (Postgres lets a role signal only
 * its own backends, short of superuser or pg_signal_backend, which no doql client is).
 */
export function signalBackend(view: BackendView | undefined, pid: number, how: SignalKind, warn: (text: string) => void): boolean {
  if (!view) {
    // The command line is one backend, this process: cancelling it cancels the statement asking.
    if (pid === process.pid) throw new DoqlError('cancelled', 'canceling statement due to user request', { sqlState: '57014' });
    warn(`PID ${pid} is not a PostgreSQL backend process`);
    return false;
  }
  const target = view.activity.find((row) => row.pid === pid);
  if (!target) {
    warn(`PID ${pid} is not a PostgreSQL backend process`);
    return false;
  }
  if (target.usename !== view.user) {
    throw how === 'cancel'
      ? new DoqlError('validation', 'permission denied to cancel query', {
          sqlState: '42501',
          hint: 'only a connection of the same user may cancel this query',
        })
      : new DoqlError('validation', 'permission denied to terminate process', {
          sqlState: '42501',
          hint: 'only a connection of the same user may terminate this process',
        });
  }
  view.signal(pid, how);
  return true;
}

/** pg_stat_activity's row for a session that is its own process (the command line, the shell). */
export function ownActivity(started: string): ActivityRow {
  return {
    datid: DATABASE_OID,
    datname: DATABASE_NAME,
    pid: process.pid,
    leader_pid: null,
    usesysid: null,
    usename: null,
    application_name: 'doql',
    client_addr: null,
    client_hostname: null,
    client_port: null,
    backend_start: started,
    xact_start: null,
    query_start: null,
    state_change: null,
    wait_event_type: null,
    wait_event: null,
    state: 'active',
    backend_xid: null,
    backend_xmin: null,
    query_id: null,
    query: null,
    backend_type: 'client backend',
  };
}
