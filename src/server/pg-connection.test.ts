import { serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { Parser } from 'pg-protocol/dist/parser.js';
import { describe, expect, it, vi } from 'vitest';
import { createSqliteSession } from '../../test/server/sqlite-session.js';
import { CancelRegistry } from './cancel-registry.js';
import { PgConnection } from './pg-connection.js';

const SETUP = `
  create table nums (x INTEGER);
  insert into nums values (1), (2), (3), (4), (5);
  create table notes (id INTEGER, body TEXT);
`;

/** A connection over a fake transport: the protocol without a socket. */
function open(options: { startTls?: boolean } = {}) {
  const session = createSqliteSession({ setup: SETUP });
  const written: Buffer[] = [];
  const state = { ended: false, tlsStarted: false };
  const conn = new PgConnection(
    {
      remoteAddress: 'test:1',
      write: (data) => written.push(data),
      end: () => {
        state.ended = true;
      },
      startTls: options.startTls
        ? () => {
            state.tlsStarted = true;
          }
        : undefined,
    },
    { sessionFactory: () => session, serverVersion: '16.0 (doql)', cancels: new CancelRegistry(), log: () => {} },
  );
  const output = (): Buffer => Buffer.concat(written);
  const messages = (): BackendMessage[] => {
    const out: BackendMessage[] = [];
    new Parser().parse(output(), (m) => out.push(m));
    return out;
  };
  const readyCount = (): number => messages().filter((m) => m.name === 'readyForQuery').length;
  return {
    conn,
    session,
    state,
    output,
    messages,
    /** Sends bytes and waits until the server has said ReadyForQuery `ready` more times. */
    async exchange(bytes: Buffer, ready = 1): Promise<BackendMessage[]> {
      const before = messages().length;
      const target = readyCount() + ready;
      conn.receive(bytes);
      await vi.waitFor(() => expect(readyCount()).toBeGreaterThanOrEqual(target), { timeout: 2000 });
      return messages().slice(before);
    },
  };
}

async function ready() {
  const c = open();
  await c.exchange(serialize.startup({ user: 'tester', database: 'doql' }));
  return c;
}

const names = (messages: BackendMessage[]): string[] => messages.map((m) => m.name);

/** A Bind with one result format per column, which pg-protocol's serializer cannot express. */
function bindWithResultFormats(formats: number[]): Buffer {
  const body = Buffer.alloc(2 + 2 + 2 + 2 + formats.length * 2);
  let at = 2; // empty portal and statement names: two NULs
  at = body.writeInt16BE(0, at); // no parameter formats
  at = body.writeInt16BE(0, at); // no parameters
  at = body.writeInt16BE(formats.length, at);
  for (const f of formats) at = body.writeInt16BE(f, at);
  const header = Buffer.from([0x42, 0, 0, 0, 0]);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

describe('PgConnection', () => {
  it('greets a client without a password: AuthenticationOk, parameters, key data, ReadyForQuery', async () => {
    const c = open();
    const messages = await c.exchange(serialize.startup({ user: 'tester', database: 'doql' }));
    expect(messages[0]).toMatchObject({ name: 'authenticationOk' });
    const statuses = messages.filter((m) => m.name === 'parameterStatus') as unknown as {
      parameterName: string;
      parameterValue: string;
    }[];
    const params = Object.fromEntries(statuses.map((m) => [m.parameterName, m.parameterValue]));
    expect(params).toMatchObject({
      server_version: '16.0 (doql)',
      server_encoding: 'UTF8',
      client_encoding: 'UTF8',
      DateStyle: 'ISO, MDY',
      integer_datetimes: 'on',
      standard_conforming_strings: 'on',
    });
    expect(names(messages).slice(-2)).toEqual(['backendKeyData', 'readyForQuery']);
  });

  it('answers an empty query with EmptyQueryResponse', async () => {
    const c = await ready();
    expect(names(await c.exchange(serialize.query('  -- nothing\n;')))).toEqual(['emptyQuery', 'readyForQuery']);
  });

  it('describes a parameterized SELECT before execution by probing it with NULL parameters', async () => {
    const c = await ready();
    const messages = await c.exchange(
      Buffer.concat([
        serialize.parse({ name: 's1', text: 'select x, $1 as tag from nums where x > $2' }),
        serialize.describe({ type: 'S', name: 's1' }),
        serialize.sync(),
      ]),
    );
    expect(messages).toMatchObject([
      { name: 'parseComplete' },
      { name: 'parameterDescription', dataTypeIDs: [25, 25] },
      { name: 'rowDescription', fields: [{ name: 'x', dataTypeID: 20 }, { name: 'tag' }] },
      { name: 'readyForQuery' },
    ]);
    const rows = await c.exchange(
      Buffer.concat([serialize.bind({ statement: 's1', values: ['t', '3'] }), serialize.execute(), serialize.sync()]),
    );
    expect(rows).toMatchObject([
      { name: 'bindComplete' },
      { name: 'dataRow', fields: ['4', 't'] },
      { name: 'dataRow', fields: ['5', 't'] },
      { name: 'commandComplete', text: 'SELECT 2' },
      { name: 'readyForQuery' },
    ]);
  });

  it('never runs a write to describe it', async () => {
    const c = await ready();
    const messages = await c.exchange(
      Buffer.concat([
        serialize.parse({ name: 'ins', text: 'insert into notes values ($1, $2)' }),
        serialize.describe({ type: 'S', name: 'ins' }),
        serialize.sync(),
      ]),
    );
    expect(names(messages)).toEqual(['parseComplete', 'parameterDescription', 'noData', 'readyForQuery']);
    expect(c.session.executed).toEqual([]);
  });

  it('skips everything after an error until Sync, then carries on', async () => {
    const c = await ready();
    const messages = await c.exchange(
      Buffer.concat([
        serialize.bind({ statement: 'missing' }),
        serialize.describe({ type: 'P' }),
        serialize.execute(),
        serialize.sync(),
        serialize.query('select 7 as n'),
      ]),
      2,
    );
    expect(messages).toMatchObject([
      { name: 'error', code: '26000', message: 'prepared statement "missing" does not exist' },
      { name: 'readyForQuery' },
      { name: 'rowDescription' },
      { name: 'dataRow', fields: ['7'] },
      { name: 'commandComplete', text: 'SELECT 1' },
      { name: 'readyForQuery' },
    ]);
  });

  it('fetches a portal in pieces when Execute sets a row limit', async () => {
    const c = await ready();
    const messages = await c.exchange(
      Buffer.concat([
        serialize.parse({ text: 'select x from nums order by x' }),
        serialize.bind({ portal: 'p' }),
        serialize.execute({ portal: 'p', rows: 2 }),
        serialize.execute({ portal: 'p', rows: 2 }),
        serialize.execute({ portal: 'p', rows: 0 }),
        serialize.sync(),
      ]),
    );
    expect(names(messages)).toEqual([
      'parseComplete',
      'bindComplete',
      'dataRow',
      'dataRow',
      'portalSuspended',
      'dataRow',
      'dataRow',
      'portalSuspended',
      'dataRow',
      'commandComplete',
      'readyForQuery',
    ]);
    expect(messages[9]).toMatchObject({ text: 'SELECT 1' });
    expect(c.session.executed).toHaveLength(1);
  });

  it('keeps a portal across Syncs inside BEGIN … COMMIT (pgjdbc with a fetch size), and ends it with the block', async () => {
    const c = await ready();
    await c.exchange(serialize.query('BEGIN'));
    const first = await c.exchange(
      Buffer.concat([serialize.parse({ text: 'select x from nums order by x' }), serialize.bind({ portal: 'C_1' }), serialize.execute({ portal: 'C_1', rows: 2 }), serialize.sync()]),
    );
    expect(names(first)).toEqual(['parseComplete', 'bindComplete', 'dataRow', 'dataRow', 'portalSuspended', 'readyForQuery']);
    expect(first[5]).toMatchObject({ status: 'T' });
    const rest = await c.exchange(Buffer.concat([serialize.execute({ portal: 'C_1', rows: 2 }), serialize.sync(), serialize.execute({ portal: 'C_1', rows: 2 }), serialize.sync()]), 2);
    expect(names(rest)).toEqual(['dataRow', 'dataRow', 'portalSuspended', 'readyForQuery', 'dataRow', 'commandComplete', 'readyForQuery']);
    await c.exchange(serialize.query('COMMIT'));
    const after = await c.exchange(Buffer.concat([serialize.execute({ portal: 'C_1', rows: 2 }), serialize.sync()]));
    expect(after[0]).toMatchObject({ name: 'error', code: '34000' });
  });

  it('honours a result format per column', async () => {
    const c = await ready();
    const messages = await c.exchange(
      Buffer.concat([
        serialize.parse({ text: "select 'a' as t, 'b' as u" }),
        bindWithResultFormats([0, 1]),
        serialize.describe({ type: 'P' }),
        serialize.execute(),
        serialize.sync(),
      ]),
    );
    expect(messages).toMatchObject([
      { name: 'parseComplete' },
      { name: 'bindComplete' },
      { name: 'rowDescription', fields: [{ format: 'text' }, { format: 'binary' }] },
      { name: 'dataRow', fields: ['a', 'b'] },
      { name: 'commandComplete' },
      { name: 'readyForQuery' },
    ]);
  });

  it.each([
    [
      'result formats that do not match the columns',
      [serialize.parse({ text: "select 'a' as t, 'b' as u" }), bindWithResultFormats([0, 1, 0]), serialize.execute()],
      '08P01',
    ],
    ['several statements in one Parse', [serialize.parse({ text: 'select 1; select 2' })], '42601'],
    ['a Bind with too few parameters', [serialize.parse({ text: 'select $1, $2' }), serialize.bind({ values: ['a'] })], '08P01'],
    [
      'a duplicate statement name',
      [serialize.parse({ name: 'a', text: 'select 1' }), serialize.parse({ name: 'a', text: 'select 1' })],
      '42P05',
    ],
    ['Execute of a missing portal', [serialize.execute({ portal: 'nope' })], '34000'],
    [
      'binary parameters of an unsupported type',
      [serialize.parse({ text: 'select $1', types: [600] }), serialize.bind({ values: [Buffer.alloc(16)] })],
      '0A000',
    ],
  ])('reports %s with SQLSTATE %s', async (_name, frames, sqlState) => {
    const c = await ready();
    const messages = await c.exchange(Buffer.concat([...frames, serialize.sync()]));
    expect(messages.find((m) => m.name === 'error')).toMatchObject({ code: sqlState, severity: 'ERROR' });
    expect(names(messages).at(-1)).toBe('readyForQuery');
  });

  it('answers SSLRequest with N when no certificate is configured', async () => {
    const c = open();
    c.conn.receive(serialize.requestSsl());
    await vi.waitFor(() => expect(c.output().toString('latin1')).toBe('N'));
  });

  it('upgrades to TLS on SSLRequest when it can', async () => {
    const c = open({ startTls: true });
    c.conn.receive(serialize.requestSsl());
    await vi.waitFor(() => expect(c.state.tlsStarted).toBe(true));
    expect(c.output().toString('latin1')).toBe('S');
  });

  it('refuses plaintext bytes smuggled after an SSLRequest', async () => {
    const c = open({ startTls: true });
    c.conn.receive(Buffer.concat([serialize.requestSsl(), serialize.startup({ user: 'mallory' })]));
    await vi.waitFor(() => expect(c.state.ended).toBe(true));
    expect(c.state.tlsStarted).toBe(false);
    expect(c.messages()).toMatchObject([{ name: 'error', severity: 'FATAL', code: '08P01' }]);
  });

  it('offers protocol 3.0 to a client asking for 3.2', async () => {
    const c = open();
    const startup = serialize.startup({ user: 'tester' });
    startup.writeInt32BE(0x00030002, 4);
    c.conn.receive(startup);
    await vi.waitFor(() => expect(c.output().length).toBeGreaterThan(0));
    const out = c.output();
    expect(String.fromCharCode(out[0] as number)).toBe('v');
    expect(out.readInt32BE(5)).toBe(0); // newest minor version supported
  });

  it('rejects protocol 2 with a FATAL error', async () => {
    const c = open();
    const startup = serialize.startup({ user: 'tester' });
    startup.writeInt32BE(0x00020000, 4);
    c.conn.receive(startup);
    await vi.waitFor(() => expect(c.state.ended).toBe(true));
    expect(c.messages()).toMatchObject([{ name: 'error', severity: 'FATAL', code: '0A000' }]);
  });

  it('closes its session on Terminate', async () => {
    const c = await ready();
    c.conn.receive(serialize.end());
    await vi.waitFor(() => expect(c.session.closed).toBe(true));
    expect(c.state.ended).toBe(true);
  });
});
