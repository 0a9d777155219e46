// Maps doql's SQL types to Postgres type OIDs and encodes cells / decodes parameters in text or binary format.
import type { SqlType } from '../catalog/types.js';
import type { CellValue, PgTypeName, ResultColumn } from '../engine/types.js';
import { dateToBinary, numericToBinary, timestampToBinary } from '../engine/pg-values.js';
import { pgValueText } from '../engine/pg-value-text.js';
import { float8Text } from '../engine/pg-text-forms.js';
import { parseArray } from '../engine/pg-catalog-arrays.js';
import { DoqlError } from '../errors.js';
import type { FieldDescription } from './backend-serializer.js';

/** The pg_type OIDs doql sends or understands. */
export const enum TypeOid {
  Unspecified = 0,
  Bool = 16,
  Bytea = 17,
  Name = 19,
  Int8 = 20,
  Int2 = 21,
  Int4 = 23,
  Text = 25,
  Json = 114,
  Float4 = 700,
  Float8 = 701,
  Unknown = 705,
  Bpchar = 1042,
  Varchar = 1043,
  Date = 1082,
  Timestamp = 1114,
  Timestamptz = 1184,
  Numeric = 1700,
  Uuid = 2950,
  Jsonb = 3802,
  Int4Array = 1007,
  TextArray = 1009,
  Int8Array = 1016,
}

/** 0 text, 1 binary. */
export const enum FormatCode {
  Text = 0,
  Binary = 1,
}

const WIRE_TYPES: Record<SqlType, { oid: TypeOid; size: number }> = {
  TEXT: { oid: TypeOid.Text, size: -1 },
  INTEGER: { oid: TypeOid.Int8, size: 8 },
  REAL: { oid: TypeOid.Float8, size: 8 },
  BOOLEAN: { oid: TypeOid.Bool, size: 1 },
  JSON: { oid: TypeOid.Json, size: -1 },
};

/** What a column shown as a Postgres type (ResultColumn.pgType) is on the wire. */
const PG_WIRE_TYPES: Record<PgTypeName, { oid: TypeOid; size: number }> = {
  int2: { oid: TypeOid.Int2, size: 2 },
  int4: { oid: TypeOid.Int4, size: 4 },
  timestamptz: { oid: TypeOid.Timestamptz, size: 8 },
  timestamp: { oid: TypeOid.Timestamp, size: 8 },
  date: { oid: TypeOid.Date, size: 4 },
  numeric: { oid: TypeOid.Numeric, size: -1 },
  json: { oid: TypeOid.Json, size: -1 },
  jsonb: { oid: TypeOid.Jsonb, size: -1 },
  _text: { oid: TypeOid.TextArray, size: -1 },
  _int4: { oid: TypeOid.Int4Array, size: -1 },
  _int8: { oid: TypeOid.Int8Array, size: -1 },
};

export function fieldDescriptions(columns: ResultColumn[], formats: FormatCode[]): FieldDescription[] {
  return columns.map((column, i) => {
    const wire = (column.pgType && PG_WIRE_TYPES[column.pgType]) ?? WIRE_TYPES[column.type] ?? WIRE_TYPES.TEXT;
    return { name: column.name, typeOid: wire.oid, typeSize: wire.size, format: formats[i] ?? FormatCode.Text };
  });
}

/** The text form Postgres would print: decimal numbers, t/f booleans, JSON as its text. */
export function cellText(value: Exclude<CellValue, null>, type: SqlType): string {
  if (type === 'BOOLEAN' || typeof value === 'boolean') {
    const b = toBool(value);
    if (b !== undefined) return b ? 't' : 'f';
  }
  // float8out's form: shortest digits, an exponent from 1e15 (String() would write 1000000000000000).
  if (typeof value === 'number' && (type === 'REAL' || !Number.isInteger(value))) return float8Text(value);
  return String(value);
}

