import net from 'node:net';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../test/server/server-fixture.js';
import { selfSignedCertificate, startServer } from '../../test/server/server-fixture.js';
import { DoqlError } from '../errors.js';
import { createPgServer, isLoopbackHost } from './pg-server.js';

const clientConfig = (port: number, extra: pg.ClientConfig = {}): pg.ClientConfig => ({
  host: '127.0.0.1',
  port,
  user: 'tester',
  database: 'doql',
  ...extra,
});

async function withClient<T>(port: number, run: (client: pg.Client) => Promise<T>, extra: pg.ClientConfig = {}): Promise<T> {
  const client = new pg.Client(clientConfig(port, extra));
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

describe('wire server with the pg client', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('runs a parameterized query', async () => {
    const result = await withClient(server.port, (c) => c.query('select $1 as greeting, $2 + 1 as next', ['hello', 41]));
    expect(result.rows).toEqual([{ greeting: 'hello', next: '42' }]);
    expect(result.command).toBe('SELECT');
    expect(result.rowCount).toBe(1);
  });

  it('prepares a named statement once and executes it twice', async () => {
    await withClient(server.port, async (c) => {
      const first = await c.query({ name: 'by_id', text: 'select name from things where id = $1', values: [1] });
      const second = await c.query({ name: 'by_id', text: 'select name from things where id = $1', values: [2] });
      expect(first.rows).toEqual([{ name: 'alpha' }]);
      expect(second.rows).toEqual([{ name: null }]);
    });
  });

  it('sends typed values: int8 as text, float8 and bool parsed, JSON parsed', async () => {
    const result = await withClient(server.port, (c) => c.query('select id, price, ok, meta, name from things order by id'));
    expect(result.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ['id', 20],
      ['price', 701],
      ['ok', 16],
      ['meta', 114],
      ['name', 25],
    ]);
    expect(result.rows).toEqual([
      { id: '1', price: 9.5, ok: true, meta: { size: 's-1vcpu-1gb', tags: ['a'] }, name: 'alpha' },
      { id: '2', price: 0.25, ok: false, meta: [1, 2], name: null },
    ]);
  });

  it('sends int8 that a type parser can read as numbers', async () => {
    const getTypeParser = (oid: number, format?: 'text' | 'binary'): unknown =>
      oid === 20 ? Number : pg.types.getTypeParser(oid, format);
    const types = { getTypeParser: getTypeParser as typeof pg.types.getTypeParser };
    const result = await withClient(server.port, (c) => c.query({ text: 'select id from things order by id', types }));
    expect(result.rows).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('sends the same values in binary format when asked', async () => {
    const text = 'select id, price, ok, meta, name from things where id = $1';
    // pg supports `binary` per query at run time; @types/pg does not declare it.
    const config = { text, values: [1], binary: true } as pg.QueryConfig;
    const binary = await withClient(server.port, (c) => c.query(config));
    // pg-types has no binary json parser, so json arrives as its text.
    expect(binary.rows).toEqual([{ id: '1', price: 9.5, ok: true, meta: '{"size":"s-1vcpu-1gb","tags":["a"]}', name: 'alpha' }]);
    expect(binary.fields.map((f) => f.format)).toEqual(['binary', 'binary', 'binary', 'binary', 'binary']);
  });

  it('reports errors with their SQLSTATE and stays usable', async () => {
    await withClient(server.port, async (c) => {
      await expect(c.query('select * from nope')).rejects.toMatchObject({
        code: '42P01',
        severity: 'ERROR',
        message: 'no such table: nope',
      });
      await expect(c.query('select * from nope where id = $1', [1])).rejects.toMatchObject({ code: '42P01' });
      await expect(c.query('selec 1')).rejects.toMatchObject({ code: '42601', hint: 'Check the SQL.' });
      expect((await c.query('select 1 as one')).rows).toEqual([{ one: '1' }]);
    });
  });

  it('returns one result per statement of a simple query, and handles an empty one', async () => {
    await withClient(server.port, async (c) => {
      const results = (await c.query('select 1 as a; select 2 as b')) as unknown as pg.QueryResult[];
      expect(results.map((r) => r.rows)).toEqual([[{ a: '1' }], [{ b: '2' }]]);
      const empty = await c.query('');
      expect(empty.rows).toEqual([]);
    });
  });

  it('serves 50 concurrent clients, each with its own session', async () => {
    const before = server.sessions.length;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => withClient(server.port, (c) => c.query('select $1 * 2 as doubled', [i]))),
    );
    expect(results.map((r) => r.rows[0].doubled)).toEqual(Array.from({ length: 50 }, (_, i) => String(i * 2)));
    expect(server.sessions.length - before).toBe(50);
    await vi.waitFor(() => expect(server.sessions.slice(before).every((s) => s.closed)).toBe(true));
  });

  it('cancels a running statement with pg’s cancel (a CancelRequest carrying the BackendKeyData)', async () => {
    await withClient(server.port, async (c) => {
      const query = new pg.Query('select pg_sleep(10)');
      const outcome = new Promise<unknown>((resolve) => {
        query.on('error', resolve);
        query.on('end', () => resolve('finished'));
      });
      const sleeping = server.nextSleep();
      c.query(query);
      await sleeping;
      // pg's cancel sends CancelRequest(processID, secretKey) on a fresh connection.
      (new pg.Client(clientConfig(server.port)) as unknown as { cancel(c: pg.Client, q: pg.Query): void }).cancel(c, query);
      const err = await outcome;
      expect(err).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
      expect((await c.query('select 1 as ok')).rows).toEqual([{ ok: '1' }]);
    });
  });

  it('ignores a CancelRequest with the wrong secret', async () => {
    await withClient(server.port, async (c) => {
      const { processID, secretKey } = c as unknown as { processID: number; secretKey: number };
      const sleeping = server.nextSleep();
      const running = c.query('select pg_sleep(0.3)');
      await sleeping;
      await new Promise<void>((resolve) => {
        const socket = net.connect(server.port, '127.0.0.1', () => socket.end(serialize.cancel(processID, secretKey + 1)));
        socket.on('close', () => resolve());
      });
      await expect(running).resolves.toMatchObject({ rowCount: 1 });
    });
  });
});

