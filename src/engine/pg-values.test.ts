// Postgres' value formats for times and numerics: what the wire server sends and reads back.
import { describe, expect, it } from 'vitest';
import { isoTimestamp, numericFromBinary, numericToBinary, parseTimestamp, pgTimestampText, timestampFromBinary, timestampToBinary } from './pg-values.js';

describe('pg values', () => {
  it.each([
    ['2024-12-09T11:47:41Z', '2024-12-09 11:47:41+00', '2024-12-09T11:47:41Z'],
    ['2024-01-01 02:00:00.5+02:00', '2024-01-01 00:00:00.5+00', '2024-01-01T00:00:00.5Z'],
    ['2024-01-01 00:00:00-0530', '2024-01-01 05:30:00+00', '2024-01-01T05:30:00Z'],
    ['2024-06-01', '2024-06-01 00:00:00+00', '2024-06-01T00:00:00Z'],
    ['1999-12-31T23:59:59.999999Z', '1999-12-31 23:59:59.999999+00', '1999-12-31T23:59:59.999999Z'],
  ])('reads %s, prints it as Postgres (%s) and as DigitalOcean (%s) does, and round-trips binary', (input, pg, iso) => {
    expect(pgTimestampText(input)).toBe(pg);
    expect(isoTimestamp(parseTimestamp(input)!)).toBe(iso);
    expect(timestampFromBinary(timestampToBinary(input)!)).toBe(iso);
  });

  it('leaves text that is no time alone, and refuses it in binary', () => {
    expect(pgTimestampText('soon')).toBe('soon');
    expect(parseTimestamp('2024-02-30')).toBeUndefined();
    expect(timestampToBinary('soon')).toBeUndefined();
  });

  it('binary 2000-01-01 is 0 µs (Postgres epoch)', () => {
    expect(timestampToBinary('2000-01-01T00:00:00Z')!.readBigInt64BE(0)).toBe(0n);
  });

  it.each(['0', '12.34', '-0.00001234', '100000000', '1.5000', '0.10', '123456789.000001', '-3', 'NaN', '1e3'])('numeric %s round-trips in binary', (text) => {
    const back = numericFromBinary(numericToBinary(text)!);
    expect(text === '1e3' ? back : Number(back)).toBe(text === '1e3' ? '1000' : Number(text));
    if (/^-?\d+(\.\d+)?$/.test(text)) expect(back).toBe(text);
  });

  it('numeric 12.34 is two base-10000 digits, weight 0, scale 2', () => {
    expect(numericToBinary('12.34')!.toString('hex')).toBe('0002000000000002000c0d48');
  });
});
