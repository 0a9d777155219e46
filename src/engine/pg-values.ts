// Postgres' own value formats for the types doql holds as text: timestamptz and date (read from any form a
// client or DigitalOcean writes, kept as DigitalOcean writes them, printed as Postgres prints them) and
// numeric, in text and in the binary wire format. Used by the wire server, COPY and the cast functions.

/** A point in time as microseconds since the Unix epoch (UTC). */
export type Micros = bigint;

const TIME = /^\s*(\d{4,})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)?\s*$/i;

/** Reads `2024-06-01T12:00:00Z`, `2024-06-01 12:00:00.5+02`, `2024-06-01` (a time without zone is UTC). */
export function parseTimestamp(text: string): Micros | undefined {
  const m = TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (Number.isNaN(ms) || check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 24 || Number(mi) > 59 || Number(s) > 60) {
    return undefined;
  }
  let offsetSeconds = 0;
  if (/^[+-]/.test(zone)) {
    const [hh, mm = '0', ss = '0'] = zone.slice(1).includes(':') ? zone.slice(1).split(':') : [zone.slice(1, 3), zone.slice(3, 5) || '0', zone.slice(5, 7) || '0'];
    offsetSeconds = (zone[0] === '-' ? -1 : 1) * (Number(hh) * 3600 + Number(mm) * 60 + Number(ss));
  }
  const micros = BigInt(`${frac}000000`.slice(0, 6));
  return BigInt(ms) * 1000n + micros - BigInt(offsetSeconds) * 1_000_000n;
}

/** A time value as a number of seconds since the epoch (SQLite's unixepoch), or text in any form above. */
export function toMicros(value: unknown): Micros | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number' || typeof value === 'bigint') return BigInt(Math.round(Number(value) * 1e6));
  return parseTimestamp(String(value));
}

const pad = (n: number | bigint, width = 2): string => String(n).padStart(width, '0');

function parts(micros: Micros): { date: string; time: string; fraction: string } {
  const ms = Number(micros / 1000n) - (micros % 1000n < 0n ? 1 : 0);
  const sub = Number(((micros % 1_000_000n) + 1_000_000n) % 1_000_000n);
  const d = new Date(ms);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return { date, time, fraction: sub ? `.${pad(sub, 6).replace(/0+$/, '')}` : '' };
}

/** As DigitalOcean writes times (`2024-06-01T12:00:00Z`): what doql keeps, so that text comparisons hold. */
export function isoTimestamp(micros: Micros): string {
  const p = parts(micros);
  return `${p.date}T${p.time}${p.fraction}Z`;
}

/** As Postgres prints a timestamptz with DateStyle ISO and TimeZone UTC (`2024-06-01 12:00:00+00`). */
export function pgTimestampText(value: string): string {
  const micros = parseTimestamp(value);
  if (micros === undefined) return value; // not a time after all: shown as DigitalOcean sent it
  const p = parts(micros);
  return `${p.date} ${p.time}${p.fraction}+00`;
}

/** `2024-06-01` from any time value, or undefined. */
export function isoDate(value: unknown): string | undefined {
  const micros = toMicros(value);
  return micros === undefined ? undefined : parts(micros).date;
}

// Postgres' epoch for binary times and dates is 2000-01-01 UTC.
const PG_EPOCH_MICROS = 946_684_800_000_000n;
const DAY_MICROS = 86_400_000_000n;

export function timestampToBinary(value: string): Buffer | undefined {
  const micros = parseTimestamp(value);
  if (micros === undefined) return undefined;
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(micros - PG_EPOCH_MICROS);
  return b;
}

export function timestampFromBinary(bytes: Buffer): string {
  return isoTimestamp(bytes.readBigInt64BE(0) + PG_EPOCH_MICROS);
}

export function dateToBinary(value: string): Buffer | undefined {
  const micros = parseTimestamp(value);
  if (micros === undefined) return undefined;
  const b = Buffer.allocUnsafe(4);
  const days = (micros - PG_EPOCH_MICROS) / DAY_MICROS - ((micros - PG_EPOCH_MICROS) % DAY_MICROS < 0n ? 1n : 0n);
  b.writeInt32BE(Number(days));
  return b;
}

