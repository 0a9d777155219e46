// Postgres's date, text and JSON functions that people coming from Postgres (or Steampipe) write in queries
// over resources: date_trunc, date_part (and so extract), to_char, age, split_part, json_extract_path[_text],
// the jsonb operators, and the aggregates of pg-aggregates.ts. Times are read as SQLite reads them and
// written as DigitalOcean writes them (`2024-06-11T10:18:00Z`).
import type Database from 'better-sqlite3';
import { DoqlError } from '../errors.js';
import { registerPgAggregates } from './pg-aggregates.js';
import { jsonbOperator, type JsonbOperator } from './pg-json-arrays.js';
import { age, formatInterval, intervalPart, parseInterval, splitPart, toChar } from './pg-to-char.js';

type Value = string | number | bigint | null;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const iso = (d: Date): string =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`;

/** A time value as Postgres would take it: ISO text (with or without `T`/`Z`), or seconds since the epoch. */
function toDate(v: Value): Date | undefined {
  if (v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'bigint') return new Date(Number(v) * 1000);
  const text = v.trim();
  const plain = /^\d{4}-\d{2}-\d{2}( |T|$)/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? `${text.replace(' ', 'T')}${text.length > 10 ? 'Z' : 'T00:00:00Z'}` : text;
  const d = new Date(plain);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const UNIT_ALIASES: Record<string, string> = {
  years: 'year', y: 'year', yr: 'year', yrs: 'year', quarters: 'quarter', months: 'month', mon: 'month', mons: 'month',
  weeks: 'week', w: 'week', days: 'day', d: 'day', hours: 'hour', h: 'hour', hr: 'hour', hrs: 'hour',
  minutes: 'minute', min: 'minute', mins: 'minute', m: 'minute', seconds: 'second', sec: 'second', secs: 'second', s: 'second',
};
const unitOf = (v: Value): string => {
  const u = String(v ?? '').trim().toLowerCase();
  return UNIT_ALIASES[u] ?? u;
};

function dateTrunc(unit: Value, value: Value): string | null {
  const d = toDate(value);
  if (!d) return null;
  const u = unitOf(unit);
  const t = new Date(d.getTime());
  switch (u) {
    case 'year':
      t.setUTCMonth(0, 1);
      t.setUTCHours(0, 0, 0, 0);
      break;
    case 'quarter':
      t.setUTCMonth(Math.floor(t.getUTCMonth() / 3) * 3, 1);
      t.setUTCHours(0, 0, 0, 0);
      break;
    case 'month':
      t.setUTCDate(1);
      t.setUTCHours(0, 0, 0, 0);
      break;
    case 'week': // Postgres's weeks start on Monday
      t.setUTCDate(t.getUTCDate() - ((t.getUTCDay() + 6) % 7));
      t.setUTCHours(0, 0, 0, 0);
      break;
    case 'day':
      t.setUTCHours(0, 0, 0, 0);
      break;
    case 'hour':
      t.setUTCMinutes(0, 0, 0);
      break;
    case 'minute':
      t.setUTCSeconds(0, 0);
      break;
    case 'second':
      t.setUTCMilliseconds(0);
      break;
    default:
      throw new Error(`date_trunc: unknown unit "${String(unit)}" (year, quarter, month, week, day, hour, minute or second)`);
  }
  return iso(t);
}

/** Microseconds of an ISO time's fraction (`…:05.123456Z` → 123456), which Date cannot hold. */
function microsOf(v: Value): number {
  const m = typeof v === 'string' ? /:\d{2}\.(\d{1,6})/.exec(v) : null;
  return m ? Number(m[1].padEnd(6, '0')) : 0;
}

/** A time argument that must be one (to_char, age): Postgres refuses other text, and so does doql. */
function requireDate(v: Value, fn: string): Date {
  const d = toDate(v);
  if (!d) throw new DoqlError('validation', `${fn}: ${JSON.stringify(String(v))} is not a timestamp`, { sqlState: '22007' });
  return d;
}

function datePart(field: Value, value: Value): number | null {
  if (value === null) return null;
  const interval = typeof value === 'string' && !/^\s*\d{4}-/.test(value) ? parseInterval(value) : undefined;
  if (interval) {
    const part = intervalPart(unitOf(field), interval);
    if (part === undefined) throw new Error(`date_part: field "${String(field)}" of an interval is not supported (year, month, day, hour, minute, second or epoch)`);
    return part;
  }
  const d = toDate(value);
  if (!d) return null;
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  switch (unitOf(field)) {
    case 'year':
      return d.getUTCFullYear();
    case 'quarter':
      return Math.floor(d.getUTCMonth() / 3) + 1;
    case 'month':
      return d.getUTCMonth() + 1;
    case 'day':
      return d.getUTCDate();
    case 'hour':
      return d.getUTCHours();
    case 'minute':
      return d.getUTCMinutes();
    case 'second':
      return d.getUTCSeconds() + d.getUTCMilliseconds() / 1000;
    case 'dow':
      return d.getUTCDay();
    case 'isodow':
      return ((d.getUTCDay() + 6) % 7) + 1;
    case 'doy':
      return Math.floor((d.getTime() - start) / 864e5) + 1;
    case 'epoch':
      return d.getTime() / 1000;
    case 'week': {
      // ISO week number.
      const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7));
      return Math.ceil(((t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / 864e5 + 1) / 7);
    }
    default:
      throw new Error(`date_part: unknown field "${String(field)}" (year, quarter, month, week, day, hour, minute, second, dow, isodow, doy or epoch)`);
  }
}

/** `json_extract_path(j, 'a', '0', 'b')` → the value at a.[0].b: JSON text, or null. */
function extractPath(json: Value, keys: Value[]): unknown {
  if (json === null || keys.some((k) => k === null)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(String(json));
  } catch {
    throw new Error('json_extract_path: the first argument is not JSON');
  }
  for (const k of keys) {
    if (Array.isArray(v) && /^-?\d+$/.test(String(k))) v = v[Number(k) < 0 ? v.length + Number(k) : Number(k)];
    else if (v && typeof v === 'object' && !Array.isArray(v)) v = (v as Record<string, unknown>)[String(k)];
    else return undefined;
    if (v === undefined) return undefined;
  }
  return v;
}

export function registerPgTimeAndJsonFunctions(db: Database.Database): void {
  const fn = (name: string, impl: (...args: Value[]) => Value): void => {
    db.function(name, { varargs: true, deterministic: true }, impl as (...args: unknown[]) => Value);
  };
  fn('date_trunc', (unit, value) => dateTrunc(unit, value));
  fn('date_part', (field, value) => datePart(field, value));
  fn('to_char', (value, pattern) => {
    if (value === null || pattern === null) return null;
    if (typeof value !== 'string') throw new DoqlError('validation', 'to_char: doql formats timestamps only, not numbers', { sqlState: '0A000' });
    return toChar(requireDate(value, 'to_char'), microsOf(value), String(pattern));
  });
  fn('age', (a, b) => {
    if (a === null || b === null) return null;
    if (b === undefined) {
      // age(t) is age(current_date at midnight, t).
      const today = new Date();
      today.setUTCHours(0, 0, 0, 0);
      return formatInterval(age(today, 0, requireDate(a, 'age'), microsOf(a)));
    }
    return formatInterval(age(requireDate(a, 'age'), microsOf(a), requireDate(b, 'age'), microsOf(b)));
  });
  fn('split_part', (text, delimiter, n) => (text === null || delimiter === null || n === null ? null : splitPart(String(text), String(delimiter), Number(n))));
  fn('pg_jsonb_op', (op, a, b) => jsonbOperator(op as JsonbOperator, a, b));
  registerPgAggregates(db);
  fn('json_extract_path', (json, ...keys) => {
    const v = extractPath(json, keys);
    return v === undefined ? null : JSON.stringify(v);
  });
  fn('json_extract_path_text', (json, ...keys) => {
    const v = extractPath(json, keys);
    return v === undefined || v === null ? null : typeof v === 'object' ? JSON.stringify(v) : typeof v === 'boolean' ? String(v) : (v as string | number);
  });
}
