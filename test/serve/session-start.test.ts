// `doql serve`'s session processes start from the session bundle with its code cache (src/build/bundle-cli.ts,
// src/cli/session-entry.ts), not silently from the compiled modules, and a process started to replace a killed one
// answers catalog and resource queries as the first did. Real server (dist/, so `npm run build` first), pg clients.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMissing } from '../cli/doql-home.js';
import { connectPg, RUNAWAY, startDoqlServe, type DoqlServe } from './doql-serve.js';

const dist = join(import.meta.dirname, '../../dist');

describe.skipIf(buildMissing())('doql serve session processes', () => {
  let server: DoqlServe;
  beforeAll(async () => {
    server = await startDoqlServe(['--sandbox', '--verbose']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('start from dist/doql-session.cjs, V8 taking its code cache', () => {
    // A bundle older than the compiled modules is ignored on purpose (a plain `npx tsc` since the build): say so.
    const bundle = statSync(join(dist, 'doql-session.cjs'), { throwIfNoEntry: false });
    expect(bundle && bundle.mtimeMs >= statSync(join(dist, 'cli', 'serve-child.js')).mtimeMs, 'dist/doql-session.cjs is missing or stale: run npm run build').toBe(true);
    expect(server.log()).toMatch(/session processes start from dist\/doql-session\.cjs, its code cache accepted; the first was ready in \d+ ms/);
  });

  it('a process that replaces one killed by statement_timeout answers catalog and resource queries', async () => {
    const c = await connectPg(server.port);
    try {
      const before = await c.query("SELECT relname FROM pg_catalog.pg_class WHERE relname = 'droplets'");
      expect(before.rows).toEqual([{ relname: 'droplets' }]);
      // Twice: the spare takes the first statement after a kill, and a freshly started process the one after.
      for (let i = 0; i < 2; i++) {
        await c.query("SET statement_timeout = '300ms'");
        await expect(c.query(RUNAWAY)).rejects.toMatchObject({ code: '57014' });
        await c.query('RESET statement_timeout');
        const catalog = await c.query("SELECT relname FROM pg_catalog.pg_class WHERE relname = 'droplets'");
        expect(catalog.rows).toEqual([{ relname: 'droplets' }]);
        const rows = await c.query('SELECT count(*) AS n FROM digitalocean.databases.clusters WHERE name <> $1', ['none']);
        expect(Number(rows.rows[0].n)).toBeGreaterThan(0);
      }
    } finally {
      await c.end();
    }
  });
});
