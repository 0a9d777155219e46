// Bound parameters as the engine takes them: each a string (or NULL), whatever format and type the client
// sent it in. Booleans become 1 and 0 (SQLite's, what `locked = $1` compares with). Times become DigitalOcean's
// form (`2024-06-01T12:00:00Z`, what the columns hold, so that `created_at > $1` compares like with like);
// arrays (text or binary) become JSON text, which `= ANY($1)` reads element by element (sql/tree/emit-expr.ts:
// `= ANY`), numbers staying numbers.
import { DoqlError } from '../errors.js';
import { parseArray } from '../engine/pg-catalog-arrays.js';
import { pgTypeByOid } from '../engine/pg-catalog-types.js';
import { dateFromBinary, isoDate, isoTimestamp, numericFromBinary, parseTimestamp, timestampFromBinary } from '../engine/pg-values.js';
import { decodeBinaryParam, FormatCode, TypeOid } from './pg-types.js';

const NUMERIC_TYPES = new Set<number>([TypeOid.Int2, TypeOid.Int4, TypeOid.Int8, TypeOid.Float4, TypeOid.Float8, TypeOid.Numeric, 26]);

const badParam = (position: number, why: string): DoqlError =>
  new DoqlError('validation', `parameter $${position}: ${why}`, { sqlState: '22P02' });

/** Postgres' spellings of a boolean (`t`, `false`, `on`, `0`, …), as SQLite's 1 and 0, which the columns hold. */
function boolFromText(text: string, position: number): string {
  const word = text.trim().toLowerCase();
  if (['t', 'true', 'y', 'yes', 'on', '1'].includes(word)) return '1';
  if (['f', 'false', 'n', 'no', 'off', '0'].includes(word)) return '0';
  throw badParam(position, `invalid input syntax for type boolean: "${text}"`);
}

/** A scalar in the form the engine binds, from its text form and type (times normalized, booleans 1/0, the rest as is). */
function fromText(text: string, typeOid: number, position: number): string {
  switch (typeOid) {
    case TypeOid.Bool:
      return boolFromText(text, position);
    case TypeOid.Timestamptz:
    case TypeOid.Timestamp: {
      const micros = parseTimestamp(text);
      if (micros === undefined) throw badParam(position, `invalid input syntax for type timestamp: "${text}"`);
      return isoTimestamp(micros);
    }
    case TypeOid.Date: {
      const date = isoDate(text);
      if (date === undefined) throw badParam(position, `invalid input syntax for type date: "${text}"`);
      return date;
    }
    default:
      return text;
  }
}

/** A scalar in binary form, as the string the engine binds. */
function scalarFromBinary(bytes: Buffer, typeOid: number, position: number): string {
  const wrongLength = (): DoqlError =>
    new DoqlError('validation', `binary parameter $${position} has the wrong length for its type`, { sqlState: '22P03' });
  switch (typeOid) {
    case TypeOid.Bool:
      return boolFromText(decodeBinaryParam(bytes, typeOid, position), position);
    case TypeOid.Timestamptz:
    case TypeOid.Timestamp:
      if (bytes.length !== 8) throw wrongLength();
      return timestampFromBinary(bytes);
    case TypeOid.Date:
      if (bytes.length !== 4) throw wrongLength();
      return dateFromBinary(bytes);
    case TypeOid.Numeric: {
      const text = numericFromBinary(bytes);
      if (text === undefined) throw wrongLength();
      return text;
    }
    case 26: // oid
      if (bytes.length !== 4) throw wrongLength();
      return String(bytes.readUInt32BE(0));
    default:
      return decodeBinaryParam(bytes, typeOid, position);
  }
}

/** One JSON array element: numbers and booleans as themselves, everything else as a JSON string. */
function jsonElement(value: string | null, elementOid: number): string {
  if (value === null) return 'null';
  if (NUMERIC_TYPES.has(elementOid) && /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(value)) return value.replace(/^(-?)\./, '$10.').replace(/\.([eE]|$)/, '$1');
  if (elementOid === TypeOid.Bool) return value === '1' ? 'true' : 'false';
  return JSON.stringify(value);
}

/** A binary array (ndim, has-null flag, element OID, dimensions, then length-prefixed elements), flattened. */
function arrayFromBinary(bytes: Buffer, elementOid: number, position: number): string {
  const bad = (): DoqlError => new DoqlError('validation', `binary parameter $${position} is not a valid array`, { sqlState: '22P03' });
  if (bytes.length < 12) throw bad();
  const ndim = bytes.readInt32BE(0);
  const sentElement = bytes.readUInt32BE(8);
  let offset = 12;
  let count = ndim === 0 ? 0 : 1;
  for (let d = 0; d < ndim; d++) {
    if (offset + 8 > bytes.length) throw bad();
    count *= bytes.readInt32BE(offset);
    offset += 8;
  }
  const elements: string[] = [];
  for (let k = 0; k < count; k++) {
    if (offset + 4 > bytes.length) throw bad();
    const length = bytes.readInt32BE(offset);
    offset += 4;
    if (length < 0) {
      elements.push('null');
      continue;
    }
    if (offset + length > bytes.length) throw bad();
    const element = sentElement || elementOid;
    elements.push(jsonElement(scalarFromBinary(bytes.subarray(offset, offset + length), element, position), element));
    offset += length;
  }
  return `[${elements.join(',')}]`;
}

/** An array literal (`{1,2}`, `{"a b",NULL}`) as JSON text; nested arrays are flattened, as ANY reads them. */
function arrayFromText(text: string, elementOid: number, position: number): string {
  const flat = text.replace(/^\s*\{\s*\{/, '{').replace(/\}\s*\}\s*$/, '}').replace(/\}\s*,\s*\{/g, ',');
  const elements = parseArray(flat);
  if (!elements) throw badParam(position, `malformed array literal: "${text}"`);
  return `[${elements.map((e) => jsonElement(e === null ? null : fromText(e, elementOid, position), elementOid)).join(',')}]`;
}

/** Decodes the parameter at `position` (1-based) of the given type, sent in the given format. */
export function decodeParam(bytes: Buffer, format: FormatCode, typeOid: number, position: number): string {
  // An array type's element type, from the one table of Postgres types (pg_type's typelem).
  const elementOid = pgTypeByOid(typeOid)?.elem || undefined;
  if (format === FormatCode.Binary) {
    return elementOid !== undefined ? arrayFromBinary(bytes, elementOid, position) : scalarFromBinary(bytes, typeOid, position);
  }
  const text = bytes.toString('utf8');
  return elementOid !== undefined ? arrayFromText(text, elementOid, position) : fromText(text, typeOid, position);
}
