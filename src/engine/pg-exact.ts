// Postgres's arithmetic and text forms where SQLite's differ, as SQLite functions the translation emits
// (sql/tree/emit-expr.ts): division by zero is an error, casts to integer round and refuse text that is not an
// integer, round() rounds decimals as they are written, numeric division and avg give Postgres's digits, and a
// value becomes text as Postgres's output function writes it (booleans, times, jsonb, float8).
import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { DoqlError } from '../errors.js';
import { decimalString, divisionByZero, divRound, numericDivide, pow10, rescale, toDecimal, type Decimal } from './pg-decimal.js';
import { float8Text, jsonbText, jsonText, pgText } from './pg-text-forms.js';

type Value = string | number | bigint | null;

// ---- integers ----

const INT_RANGES: Record<string, [bigint, bigint, string]> = {
  int8: [-(2n ** 63n), 2n ** 63n - 1n, 'bigint'],
  int4: [-(2n ** 31n), 2n ** 31n - 1n, 'integer'],
  int2: [-(2n ** 15n), 2n ** 15n - 1n, 'smallint'],
};

/** A cast to an integer type: numeric rounds half away from zero, float8 to even, text must be an integer. */
function toInteger(v: Value, target: Value, from: Value): Value {
  if (v === null) return null;
  const [min, max, name] = INT_RANGES[String(target)] ?? INT_RANGES.int8;
  let n: bigint;
  if (typeof v === 'bigint') n = v;
  else if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new DoqlError('validation', `${name} out of range`, { sqlState: '22003' });
    n = from === 'float' ? BigInt(roundHalfEven(v)) : rescale(toDecimal(v)!, 0).n;
  } else {
    const text = v.trim();
    if (!/^[+-]?\d+$/.test(text)) throw new DoqlError('validation', `invalid input syntax for type ${name}: "${v}"`, { sqlState: '22P02' });
    n = BigInt(text);
  }
  if (n < min || n > max) throw new DoqlError('validation', `${name} out of range`, { sqlState: '22003' });
  return n;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A decimal (or integer) from a value that must be a number. */
function decimalArg(v: Value, what: string): Decimal {
  const d = toDecimal(v);
  if (!d) throw new DoqlError('validation', `invalid input syntax for type numeric: "${String(v)}" (in ${what})`, { sqlState: '22P02' });
  return d;
}

const asNumber = (d: Decimal): number => Number(decimalString(d));

// ---- text functions SQLite lacks or writes differently ----

/** Postgres's substr: positions before 1 count (and are cut), they never count from the end. */
function substr(s: Value, start: Value, count?: Value): Value {
  if (s === null || start === null || count === null) return null;
  const chars = [...String(s)];
  const from = Number(start);
  if (count === undefined) return chars.slice(Math.max(from, 1) - 1).join('');
  const n = Number(count);
  if (n < 0) throw new DoqlError('validation', 'negative substring length not allowed', { sqlState: '22011' });
  const end = from + n; // exclusive, 1-based
  return chars.slice(Math.max(from, 1) - 1, Math.max(end - 1, 0)).join('');
}

function pad(s: Value, length: Value, fill: Value, left: boolean): Value {
  if (s === null || length === null || fill === null) return null;
  const chars = [...String(s)];
  const n = Math.max(0, Number(length));
  if (chars.length >= n) return chars.slice(0, n).join('');
  const f = [...String(fill)];
  if (f.length === 0) return chars.join('');
  const padding = Array.from({ length: n - chars.length }, (_, i) => f[i % f.length]).join('');
  return left ? padding + chars.join('') : chars.join('') + padding;
}

function trimChars(s: Value, chars: Value, where: 'both' | 'left' | 'right'): Value {
  if (s === null || chars === null) return null;
  const set = new Set([...String(chars)]);
  const c = [...String(s)];
  let a = 0;
  let b = c.length;
  if (where !== 'right') while (a < b && set.has(c[a])) a++;
  if (where !== 'left') while (b > a && set.has(c[b - 1])) b--;
  return c.slice(a, b).join('');
}