describe.each(['scram-sha-256', 'md5', 'password'] as const)('password authentication (%s) with the pg client', (authMethod) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ password: 's3cret-pw', authMethod });
  });
  afterAll(() => server.close());

  it('lets in a client with the right password', async () => {
    const result = await withClient(server.port, (c) => c.query('select 1 as ok'), { password: 's3cret-pw' });
    expect(result.rows).toEqual([{ ok: '1' }]);
  });

  it('refuses a wrong password with 28P01 and logs it without the password', async () => {
    const client = new pg.Client(clientConfig(server.port, { password: 'wrong-pw' }));
    await expect(client.connect()).rejects.toMatchObject({ code: '28P01', severity: 'FATAL' });
    const line = server.logs.find((l) => l.includes('password authentication failed for user "tester"'));
    expect(line).toBeDefined();
    expect(server.logs.join('\n')).not.toMatch(/wrong-pw|s3cret-pw/);
  });
});

describe('wire server over TLS', () => {
  it('upgrades a connection that asks for TLS', async () => {
    const server = await startServer({ tls: selfSignedCertificate(), password: 'pw' });
    try {
      const result = await withClient(server.port, (c) => c.query('select 5 as five'), {
        password: 'pw',
        ssl: { rejectUnauthorized: false },
      });
      expect(result.rows).toEqual([{ five: '5' }]);
    } finally {
      await server.close();
    }
  });
});

describe('createPgServer', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
    ['example.com', false],
  ])('treats %s as loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('refuses to listen beyond loopback without a password', async () => {
    const server = createPgServer({ sessionFactory: () => ({ execute: async () => [], close: () => {} }) });
    const err = await server.listen(0, '0.0.0.0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DoqlError);
    expect(err).toMatchObject({ code: 'usage', message: expect.stringContaining('without a password') });
  });

  it('refuses an empty password', () => {
    expect(() => createPgServer({ sessionFactory: () => ({ execute: async () => [], close: () => {} }), password: '' })).toThrow(
      /must not be empty/,
    );
  });

  it('ends open connections on close', async () => {
    const server = await startServer();
    const client = new pg.Client(clientConfig(server.port));
    await client.connect();
    const ended = new Promise<unknown>((resolve) => client.on('error', resolve));
    await server.close();
    expect(await ended).toMatchObject({ code: '57P01' });
    expect(server.sessions.every((s) => s.closed)).toBe(true);
  });
});