export function encodeCell(value: CellValue, column: ResultColumn, format: FormatCode): Buffer | null {
  if (value === null) return null;
  if (column.pgType) return encodePgTyped(value, column, column.pgType, format);
  if (format === FormatCode.Text) return Buffer.from(cellText(value, column.type), 'utf8');
  switch (column.type) {
    case 'INTEGER': {
      const b = Buffer.allocUnsafe(8);
      b.writeBigInt64BE(toInt8(value, column));
      return b;
    }
    case 'REAL': {
      const b = Buffer.allocUnsafe(8);
      b.writeDoubleBE(toFloat8(value, column));
      return b;
    }
    case 'BOOLEAN': {
      const b = toBool(value);
      if (b === undefined) throw notBinary(value, column, 'bool');
      return Buffer.from([b ? 1 : 0]);
    }
    case 'TEXT':
    case 'JSON':
      // Binary json is its text; binary text is its UTF-8 bytes.
      return Buffer.from(cellText(value, column.type), 'utf8');
  }
}

/** A value of a column shown as timestamptz, date, numeric or jsonb, as Postgres sends that type. */
function encodePgTyped(value: Exclude<CellValue, null>, column: ResultColumn, pgType: PgTypeName, format: FormatCode): Buffer {
  if (format === FormatCode.Text) return Buffer.from(pgValueText(value, column), 'utf8');
  const text = typeof value === 'string' ? value : String(value);
  let binary: Buffer | undefined;
  switch (pgType) {
    case 'int2':
    case 'int4':
      binary = narrowIntToBinary(value, pgType);
      break;
    case 'timestamptz':
    case 'timestamp':
      binary = timestampToBinary(text);
      break;
    case 'date':
      binary = dateToBinary(text);
      break;
    case 'numeric':
      binary = numericToBinary(typeof value === 'boolean' ? Number(value) : value);
      break;
    case 'jsonb':
      // jsonb's binary form is a version byte (1) and the JSON text.
      return Buffer.concat([Buffer.from([1]), Buffer.from(text, 'utf8')]);
    case 'json':
      return Buffer.from(text, 'utf8');
    case '_text':
    case '_int4':
    case '_int8':
      binary = arrayToBinary(text, pgType);
      break;
  }
  if (!binary) throw notBinary(value, column, pgType);
  return binary;
}

/** int2send / int4send: the value in 2 or 4 bytes, big-endian (undefined when it is no integer of that range). */
function narrowIntToBinary(value: Exclude<CellValue, null>, pgType: 'int2' | 'int4'): Buffer | undefined {
  const n = typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  const bits = pgType === 'int2' ? 16 : 32;
  if (!Number.isInteger(n) || n < -(2 ** (bits - 1)) || n >= 2 ** (bits - 1)) return undefined;
  const b = Buffer.allocUnsafe(bits / 8);
  if (bits === 16) b.writeInt16BE(n);
  else b.writeInt32BE(n);
  return b;
}

/** The element type of each array type doql sends, with its binary writer (undefined: not a valid element). */
const ARRAY_ELEMENTS: Record<'_text' | '_int4' | '_int8', { oid: TypeOid; write(text: string): Buffer | undefined }> = {
  _text: { oid: TypeOid.Text, write: (text) => Buffer.from(text, 'utf8') },
  _int4: { oid: TypeOid.Int4, write: (text) => narrowIntToBinary(text, 'int4') },
  _int8: {
    oid: TypeOid.Int8,
    write: (text) => {
      if (!/^-?\d+$/.test(text)) return undefined;
      const n = BigInt(text);
      if (n < INT8_MIN || n > INT8_MAX) return undefined;
      const b = Buffer.allocUnsafe(8);
      b.writeBigInt64BE(n);
      return b;
    },
  },
};

