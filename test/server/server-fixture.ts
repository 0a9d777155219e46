// Starts a real wire server on 127.0.0.1:<free port> over SQLite test sessions, for tests that use real clients.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PgServerOptions } from '../../src/server/pg-server.js';
import { createPgServer } from '../../src/server/pg-server.js';
import type { SqliteSession } from './sqlite-session.js';
import { createSqliteSession } from './sqlite-session.js';

export const TYPED_SETUP = `
  create table things (id INTEGER, price REAL, ok BOOLEAN, meta JSON, name TEXT);
  insert into things values (1, 9.5, 1, '{"size":"s-1vcpu-1gb","tags":["a"]}', 'alpha');
  insert into things values (2, 0.25, 0, '[1,2]', NULL);
`;

export interface RunningServer {
  port: number;
  sessions: SqliteSession[];
  logs: string[];
  /** Resolves the next time a test session starts a `select pg_sleep(n)`. */
  nextSleep(): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(options: Partial<PgServerOptions> = {}): Promise<RunningServer> {
  const sessions: SqliteSession[] = [];
  const logs: string[] = [];
  let sleepWaiters: (() => void)[] = [];
  const server = createPgServer({
    sessionFactory: () => {
      const session = createSqliteSession({
        setup: TYPED_SETUP,
        onSleep: () => {
          for (const wake of sleepWaiters) wake();
          sleepWaiters = [];
        },
      });
      sessions.push(session);
      return session;
    },
    log: (line) => logs.push(line),
    ...options,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    port,
    sessions,
    logs,
    nextSleep: () => new Promise((resolve) => sleepWaiters.push(resolve)),
    close: () => server.close(),
  };
}

/** A throwaway self-signed certificate for localhost, made with the openssl binary. */
export function selfSignedCertificate(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'doql-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'];
  execFileSync('openssl', args, { stdio: 'ignore' });
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}
