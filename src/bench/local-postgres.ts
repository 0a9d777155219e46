// A real PostgreSQL 15 started on this machine, for tests and `npm run bench`: Debian's binaries, a new cluster in a
// temporary directory on a free port, its unix socket in that directory, trust auth for user `doql`. Postgres refuses
// to run as root, so when run as root the cluster belongs to, and runs as, the `postgres` system user.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG_BIN = process.env.DOQL_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** `postgres://doql@127.0.0.1:PORT/postgres` */
  url: string;
  port: number;
  /** The cluster's directory (data and socket). */
  dir: string;
  stop(): Promise<void>;
}

/** Why a real Postgres cannot start here, or undefined (say it in the skip message). */
export function postgresMissing(): string | undefined {
  if (!existsSync(join(PG_BIN, 'pg_ctl')) || !existsSync(join(PG_BIN, 'initdb'))) {
    return `PostgreSQL 15 binaries not found in ${PG_BIN} (apt-get install postgresql; CI installs it)`;
  }
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'pipe' });
    } catch {
      return 'running as root and there is no `postgres` system user to run Postgres as';
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a Postgres binary as the cluster's owner: `postgres` when we are root, ourselves otherwise. */
function asOwner(bin: string, args: string[]): void {
  const cmd = join(PG_BIN, bin);
  if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe', timeout: 60_000 });
  else execFileSync(cmd, args, { stdio: 'pipe', timeout: 60_000 });
}

/** Server settings (`-c name=value`) beyond the defaults, e.g. `{ TimeZone: 'UTC' }` for a test comparing text output. */
export type PostgresSettings = Record<string, string>;

export async function startPostgres(settings: PostgresSettings = {}): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'doql-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  try {
    asOwner('initdb', ['-D', data, '-U', 'doql', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    const port = await freePort();
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off` +
      Object.entries(settings).map(([k, v]) => ` -c ${k}=${v}`).join('');
    asOwner('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
    return {
      url: `postgres://doql@127.0.0.1:${port}/postgres`,
      port,
      dir,
      stop: async () => {
        try {
          asOwner('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`could not start Postgres: ${e.stderr?.toString().trim() || e.message}`);
  }
}
