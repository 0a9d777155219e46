import { serialize } from 'pg-protocol';
import { describe, expect, it } from 'vitest';
import type { FrontendMessage } from './frontend-messages.js';
import { FrontendParser } from './message-parser.js';

const startup = serialize.startup({ user: 'alice', database: 'doql', application_name: 'psql' });

/** A parser already past the startup packet, as on a live connection. */
function typedParser(): FrontendParser {
  const parser = new FrontendParser();
  parser.feed(startup);
  return parser;
}

/** What the `pg` client writes in one go for `client.query('select $1', ['x'])`. */
const pipelined = Buffer.concat([
  serialize.parse({ text: 'select $1::text as v', types: [25] }),
  serialize.bind({ values: ['x', null, Buffer.from([0, 0, 0, 7])] }),
  serialize.describe({ type: 'P' }),
  serialize.execute({ rows: 0 }),
  serialize.sync(),
]);

const expectedPipelined: FrontendMessage[] = [
  { kind: 'parse', statement: '', sql: 'select $1::text as v', paramTypes: [25] },
  {
    kind: 'bind',
    portal: '',
    statement: '',
    paramFormats: [0, 0, 1],
    params: [Buffer.from('x'), null, Buffer.from([0, 0, 0, 7])],
    resultFormats: [0],
  },
  { kind: 'describe', target: 'portal', name: '' },
  { kind: 'execute', portal: '', maxRows: 0 },
  { kind: 'sync' },
];

describe('FrontendParser', () => {
  it('reads a startup message with its parameters, then switches to typed messages', () => {
    const parser = new FrontendParser();
    expect(parser.feed(startup)).toEqual([
      {
        kind: 'startup',
        protocolVersion: 196608,
        // pg-protocol adds client_encoding itself.
        params: { user: 'alice', database: 'doql', application_name: 'psql', client_encoding: 'UTF8' },
      },
    ]);
    expect(parser.feed(serialize.query('select 1'))).toEqual([{ kind: 'query', sql: 'select 1' }]);
  });

  it.each([
    ['SSLRequest', serialize.requestSsl(), { kind: 'sslRequest' }],
    ['GSSENCRequest', Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30]), { kind: 'gssEncRequest' }],
    ['CancelRequest', serialize.cancel(4242, -17), { kind: 'cancelRequest', processId: 4242, secretKey: -17 }],
  ])('reads a %s before startup and stays in the startup phase', (_name, bytes, expected) => {
    const parser = new FrontendParser();
    expect(parser.feed(Buffer.concat([bytes, startup]))).toEqual([expected, expect.objectContaining({ kind: 'startup' })]);
  });

  it('reads pipelined Parse/Bind/Describe/Execute/Sync from one chunk', () => {
    expect(typedParser().feed(pipelined)).toEqual(expectedPipelined);
  });

  it('reassembles messages split at every possible byte boundary', () => {
    for (let cut = 1; cut < pipelined.length; cut++) {
      const parser = typedParser();
      const messages = [...parser.feed(pipelined.subarray(0, cut)), ...parser.feed(pipelined.subarray(cut))];
      expect(messages, `cut at ${cut}`).toEqual(expectedPipelined);
      expect(parser.pendingBytes).toBe(0);
    }
  });

  it('reassembles a stream fed one byte at a time, startup included', () => {
    const parser = new FrontendParser();
    const stream = Buffer.concat([serialize.requestSsl(), startup, pipelined]);
    const messages: FrontendMessage[] = [];
    for (const byte of stream) messages.push(...parser.feed(Buffer.from([byte])));
    expect(messages.map((m) => m.kind)).toEqual(['sslRequest', 'startup', 'parse', 'bind', 'describe', 'execute', 'sync']);
    expect(messages.slice(2)).toEqual(expectedPipelined);
  });

  it('keeps an incomplete message pending until the rest arrives', () => {
    const parser = typedParser();
    const query = serialize.query('select 42');
    expect(parser.feed(query.subarray(0, 3))).toEqual([]);
    expect(parser.pendingBytes).toBe(3);
    expect(parser.feed(query.subarray(3))).toEqual([{ kind: 'query', sql: 'select 42' }]);
  });

  it.each([
    ['Close of a statement', serialize.close({ type: 'S', name: 'stmt1' }), { kind: 'close', target: 'statement', name: 'stmt1' }],
    ['Describe of a statement', serialize.describe({ type: 'S', name: 's' }), { kind: 'describe', target: 'statement', name: 's' }],
    ['Execute with a row limit', serialize.execute({ portal: 'p1', rows: 10 }), { kind: 'execute', portal: 'p1', maxRows: 10 }],
    ['Flush', serialize.flush(), { kind: 'flush' }],
    ['Terminate', serialize.end(), { kind: 'terminate' }],
    ['PasswordMessage', serialize.password('pw'), { kind: 'password', data: Buffer.from('pw\0') }],
    ['CopyDone', serialize.copyDone(), { kind: 'copy' }],
  ])('decodes %s', (_name, bytes, expected) => {
    expect(typedParser().feed(bytes)).toEqual([expected]);
  });

  it.each([
    ['a typed message length below 4', Buffer.from([0x51, 0, 0, 0, 2])],
    ['an unknown message type', Buffer.from([0x7a, 0, 0, 0, 4])],
    ['a string without its NUL', Buffer.from([0x51, 0, 0, 0, 7, 0x61, 0x62, 0x63])],
    ['trailing bytes after a message', Buffer.from([0x45, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0xff])],
    ['a bad Describe target', Buffer.from([0x44, 0, 0, 0, 6, 0x58, 0])],
  ])('reports %s as a protocol error and stops', (_name, bytes) => {
    const parser = typedParser();
    const messages = parser.feed(Buffer.concat([serialize.query('select 1'), bytes]));
    expect(messages[0]).toEqual({ kind: 'query', sql: 'select 1' });
    expect(messages[1]).toMatchObject({ kind: 'protocolError' });
    expect(parser.feed(serialize.sync())).toEqual([]);
  });

  it('rejects an oversized startup packet', () => {
    const bytes = Buffer.alloc(8);
    bytes.writeInt32BE(20_000, 0);
    expect(new FrontendParser().feed(bytes)).toEqual([{ kind: 'protocolError', message: 'invalid length of startup packet' }]);
  });

  it('rejects a message longer than its configured maximum', () => {
    const parser = new FrontendParser(100);
    parser.feed(startup);
    expect(parser.feed(serialize.query('x'.repeat(200)))).toMatchObject([{ kind: 'protocolError' }]);
  });
});
