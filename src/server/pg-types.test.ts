import { describe, expect, it } from 'vitest';
import type { ResultColumn } from '../engine/types.js';
import { decodeBinaryParam, encodeCell, fieldDescriptions, FormatCode, TypeOid } from './pg-types.js';

const col = (type: ResultColumn['type']): ResultColumn => ({ name: 'c', type });

describe('pg types', () => {
  it('maps SQL types to Postgres OIDs', () => {
    const fields = fieldDescriptions(
      [col('INTEGER'), col('REAL'), col('BOOLEAN'), col('JSON'), col('TEXT')],
      [FormatCode.Text, FormatCode.Text, FormatCode.Text, FormatCode.Text, FormatCode.Binary],
    );
    expect(fields.map((f) => [f.typeOid, f.typeSize, f.format])).toEqual([
      [20, 8, 0],
      [701, 8, 0],
      [16, 1, 0],
      [114, -1, 0],
      [25, -1, 1],
    ]);
  });

  it.each([
    [123n, 'INTEGER', '123'],
    [9007199254740993n, 'INTEGER', '9007199254740993'],
    [1.5, 'REAL', '1.5'],
    [Number.POSITIVE_INFINITY, 'REAL', 'Infinity'],
    [true, 'BOOLEAN', 't'],
    [false, 'BOOLEAN', 'f'],
    [0, 'BOOLEAN', 'f'],
    ['{"a":1}', 'JSON', '{"a":1}'],
    ['héllo', 'TEXT', 'héllo'],
  ] as const)('encodes %s in a %s column as text %j', (value, type, text) => {
    expect(encodeCell(value, col(type), FormatCode.Text)?.toString('utf8')).toBe(text);
  });

  it('encodes NULL as no bytes', () => {
    expect(encodeCell(null, col('TEXT'), FormatCode.Binary)).toBeNull();
  });

  it('encodes binary int8, float8 and bool', () => {
    expect(encodeCell(-2n, col('INTEGER'), FormatCode.Binary)?.readBigInt64BE(0)).toBe(-2n);
    expect(encodeCell(2.25, col('REAL'), FormatCode.Binary)?.readDoubleBE(0)).toBe(2.25);
    expect([...(encodeCell(true, col('BOOLEAN'), FormatCode.Binary) ?? [])]).toEqual([1]);
    expect(() => encodeCell('abc', col('INTEGER'), FormatCode.Binary)).toThrow(/not a valid int8/);
  });

  it('decodes binary parameters of simple types and refuses the rest', () => {
    const int4 = Buffer.alloc(4);
    int4.writeInt32BE(-7);
    expect(decodeBinaryParam(int4, TypeOid.Int4, 1)).toBe('-7');
    expect(decodeBinaryParam(Buffer.from([1]), TypeOid.Bool, 1)).toBe('true');
    expect(decodeBinaryParam(Buffer.from('abc'), TypeOid.Text, 1)).toBe('abc');
    expect(() => decodeBinaryParam(Buffer.from([1, 2]), TypeOid.Int4, 2)).toThrow(/\$2 has the wrong length/);
    expect(() => decodeBinaryParam(Buffer.alloc(16), 600, 3)).toThrow(/not supported/);
  });
});