/** POSIX classes of a bracket expression (`[[:digit:]]`) as JS writes them (ASCII, as in the C locale). */
const POSIX_CLASSES: Record<string, string> = {
  digit: '0-9', alpha: 'A-Za-z', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', space: '\\s', blank: ' \\t', xdigit: '0-9A-Fa-f',
  word: '\\w', punct: '!-\\/:-@\\[-`{-~', cntrl: '\\x00-\\x1f\\x7f', print: ' -~', graph: '!-~',
};
/** Postgres's escapes that JS writes otherwise (`\y` is a word boundary, `\m` a word's start). */
const ARE_ESCAPES: Record<string, string> = { y: '\\b', Y: '\\B', m: '\\b(?=\\w)', M: '\\b(?<=\\w)', A: '^', Z: '$' };

/**
 * A Postgres regular expression (ARE) as a JS one: POSIX classes, `[[:<:]]`, `\y`, `\m`, `\M`, `\A`, `\Z`. Use it
 * with the `s` flag: Postgres's `.` matches a newline too.
 */
export function pgRegexSource(p: string): string {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      const n = p[i + 1] ?? '';
      out += ARE_ESCAPES[n] ?? c + n;
      i++;
    } else if (p.startsWith('[[:<:]]', i) || p.startsWith('[[:>:]]', i)) {
      out += p[i + 3] === '<' ? '\\b(?=\\w)' : '\\b(?<=\\w)';
      i += 6;
    } else if (c === '[') {
      let j = i + 1;
      let body = '[';
      if (p[j] === '^') body += p[j++];
      if (p[j] === ']') (body += '\\]'), j++;
      while (j < p.length && p[j] !== ']') {
        const m = /^\[:([a-z]+):\]/.exec(p.slice(j, j + 12));
        if (m) {
          const cls = POSIX_CLASSES[m[1]];
          if (cls === undefined) throw new DoqlError('validation', `invalid regular expression: unknown character class [:${m[1]}:]`, { sqlState: '2201B' });
          body += cls;
          j += m[0].length;
        } else if (p[j] === '\\') {
          body += p[j] + (p[j + 1] ?? '');
          j += 2;
        } else body += p[j++] === '[' ? '\\[' : p[j - 1];
      }
      out += `${body}]`;
      i = j;
    } else out += c;
  }
  return out;
}

/** regexp_replace's replacement (`\1`, `\&`) in JS's terms (`$1`, `$&`). */
function jsReplacement(text: string): string {
  return text.replace(/\$/g, '$$$$').replace(/\\(\d|&|\\)/g, (_, c: string) => (c === '&' ? '$&' : c === '\\' ? '\\' : `$${c}`));
}

function regexpReplace(s: Value, pattern: Value, replacement: Value, flags?: Value): Value {
  if (s === null || pattern === null || replacement === null) return null;
  const f = flags === undefined || flags === null ? '' : String(flags);
  if (/[^gi]/.test(f)) throw new DoqlError('validation', `regexp_replace: doql does the flags g and i, not "${f}"`, { sqlState: '0A000' });
  let re: RegExp;
  try {
    re = new RegExp(pgRegexSource(String(pattern)), `${f.includes('g') ? 'g' : ''}${f.includes('i') ? 'i' : ''}su`);
  } catch (err) {
    throw new DoqlError('validation', `invalid regular expression: ${String(pattern)}: ${(err as Error).message}`, { sqlState: '2201B' });
  }
  return String(s).replace(re, jsReplacement(String(replacement)));
}

function initcap(s: Value): Value {
  if (s === null) return null;
  return String(s).toLowerCase().replace(/(^|[^A-Za-z0-9])([a-z])/g, (_, sep: string, c: string) => sep + c.toUpperCase());
}

