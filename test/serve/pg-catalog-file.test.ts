// The emulated pg_catalog is built once per catalog and kept under DOQL_HOME (engine/pg-catalog-file.ts): a later
// session process, of the same server or the next, opens the kept file instead of building it again, while what
// is a session's own (pg_stat_activity, application_name, the user) stays live. Real server (dist/), pg clients.
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import pg from 'pg';
import type Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { buildMissing, tempDoqlHome } from '../cli/doql-home.js';
import { connectPg, RUNAWAY, startDoqlServe, type DoqlServe } from './doql-serve.js';

const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
const tinySpec = fileURLToPath(new URL('../../src/catalog/fixtures/tiny-spec.yaml', import.meta.url));
const CATALOG_QUERY = "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'databases' AND c.relname IN ('clusters', 'clusters_from_the_kept_file')";

const serve = (home: string, args: string[] = []): Promise<DoqlServe> => startDoqlServe(['--sandbox', '--verbose', ...args], { DOQL_HOME: home, HOME: home });
const kept = (home: string): string[] => readdirSync(join(home, 'cache', 'pg-catalog')).sort();
const opened = (log: string): string[] => [...log.matchAll(/pg_catalog opened from (\S+)/g)].map((m) => m[1]);

/** A server on `home` answers the catalog query once and its session process logs `pattern`; then it stops. */
async function catalogQueryLogs(home: string, pattern: RegExp): Promise<void> {
  const server = await serve(home);
  try {
    const c = await connectPg(server.port);
    try {
      expect((await c.query(CATALOG_QUERY)).rows).toEqual([{ relname: 'clusters' }]);
    } finally {
      await c.end();
    }
    await vi.waitFor(() => expect(server.log()).toMatch(pattern));
  } finally {
    await server.stop();
  }
}