/** array_send's layout for a one-dimensional array: dimensions, a has-NULLs flag, the element type, then each element. */
function arrayToBinary(text: string, pgType: '_text' | '_int4' | '_int8'): Buffer | undefined {
  const elements = parseArray(text);
  if (!elements) return undefined;
  const { oid, write } = ARRAY_ELEMENTS[pgType];
  const head = Buffer.alloc(elements.length ? 20 : 12);
  head.writeInt32BE(elements.length ? 1 : 0, 0);
  head.writeInt32BE(elements.includes(null) ? 1 : 0, 4);
  head.writeUInt32BE(oid, 8);
  if (elements.length) {
    head.writeInt32BE(elements.length, 12);
    head.writeInt32BE(1, 16); // lower bound
  }
  const parts: Buffer[] = [head];
  for (const element of elements) {
    const length = Buffer.allocUnsafe(4);
    if (element === null) {
      length.writeInt32BE(-1);
      parts.push(length);
      continue;
    }
    const bytes = write(element);
    if (!bytes) return undefined;
    length.writeInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}

const TRUE_WORDS = new Set(['t', 'true', '1', 'y', 'yes', 'on']);
const FALSE_WORDS = new Set(['f', 'false', '0', 'n', 'no', 'off']);

function toBool(value: Exclude<CellValue, null>): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

function toInt8(value: Exclude<CellValue, null>, column: ResultColumn): bigint {
  let n: bigint | undefined;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'boolean') n = value ? 1n : 0n;
  else if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) n = BigInt(value.trim());
  if (n === undefined || n < INT8_MIN || n > INT8_MAX) throw notBinary(value, column, 'int8');
  return n;
}

function toFloat8(value: Exclude<CellValue, null>, column: ResultColumn): number {
  if (typeof value !== 'string') return Number(value);
  const text = value.trim();
  const n = Number(text);
  if (text === '' || (Number.isNaN(n) && text !== 'NaN')) throw notBinary(value, column, 'float8');
  return n;
}

function notBinary(value: Exclude<CellValue, null>, column: ResultColumn, pgType: string): DoqlError {
  const shown = JSON.stringify(String(value));
  return new DoqlError('validation', `value ${shown} in column "${column.name}" is not a valid ${pgType}`, {
    sqlState: '22P02',
    hint: 'Request this column in text format.',
  });
}

/**
 * Decodes a binary-format parameter (see pg-params.ts for the types beyond these) into the string the engine binds. Only the simple scalar types are
 * understood; anything else is refused, since guessing a layout would bind a wrong value.
 */
export function decodeBinaryParam(bytes: Buffer, typeOid: number, position: number): string {
  const wrongLength = (): DoqlError =>
    new DoqlError('validation', `binary parameter $${position} has the wrong length for its type`, {
      sqlState: '22P03',
    });
  switch (typeOid) {
    case TypeOid.Bool:
      if (bytes.length !== 1) throw wrongLength();
      return bytes[0] === 0 ? 'false' : 'true';
    case TypeOid.Int2:
      if (bytes.length !== 2) throw wrongLength();
      return String(bytes.readInt16BE(0));
    case TypeOid.Int4:
      if (bytes.length !== 4) throw wrongLength();
      return String(bytes.readInt32BE(0));
    case TypeOid.Int8:
      if (bytes.length !== 8) throw wrongLength();
      return String(bytes.readBigInt64BE(0));
    case TypeOid.Float4:
      if (bytes.length !== 4) throw wrongLength();
      return String(bytes.readFloatBE(0));
    case TypeOid.Float8:
      if (bytes.length !== 8) throw wrongLength();
      return String(bytes.readDoubleBE(0));
    case TypeOid.Uuid: {
      if (bytes.length !== 16) throw wrongLength();
      const hex = bytes.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    case TypeOid.Jsonb:
      // jsonb's binary form is a version byte (1) and the JSON text.
      if (bytes.length < 1 || bytes[0] !== 1) throw wrongLength();
      return bytes.toString('utf8', 1);
    case TypeOid.Unspecified:
    case TypeOid.Text:
    case TypeOid.Varchar:
    case TypeOid.Bpchar:
    case TypeOid.Name:
    case TypeOid.Unknown:
    case TypeOid.Json:
      return bytes.toString('utf8');
    default:
      throw new DoqlError('validation', `binary parameter $${position} of type OID ${typeOid} is not supported`, {
        sqlState: '0A000',
        hint: 'Send the parameter in text format.',
      });
  }
}
