import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { describe, expect, it } from 'vitest';
import * as wire from './backend-serializer.js';

/** Decodes our bytes with node-postgres' own client-side parser: a real peer for the serializer. */
function decode(...buffers: Buffer[]): BackendMessage[] {
  const messages: BackendMessage[] = [];
  new Parser().parse(Buffer.concat(buffers), (m) => messages.push(m));
  return messages;
}

describe('backend serializer, as read by pg-protocol', () => {
  it('frames startup messages', () => {
    expect(
      decode(
        wire.authenticationOk(),
        wire.parameterStatus('server_version', '16.0 (doql)'),
        wire.backendKeyData(1234, -5),
        wire.readyForQuery('I'),
      ),
    ).toMatchObject([
      { name: 'authenticationOk' },
      { name: 'parameterStatus', parameterName: 'server_version', parameterValue: '16.0 (doql)' },
      { name: 'backendKeyData', processID: 1234, secretKey: -5 },
      { name: 'readyForQuery', status: 'I' },
    ]);
  });

  it('frames the authentication requests', () => {
    const salt = Buffer.from([1, 2, 3, 4]);
    expect(
      decode(
        wire.authenticationCleartextPassword(),
        wire.authenticationMd5Password(salt),
        wire.authenticationSasl(['SCRAM-SHA-256']),
        wire.authenticationSaslContinue('r=abc,s=c2FsdA==,i=4096'),
        wire.authenticationSaslFinal('v=xyz'),
      ),
    ).toMatchObject([
      { name: 'authenticationCleartextPassword' },
      { name: 'authenticationMD5Password', salt },
      { name: 'authenticationSASL', mechanisms: ['SCRAM-SHA-256'] },
      { name: 'authenticationSASLContinue', data: 'r=abc,s=c2FsdA==,i=4096' },
      { name: 'authenticationSASLFinal', data: 'v=xyz' },
    ]);
  });

  it('frames a result set', () => {
    const [description, row, complete] = decode(
      wire.rowDescription([
        { name: 'id', typeOid: 20, typeSize: 8, format: 0 },
        { name: 'naïve', typeOid: 25, typeSize: -1, format: 1 },
      ]),
      wire.dataRow([Buffer.from('42'), null]),
      wire.commandComplete('SELECT 1'),
    );
    expect(description).toMatchObject({
      name: 'rowDescription',
      fields: [
        { name: 'id', dataTypeID: 20, dataTypeSize: 8, dataTypeModifier: -1, format: 'text' },
        { name: 'naïve', dataTypeID: 25, dataTypeSize: -1, format: 'binary' },
      ],
    });
    expect(row).toMatchObject({ name: 'dataRow', fields: ['42', null] });
    expect(complete).toMatchObject({ name: 'commandComplete', text: 'SELECT 1' });
  });

  it('frames an ErrorResponse with its SQLSTATE and hint', () => {
    const [error] = decode(
      wire.errorResponse({ severity: 'ERROR', sqlState: '42P01', message: 'no such table: nope', hint: 'Try SHOW TABLES.' }),
    );
    expect(error).toMatchObject({
      name: 'error',
      severity: 'ERROR',
      code: '42P01',
      message: 'no such table: nope',
      hint: 'Try SHOW TABLES.',
    });
  });

  it('frames the extended-protocol acknowledgements', () => {
    expect(
      decode(
        wire.parseComplete(),
        wire.bindComplete(),
        wire.parameterDescription([25, 20]),
        wire.noData(),
        wire.portalSuspended(),
        wire.emptyQueryResponse(),
        wire.closeComplete(),
        wire.noticeResponse({ severity: 'NOTICE', sqlState: '00000', message: 'hello' }),
      ),
    ).toMatchObject([
      { name: 'parseComplete' },
      { name: 'bindComplete' },
      { name: 'parameterDescription', dataTypeIDs: [25, 20] },
      { name: 'noData' },
      { name: 'portalSuspended' },
      { name: 'emptyQuery' },
      { name: 'closeComplete' },
      { name: 'notice', message: 'hello' },
    ]);
  });
});