describe.skipIf(buildMissing())('doql serve keeps its emulated pg_catalog on disk', () => {
  it('the first process builds and keeps it; a replacement process and the next server open it, sessions staying live', async () => {
    const home = tempDoqlHome();
    const first = await serve(home);
    let dir: string;
    try {
      const c = await connectPg(first.port);
      try {
        expect((await c.query(CATALOG_QUERY)).rows).toEqual([{ relname: 'clusters' }]);
        // The process's stderr reaches the server's log on its own time: wait for the line.
        const built = await vi.waitFor(() => {
          const m = /pg_catalog built and kept in (\S+)/.exec(first.log());
          expect(m, first.log()).not.toBeNull();
          return m!;
        });
        dir = built[1];
        expect(kept(home)).toHaveLength(1);
        expect(join(home, 'cache', 'pg-catalog', kept(home)[0])).toBe(dir);
        // statement_timeout kills the process running a statement; the pool starts others, and the first of them to
        // answer a catalog query opens the file. (Which process takes which statement is the pool's choice: kill
        // until a new one has answered.)
        for (let i = 0; i < 4 && opened(first.log()).length === 0; i++) {
          await c.query("SET statement_timeout = '300ms'");
          await expect(c.query(RUNAWAY)).rejects.toMatchObject({ code: '57014' });
          await c.query('RESET statement_timeout');
          expect((await c.query(CATALOG_QUERY)).rows).toEqual([{ relname: 'clusters' }]);
          await new Promise((r) => setTimeout(r, 200));
        }
        await vi.waitFor(() => expect(new Set(opened(first.log()))).toEqual(new Set([dir])));
      } finally {
        await c.end();
      }
    } finally {
      await first.stop();
    }

    // Change a row in the kept file: a new server's processes answer from it rather than building their own.
    chmodSync(join(dir, 'pg_catalog.db'), 0o644);
    const db = new Sqlite(join(dir, 'pg_catalog.db'));
    db.prepare("UPDATE pg_class SET relname = 'clusters_from_the_kept_file' WHERE relname = 'clusters'").run();
    db.close();
    const second = await serve(home);
    try {
      const client = new pg.Client({ host: '127.0.0.1', port: second.port, user: 'alice', database: 'digitalocean', application_name: 'kept-file-test' });
      await client.connect();
      try {
        expect((await client.query(CATALOG_QUERY)).rows).toEqual([{ relname: 'clusters_from_the_kept_file' }]);
        await vi.waitFor(() => expect(opened(second.log())).toEqual([dir]));
        const activity = await client.query('SELECT usename, application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()');
        expect(activity.rows).toEqual([{ usename: 'alice', application_name: 'kept-file-test' }]);
        await client.query("SET application_name = 'renamed'");
        expect((await client.query("SELECT current_setting('application_name') AS a")).rows).toEqual([{ a: 'renamed' }]);
        expect((await client.query('SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()')).rows).toEqual([{ application_name: 'renamed' }]);
        await expect(client.query('DELETE FROM pg_catalog.pg_class')).rejects.toThrow();
      } finally {
        await client.end();
      }
    } finally {
      await second.stop();
    }
    expect(kept(home)).toEqual([dir.split('/').pop()]);
  });

  it('a different catalog (--spec) gets a file of its own', async () => {
    const home = tempDoqlHome();
    for (const args of [[], ['--spec', tinySpec]]) {
      const server = await serve(home, args);
      try {
        const c = await connectPg(server.port);
        try {
          await c.query('SELECT count(*) FROM pg_catalog.pg_class');
        } finally {
          await c.end();
        }
        await vi.waitFor(() => expect(server.log()).toMatch(/pg_catalog built and kept in /));
      } finally {
        await server.stop();
      }
    }
    expect(kept(home)).toHaveLength(2);
  });

  it("a process whose spec changed since the server started does not take the server's key: it builds and keeps its own", async () => {
    const home = tempDoqlHome();
    const spec = join(home, 'spec.yaml');
    writeFileSync(spec, readFileSync(tinySpec, 'utf8'));
    const server = await serve(home, ['--spec', spec]);
    const description = "SELECT obj_description(c.oid, 'pg_class') AS d FROM pg_catalog.pg_class c WHERE c.relname = 'clusters'";
    try {
      const c = await connectPg(server.port);
      try {
        expect((await c.query(description)).rows).toEqual([{ d: 'List database clusters' }]);
        writeFileSync(spec, readFileSync(tinySpec, 'utf8').replace('summary: List database clusters', 'summary: List database clusters, edited'));
        // Processes started before the edit keep the old spec: stop them (statement_timeout) until one started after answers.
        let answer: unknown;
        for (let i = 0; i < 4 && answer !== 'List database clusters, edited'; i++) {
          await c.query("SET statement_timeout = '300ms'");
          await expect(c.query(RUNAWAY)).rejects.toMatchObject({ code: '57014' });
          await c.query('RESET statement_timeout');
          answer = (await c.query(description)).rows[0].d;
        }
        expect(answer).toBe('List database clusters, edited');
      } finally {
        await c.end();
      }
    } finally {
      await server.stop();
    }
    expect(kept(home).filter((n) => /^[0-9a-f]{32}$/.test(n))).toHaveLength(2);
  });

  it('clients arriving together at a fresh server race to build it: one file, no leftovers, every answer right', async () => {
    const home = tempDoqlHome();
    const server = await serve(home);
    try {
      const answers = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const c = await connectPg(server.port);
          try {
            return (await c.query(CATALOG_QUERY)).rows;
          } finally {
            await c.end();
          }
        }),
      );
      expect(answers).toEqual(Array(4).fill([{ relname: 'clusters' }]));
    } finally {
      await server.stop();
    }
    expect(kept(home)).toHaveLength(1);
    expect(kept(home)[0]).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a new build removes old builds, all but the two last used of other keys, and dead temporary folders of its own, nothing else', async () => {
    const home = tempDoqlHome();
    const dir = join(home, 'cache', 'pg-catalog');
    const ago = (hours: number): Date => new Date(Date.now() - hours * 3600_000);
    const made = (name: string, when: Date): void => {
      mkdirSync(join(dir, name), { recursive: true });
      utimesSync(join(dir, name), when, when);
    };
    made('0'.repeat(32), ago(8 * 24)); // a build for another catalog or doql, unused for a week: goes
    made('1'.repeat(32), ago(1)); // the two used last (another catalog in use, the build before): stay
    made('3'.repeat(32), ago(2));
    made('4'.repeat(32), ago(3)); // older builds of other keys (each rebuild of doql is a new key): go
    made('5'.repeat(32), ago(4));
    made(`${'2'.repeat(32)}.tmp-abcdef`, ago(2)); // a killed builder's: goes
    made(`${'6'.repeat(32)}.tmp-abcdef`, ago(0)); // one building now: stays
    made('users-own', ago(8 * 24)); // not a name doql makes: stays
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    utimesSync(join(dir, 'notes.txt'), ago(8 * 24), ago(8 * 24));
    await catalogQueryLogs(home, /pg_catalog built and kept in /);
    const staying = ['1'.repeat(32), '3'.repeat(32), `${'6'.repeat(32)}.tmp-abcdef`, 'notes.txt', 'users-own'];
    const left = kept(home);
    expect(left.filter((n) => !staying.includes(n))).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
    expect(left.filter((n) => staying.includes(n))).toEqual(staying);
  });

  it('a server opening a kept catalog marks it used, so that other builds keep it among the last used', async () => {
    const home = tempDoqlHome();
    await catalogQueryLogs(home, /pg_catalog built and kept in /);
    const [key] = kept(home);
    const folder = join(home, 'cache', 'pg-catalog', key!);
    const long = new Date(Date.now() - 5 * 24 * 3600_000);
    utimesSync(folder, long, long);
    await catalogQueryLogs(home, /pg_catalog opened from /);
    expect(Date.now() - statSync(folder).mtimeMs).toBeLessThan(3600_000);
  });

  it('where nothing can be kept, each process builds it in memory and answers all the same', async () => {
    const home = tempDoqlHome();
    // A file of the user's where the folder would be: every write fails (as on a read-only or full disk), even for root.
    mkdirSync(join(home, 'cache'), { recursive: true });
    writeFileSync(join(home, 'cache', 'pg-catalog'), 'not ours');
    await catalogQueryLogs(home, /pg_catalog built in memory; not kept in \S+ \(.+\)/);
    expect(readFileSync(join(home, 'cache', 'pg-catalog'), 'utf8')).toBe('not ours');
  });
});