export function dateFromBinary(bytes: Buffer): string {
  return parts(PG_EPOCH_MICROS + BigInt(bytes.readInt32BE(0)) * DAY_MICROS).date;
}

const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;

/** A decimal number as plain digits (`1e-3` → `0.001`), or undefined when it is not one. */
export function decimalText(value: string | number | bigint): string | undefined {
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    const text = String(value);
    if (!/e/i.test(text)) return text;
    if (Number.isInteger(value)) return BigInt(value).toString();
    return value.toFixed(Math.min(100, Math.max(0, -Math.floor(Math.log10(Math.abs(value))) + 16))).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  }
  const t = value.trim();
  if (/^(NaN|[+-]?Infinity)$/i.test(t)) return t;
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) return t.replace(/^\+/, '');
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+$/.test(t)) return decimalText(Number(t));
  return undefined;
}

/** numeric's binary form: ndigits, weight, sign, dscale, then base-10000 digits. */
export function numericToBinary(value: string | number | bigint): Buffer | undefined {
  const text = decimalText(value);
  if (text === undefined) return undefined;
  const header = (ndigits: number, weight: number, sign: number, dscale: number): Buffer => {
    const b = Buffer.alloc(8 + ndigits * 2);
    b.writeInt16BE(ndigits, 0);
    b.writeInt16BE(weight, 2);
    b.writeUInt16BE(sign, 4);
    b.writeInt16BE(dscale, 6);
    return b;
  };
  if (/^nan$/i.test(text)) return header(0, 0, NUMERIC_NAN, 0);
  if (/^\+?infinity$/i.test(text)) return header(0, 0, NUMERIC_PINF, 0);
  if (/^-infinity$/i.test(text)) return header(0, 0, NUMERIC_NINF, 0);
  const negative = text.startsWith('-');
  const [whole = '', fraction = ''] = text.replace(/^-/, '').split('.');
  const intDigits = whole.replace(/^0+/, '');
  // Group into base-10000 digits around the decimal point.
  const intPadded = intDigits.padStart(Math.ceil(intDigits.length / 4) * 4, '0');
  const fracPadded = fraction.padEnd(Math.ceil(fraction.length / 4) * 4, '0');
  let groups = [...(intPadded.match(/.{4}/g) ?? []), ...(fracPadded.match(/.{4}/g) ?? [])].map(Number);
  let weight = intPadded.length / 4 - 1;
  while (groups.length && groups[0] === 0) {
    groups = groups.slice(1);
    weight--;
  }
  while (groups.length && groups[groups.length - 1] === 0) groups = groups.slice(0, -1);
  if (!groups.length) weight = 0;
  const b = header(groups.length, weight, negative && groups.length ? NUMERIC_NEG : 0, fraction.length);
  groups.forEach((g, i) => b.writeInt16BE(g, 8 + i * 2));
  return b;
}

export function numericFromBinary(bytes: Buffer): string | undefined {
  if (bytes.length < 8) return undefined;
  const ndigits = bytes.readInt16BE(0);
  const weight = bytes.readInt16BE(2);
  const sign = bytes.readUInt16BE(4);
  const dscale = bytes.readInt16BE(6);
  if (bytes.length !== 8 + ndigits * 2) return undefined;
  if (sign === NUMERIC_NAN) return 'NaN';
  if (sign === NUMERIC_PINF) return 'Infinity';
  if (sign === NUMERIC_NINF) return '-Infinity';
  const digits = Array.from({ length: ndigits }, (_, i) => bytes.readInt16BE(8 + i * 2));
  // Digit i stands for digits[i] × 10000^(weight − i).
  const at = (power: number): number => digits[weight - power] ?? 0;
  let whole = '';
  for (let p = Math.max(weight, 0); p >= 0; p--) whole += pad(at(p), 4);
  let fraction = '';
  for (let p = -1; fraction.length < dscale; p--) fraction += pad(at(p), 4);
  whole = whole.replace(/^0+/, '') || '0';
  fraction = fraction.padEnd(dscale, '0').slice(0, dscale);
  return `${sign === NUMERIC_NEG ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