/** Postgres's json_typeof names for SQLite's json_type. */
const JSON_TYPES: Record<string, string> = { true: 'boolean', false: 'boolean', integer: 'number', real: 'number', text: 'string', null: 'null', array: 'array', object: 'object' };

export function registerPgExact(db: Database.Database): void {
  const fn = (name: string, impl: (...args: Value[]) => Value): void => {
    // Integers arrive as bigint and leave as bigint, so that SQLite keeps them INTEGER.
    db.function(name, { varargs: true, deterministic: true, safeIntegers: true }, impl as (...args: unknown[]) => Value);
  };
  fn('pg_nonzero', (v) => {
    if (v !== null && (typeof v === 'string' ? Number(v) === 0 : Number(v) === 0)) throw divisionByZero();
    return v;
  });
  // numeric % numeric keeps the fraction (SQLite's % works on integers).
  fn('pg_mod', (a, b) => {
    if (a === null || b === null) return null;
    const x = decimalArg(a, '%');
    const y = decimalArg(b, '%');
    if (y.n === 0n) throw divisionByZero();
    const scale = Math.max(x.scale, y.scale);
    return asNumber({ n: rescale(x, scale).n % rescale(y, scale).n, scale });
  });
  fn('pg_numeric_div', (a, b) => (a === null || b === null ? null : decimalString(numericDivide(decimalArg(a, '/'), decimalArg(b, '/')))));
  fn('pg_int', (v, target, from) => toInteger(v, target, from));
  // Integer arithmetic that overflowed its type: SQLite goes on (past int8 in floating point), Postgres raises.
  fn('pg_int8', (v, width) => {
    // Only an overflowed result is that large (a column's odd REAL value, 2.5, passes).
    if (typeof v === 'number' && Math.abs(v) >= 2 ** 63) throw new DoqlError('validation', 'bigint out of range', { sqlState: '22003' });
    const narrow = width === 'int4' ? { bits: 31n, name: 'integer' } : width === 'int2' ? { bits: 15n, name: 'smallint' } : undefined;
    if (narrow && typeof v === 'bigint' && (v >= 2n ** narrow.bits || v < -(2n ** narrow.bits))) {
      throw new DoqlError('validation', `${narrow.name} out of range`, { sqlState: '22003' });
    }
    return v;
  });
  fn('pg_starts_with', (s, prefix) => (s === null || prefix === null ? null : String(s).startsWith(String(prefix)) ? 1n : 0n));
  fn('pg_repeat', (s, n) => (s === null || n === null ? null : String(s).repeat(Math.max(0, Number(n)))));
  fn('pg_text', (v, kind) => pgText(v, String(kind)));
  fn('pg_float8_text', (v) => (v === null ? null : float8Text(Number(v))));
  // round(numeric, n) as Postgres rounds the decimal (1.005 → 1.01), n may be negative; round(float8) to even.
  fn('pg_round', (v, places) => {
    if (v === null || places === null) return null;
    const p = Number(places ?? 0);
    const d = decimalArg(v, 'round');
    if (p >= 0) return asNumber(rescale(d, p));
    const unit = pow10(-p);
    return asNumber({ n: divRound(rescale(d, 0).n, unit) * unit, scale: 0 });
  });
  fn('pg_trunc', (v, places) => {
    if (v === null || places === null) return null;
    const p = Math.max(0, Number(places ?? 0));
    const d = decimalArg(v, 'trunc');
    return asNumber(p >= d.scale ? d : { n: d.n / pow10(d.scale - p), scale: p });
  });
  fn('pg_rint', (v) => (v === null ? null : roundHalfEven(Number(v))));
  fn('pg_substr', (s, start, count) => substr(s, start, count));
  fn('pg_left', (s, n) => {
    if (s === null || n === null) return null;
    const c = [...String(s)];
    const k = Number(n);
    return c.slice(0, k < 0 ? Math.max(c.length + k, 0) : k).join('');
  });
  fn('pg_right', (s, n) => {
    if (s === null || n === null) return null;
    const c = [...String(s)];
    const k = Number(n);
    return c.slice(k < 0 ? Math.min(-k, c.length) : Math.max(c.length - k, 0)).join('');
  });
  fn('pg_lpad', (s, n, fill) => pad(s, n, fill === undefined ? ' ' : fill, true));
  fn('pg_rpad', (s, n, fill) => pad(s, n, fill === undefined ? ' ' : fill, false));
  fn('pg_btrim', (s, chars) => trimChars(s, chars === undefined ? ' ' : chars, 'both'));
  fn('pg_strpos', (s, sub) => {
    if (s === null || sub === null) return null;
    const at = String(s).indexOf(String(sub));
    return at < 0 ? 0n : BigInt([...String(s).slice(0, at)].length + 1);
  });
  fn('pg_initcap', initcap);
  fn('pg_regexp_replace', regexpReplace);
  fn('pg_md5', (s) => (s === null ? null : md5Hex(String(s))));
  fn('pg_reverse', (s) => (s === null ? null : [...String(s)].reverse().join('')));
  fn('pg_jsonb_typeof', (t) => (t === null ? null : (JSON_TYPES[String(t)] ?? String(t))));
  fn('pg_json_text', (v, style) => (v === null ? null : jsonText(String(v), String(style))));
  fn('pg_to_timestamp', (v) => {
    if (v === null) return null;
    const micros = BigInt(Math.round(Number(v) * 1e6));
    const ms = Number(micros / 1000n);
    const d = new Date(ms);
    if (Number.isNaN(d.getTime())) throw new DoqlError('validation', 'timestamp out of range', { sqlState: '22008' });
    return d.toISOString().replace(/\.000Z$/, 'Z');
  });
  // numeric arithmetic of a select list's numeric column, exactly, as text with Postgres's scale.
  fn('pg_numeric_op', (op, a, b) => {
    if (a === null || b === null) return null;
    const x = decimalArg(a, String(op));
    const y = decimalArg(b, String(op));
    const scale = Math.max(x.scale, y.scale);
    switch (op) {
      case '+':
        return decimalString({ n: rescale(x, scale).n + rescale(y, scale).n, scale });
      case '-':
        return decimalString({ n: rescale(x, scale).n - rescale(y, scale).n, scale });
      case '*':
        return decimalString({ n: x.n * y.n, scale: x.scale + y.scale });
      case '/':
        return decimalString(numericDivide(x, y));
      case '%':
        if (y.n === 0n) throw divisionByZero();
        return decimalString({ n: rescale(x, scale).n % rescale(y, scale).n, scale });
      default:
        throw new DoqlError('internal', `pg_numeric_op: ${String(op)}`);
    }
  });
  // round(x, n) and trunc(x, n) of a numeric column: exactly n digits after the point (round(50.0, 2) is 50.00).
  fn('pg_numeric_round', (v, places, mode) => {
    if (v === null || places === null) return null;
    const p = Number(places ?? 0);
    const d = decimalArg(v, 'round');
    if (mode === 'trunc') return decimalString(p >= d.scale ? rescale(d, Math.max(p, 0)) : { n: d.n / pow10(d.scale - Math.max(p, 0)), scale: Math.max(p, 0) });
    if (p >= 0) return decimalString(rescale(d, p));
    const unit = pow10(-p);
    return decimalString({ n: divRound(rescale(d, 0).n, unit) * unit, scale: 0 });
  });
  // ->> as Postgres gives it: always text (true is 'true', not 1).
  fn('pg_json_field_text', (json, key) => {
    if (json === null || key === null) return null;
    let v: unknown;
    try {
      v = JSON.parse(String(json));
    } catch {
      throw new DoqlError('validation', `invalid input syntax for type json: ${String(json).slice(0, 40)}`, { sqlState: '22P02' });
    }
    const k = typeof key === 'bigint' ? Number(key) : key;
    if (Array.isArray(v) && typeof k === 'number') v = v[k < 0 ? v.length + k : k];
    else if (v && typeof v === 'object' && !Array.isArray(v) && typeof k === 'string') v = (v as Record<string, unknown>)[k];
    else return null;
    if (v === undefined || v === null) return null;
    return typeof v === 'object' ? jsonbText(JSON.stringify(v)) : typeof v === 'number' ? String(v) : String(v);
  });
  // timestamp + interval 'n months' as Postgres adds months: the day of the month kept, or the month's last day.
  fn('pg_add_months', (ts, months) => {
    if (ts === null || months === null) return null;
    const m = /^(\d{4})-(\d{2})-(\d{2})(.*)$/.exec(String(ts).trim());
    if (!m) throw new DoqlError('validation', `invalid input syntax for type timestamp with time zone: "${String(ts)}"`, { sqlState: '22007' });
    const total = Number(m[1]) * 12 + Number(m[2]) - 1 + Number(months);
    const year = Math.floor(total / 12);
    const month = total - year * 12 + 1;
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const day = Math.min(Number(m[3]), last);
    return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}${m[4]}`;
  });
  db.aggregate('pg_numeric_sum', {
    safeIntegers: true,
    start: (): { sum: Decimal; any: boolean } => ({ sum: { n: 0n, scale: 0 }, any: false }),
    step: (acc: { sum: Decimal; any: boolean }, v: unknown) => {
      if (v === null) return acc;
      const d = decimalArg(v as Value, 'sum');
      const scale = Math.max(acc.sum.scale, d.scale);
      acc.sum = { n: rescale(acc.sum, scale).n + rescale(d, scale).n, scale };
      acc.any = true;
      return acc;
    },
    result: (acc: { sum: Decimal; any: boolean }) => (acc.any ? decimalString(acc.sum) : null),
  });
  // avg over integers and numerics is numeric in Postgres: summed exactly, divided with numeric's digits.
  interface Avg {
    sum: Decimal;
    count: bigint;
  }
  // sum and avg of float8 add in row order, as Postgres does (SQLite's compensated sum can differ in the last digit).
  interface FloatSum {
    sum: number;
    count: number;
  }
  for (const [name, avg] of [['pg_float8_sum', false], ['pg_float8_avg', true]] as const) {
    db.aggregate(name, {
      start: (): FloatSum => ({ sum: 0, count: 0 }),
      step: (acc: FloatSum, v: unknown) => {
        if (v !== null) {
          acc.sum += Number(v);
          acc.count++;
        }
        return acc;
      },
      inverse: (acc: FloatSum, v: unknown) => {
        if (v !== null) {
          acc.sum -= Number(v);
          acc.count--;
        }
        return acc;
      },
      result: (acc: FloatSum) => (acc.count === 0 ? null : avg ? acc.sum / acc.count : acc.sum),
    });
  }
  db.aggregate('pg_avg_numeric', {
    safeIntegers: true,
    inverse: (acc: Avg, v: unknown) => {
      if (v === null) return acc;
      const d = decimalArg(v as Value, 'avg');
      const scale = Math.max(acc.sum.scale, d.scale);
      acc.sum = { n: rescale(acc.sum, scale).n - rescale(d, scale).n, scale };
      acc.count--;
      return acc;
    },
    start: (): Avg => ({ sum: { n: 0n, scale: 0 }, count: 0n }),
    step: (acc: Avg, v: unknown) => {
      if (v === null) return acc;
      const d = decimalArg(v as Value, 'avg');
      const scale = Math.max(acc.sum.scale, d.scale);
      acc.sum = { n: rescale(acc.sum, scale).n + rescale(d, scale).n, scale };
      acc.count++;
      return acc;
    },
    result: (acc: Avg) => (acc.count === 0n ? null : decimalString(numericDivide(acc.sum, { n: acc.count, scale: 0 }))),
  });
}

/** md5() as Postgres gives it; node:crypto is loaded on first use (~6 ms a cold command does not spend before its first request). */
function md5Hex(text: string): string {
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return createHash('md5').update(text).digest('hex');
}
