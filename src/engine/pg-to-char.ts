// Postgres's to_char(timestamp, pattern), age() and its interval text, for queries over resources. Times are
// UTC, as DigitalOcean writes them and as a Postgres session with TimeZone UTC prints them. A pattern
// Postgres knows and doql does not is an error naming it, never literal text in the output.
import { DoqlError } from '../errors.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * Postgres's to_char keywords in its own matching order (formatting.c, DCH_keywords): at each position the
 * first one that matches is taken, so longer ones come before their prefixes.
 */
const KEYWORDS = [
  'A.D.', 'A.M.', 'AD', 'AM', 'B.C.', 'BC', 'CC', 'DAY', 'DDD', 'DD', 'DY', 'Day', 'Dy', 'D', 'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6',
  'FX', 'HH24', 'HH12', 'HH', 'IDDD', 'ID', 'IW', 'IYYY', 'IYY', 'IY', 'I', 'J', 'MI', 'MM', 'MONTH', 'MON', 'MS', 'Month', 'Mon', 'OF',
  'P.M.', 'PM', 'Q', 'RM', 'SSSSS', 'SSSS', 'SS', 'TZH', 'TZM', 'TZ', 'US', 'WW', 'W', 'Y,YYY', 'YYYY', 'YYY', 'YY', 'Y',
  'a.d.', 'a.m.', 'ad', 'am', 'b.c.', 'bc', 'cc', 'day', 'ddd', 'dd', 'dy', 'd', 'ff1', 'ff2', 'ff3', 'ff4', 'ff5', 'ff6', 'fx',
  'hh24', 'hh12', 'hh', 'iddd', 'id', 'iw', 'iyyy', 'iyy', 'iy', 'i', 'j', 'mi', 'mm', 'month', 'mon', 'ms', 'of', 'p.m.', 'pm',
  'q', 'rm', 'sssss', 'ssss', 'ss', 'tzh', 'tzm', 'tz', 'us', 'ww', 'w', 'y,yyy', 'yyyy', 'yyy', 'yy', 'y',
];
/** Recognised by Postgres, not done here: each is an error rather than a wrong string. */
const UNSUPPORTED = new Set(['RM', 'rm', 'IDDD', 'iddd', 'IYY', 'iyy', 'IY', 'iy', 'I', 'i', 'FX', 'fx']);

interface Part {
  literal?: string;
  key?: string;
  fill?: boolean;
  /** TH or th suffix: an ordinal (1st, 2ND). */
  th?: 'TH' | 'th';
}

const patternCache = new Map<string, Part[]>();

/** Parses a to_char pattern as Postgres does (prefixes FM/TM, suffixes TH/th, "quoted text", \" escapes). */
export function parseToCharPattern(pattern: string): Part[] {
  const cached = patternCache.get(pattern);
  if (cached) return cached;
  const parts: Part[] = [];
  let i = 0;
  while (i < pattern.length) {
    let fill = false;
    let j = i;
    for (;;) {
      const two = pattern.slice(j, j + 2);
      if (two === 'FM' || two === 'fm') fill = true;
      else if (two !== 'TM' && two !== 'tm') break;
      j += 2;
    }
    const key = KEYWORDS.find((k) => pattern.startsWith(k, j));
    if (key) {
      if (UNSUPPORTED.has(key)) {
        throw new DoqlError('validation', `to_char: the pattern ${key} is not supported by doql`, {
          sqlState: '0A000',
          hint: 'supported: YYYY YY MM Mon Month DD DDD D Day Dy HH HH12 HH24 MI SS MS US AM PM Q IW WW W CC J TZ OF FM… …TH',
        });
      }
      j += key.length;
      let th: Part['th'];
      const suffix = pattern.slice(j, j + 2);
      if (suffix === 'TH' || suffix === 'th') {
        th = suffix;
        j += 2;
      } else if (suffix === 'SP' || suffix === 'sp') {
        throw new DoqlError('validation', 'to_char: the SP suffix is not supported', { sqlState: '0A000' });
      }
      parts.push({ key, fill, th });
      i = j;
      continue;
    }
    // Not a keyword: a prefix seen before it is literal text after all.
    const c = pattern[i];
    if (c === '"') {
      let text = '';
      i++;
      while (i < pattern.length && pattern[i] !== '"') {
        if (pattern[i] === '\\' && i + 1 < pattern.length) i++;
        text += pattern[i];
        i++;
      }
      i++;
      parts.push({ literal: text });
    } else if (c === '\\' && pattern[i + 1] === '"') {
      parts.push({ literal: '"' });
      i += 2;
    } else {
      parts.push({ literal: c });
      i++;
    }
  }
  if (patternCache.size > 200) patternCache.clear();
  patternCache.set(pattern, parts);
  return parts;
}

const pad = (n: number, width: number, fill: boolean): string => {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (fill ? s : s.padStart(width, '0'));
};

function ordinal(n: number, upper: boolean): string {
  const last2 = Math.abs(n) % 100;
  const last = Math.abs(n) % 10;
  const s = last2 >= 11 && last2 <= 13 ? 'th' : last === 1 ? 'st' : last === 2 ? 'nd' : last === 3 ? 'rd' : 'th';
  return upper ? s.toUpperCase() : s;
}

/** Names as Postgres prints them: `MONTH` upper-case, `Month` capitalised, `month` lower, padded to 9 unless FM. */
function name(full: string, key: string, fill: boolean, width: number): string {
  const text = key === key.toUpperCase() ? full.toUpperCase() : key[0] === key[0].toUpperCase() ? full : full.toLowerCase();
  return fill ? text : text.padEnd(width, ' ');
}

/** ISO 8601 week-numbering year and week of a UTC date. */
function isoWeek(d: Date): { year: number; week: number } {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7));
  const year = t.getUTCFullYear();
  return { year, week: Math.ceil(((t.getTime() - Date.UTC(year, 0, 1)) / 864e5 + 1) / 7) };
}

/** `to_char(timestamp, pattern)` for a UTC time with microseconds `micros` (0–999999). */
export function toChar(d: Date, micros: number, pattern: string): string {
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  const day = d.getUTCDate();
  const hour = d.getUTCHours();
  const doy = Math.floor((Date.UTC(year, month, day) - Date.UTC(year, 0, 1)) / 864e5) + 1;
  let out = '';
  for (const p of parseToCharPattern(pattern)) {
    if (p.literal !== undefined) {
      out += p.literal;
      continue;
    }
    const key = p.key!;
    const fill = p.fill ?? false;
    const K = key.toUpperCase();
    let num: number | undefined;
    let text: string | undefined;
    switch (K) {
      case 'YYYY': text = pad(year, 4, fill); num = year; break;
      case 'Y,YYY': text = `${Math.floor(year / 1000)},${pad(year % 1000, 3, false)}`; num = year; break;
      case 'YYY': num = year % 1000; text = pad(num, 3, fill); break;
      case 'YY': num = year % 100; text = pad(num, 2, fill); break;
      case 'Y': num = year % 10; text = String(num); break;
      case 'IYYY': num = isoWeek(d).year; text = pad(num, 4, fill); break;
      case 'CC': num = year > 0 ? Math.floor((year + 99) / 100) : -Math.floor((99 - (year - 1)) / 100); text = pad(num, 2, fill); break;
      case 'MM': num = month + 1; text = pad(num, 2, fill); break;
      case 'MONTH': text = name(MONTHS[month], key, fill, 9); break;
      case 'MON': text = name(MONTHS[month].slice(0, 3), key, true, 3); break;
      case 'DD': num = day; text = pad(num, 2, fill); break;
      case 'DDD': num = doy; text = pad(num, 3, fill); break;
      case 'D': num = d.getUTCDay() + 1; text = String(num); break;
      case 'ID': num = ((d.getUTCDay() + 6) % 7) + 1; text = String(num); break;
      case 'DAY': text = name(DAYS[d.getUTCDay()], key, fill, 9); break;
      case 'DY': text = name(DAYS[d.getUTCDay()].slice(0, 3), key, true, 3); break;
      case 'HH':
      case 'HH12': num = hour % 12 === 0 ? 12 : hour % 12; text = pad(num, 2, fill); break;
      case 'HH24': num = hour; text = pad(num, 2, fill); break;
      case 'MI': num = d.getUTCMinutes(); text = pad(num, 2, fill); break;
      case 'SS': num = d.getUTCSeconds(); text = pad(num, 2, fill); break;
      case 'SSSS':
      case 'SSSSS': num = hour * 3600 + d.getUTCMinutes() * 60 + d.getUTCSeconds(); text = String(num); break;
      case 'MS': num = Math.floor(micros / 1000); text = pad(num, 3, fill); break;
      case 'US': num = micros; text = pad(num, 6, fill); break;
      case 'FF1': case 'FF2': case 'FF3': case 'FF4': case 'FF5': case 'FF6': {
        const n = Number(K[2]);
        num = Math.floor(micros / 10 ** (6 - n));
        text = pad(num, n, fill);
        break;
      }
      case 'AM': case 'PM': text = hour < 12 ? 'AM' : 'PM'; break;
      case 'A.M.': case 'P.M.': text = hour < 12 ? 'A.M.' : 'P.M.'; break;
      case 'AD': case 'BC': text = year > 0 ? 'AD' : 'BC'; break;
      case 'A.D.': case 'B.C.': text = year > 0 ? 'A.D.' : 'B.C.'; break;
      case 'Q': num = Math.floor(month / 3) + 1; text = String(num); break;
      case 'IW': num = isoWeek(d).week; text = pad(num, 2, fill); break;
      case 'WW': num = Math.floor((doy - 1) / 7) + 1; text = pad(num, 2, fill); break;
      case 'W': num = Math.floor((day - 1) / 7) + 1; text = String(num); break;
      case 'J': num = Math.floor(Date.UTC(year, month, day) / 864e5) + 2440588; text = String(num); break;
      case 'TZ': text = 'UTC'; break;
      case 'OF': text = '+00'; break;
      case 'TZH': text = '+00'; break;
      case 'TZM': text = '00'; break;
      default:
        throw new DoqlError('validation', `to_char: the pattern ${key} is not supported by doql`, { sqlState: '0A000' });
    }
    // Lower-case keywords print their letters in lower case (am, a.d., tz); digits are unaffected.
    if (key === key.toLowerCase() && key !== key.toUpperCase() && !['MONTH', 'MON', 'DAY', 'DY'].includes(K)) text = text.toLowerCase();
    if (p.th && num !== undefined) text += ordinal(num, p.th === 'TH');
    out += text;
  }
  return out;
}

/** Checks a literal pattern before anything runs (the same errors toChar would give later). */
export function checkToCharPattern(pattern: string): void {
  parseToCharPattern(pattern);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m0: number): number => (m0 === 1 && isLeap(y) ? 29 : DAYS_IN_MONTH[m0]);

export interface Interval {
  years: number;
  months: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
  micros: number;
}

/** Postgres's age(t1, t2) (timestamp_age): a symbolic difference in years, months and days, then the time. */
export function age(t1: Date, us1: number, t2: Date, us2: number): Interval {
  const before = t1.getTime() * 1000 + us1 % 1000 < t2.getTime() * 1000 + us2 % 1000;
  const f = (d: Date) => [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  const [y1, m1, d1, h1, mi1, s1] = f(t1);
  const [y2, m2, d2, h2, mi2, s2] = f(t2);
  let r = { micros: us1 - us2, seconds: s1 - s2, minutes: mi1 - mi2, hours: h1 - h2, days: d1 - d2, months: m1 - m2, years: y1 - y2 };
  const neg = (x: typeof r): typeof r => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, -v])) as typeof r;
  if (before) r = neg(r);
  while (r.micros < 0) { r.micros += 1e6; r.seconds--; }
  while (r.seconds < 0) { r.seconds += 60; r.minutes--; }
  while (r.minutes < 0) { r.minutes += 60; r.hours--; }
  while (r.hours < 0) { r.hours += 24; r.days--; }
  while (r.days < 0) {
    r.days += before ? daysIn(y1, m1) : daysIn(y2, m2);
    r.months--;
  }
  while (r.months < 0) { r.months += 12; r.years--; }
  if (before) r = neg(r);
  return r;
}

/** An interval as Postgres prints it with IntervalStyle postgres: `1 year 2 mons 3 days 04:05:06.5`. */
export function formatInterval(v: Interval): string {
  const parts: string[] = [];
  const unit = (n: number, one: string, many: string): void => {
    if (n !== 0) parts.push(`${n} ${n === 1 ? one : many}`);
  };
  unit(v.years, 'year', 'years');
  unit(v.months, 'mon', 'mons');
  unit(v.days, 'day', 'days');
  const dateNegative = v.years < 0 || v.months < 0 || v.days < 0;
  if (v.hours !== 0 || v.minutes !== 0 || v.seconds !== 0 || v.micros !== 0 || parts.length === 0) {
    const minus = v.hours < 0 || v.minutes < 0 || v.seconds < 0 || v.micros < 0;
    const two = (n: number): string => String(Math.abs(n)).padStart(2, '0');
    const frac = v.micros !== 0 ? `.${String(Math.abs(v.micros)).padStart(6, '0').replace(/0+$/, '')}` : '';
    parts.push(`${minus ? '-' : dateNegative ? '+' : ''}${two(v.hours)}:${two(v.minutes)}:${two(v.seconds)}${frac}`);
  }
  return parts.join(' ');
}

/** Reads Postgres's interval text back (what age() prints), or undefined when it is not one. */
export function parseInterval(text: string): Interval | undefined {
  const m = /^\s*(?:([-+]?\d+) years?)?\s*(?:([-+]?\d+) mons?)?\s*(?:([-+]?\d+) days?)?\s*(?:([-+])?(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?\s*$/.exec(text);
  if (!m || text.trim() === '') return undefined;
  const sign = m[4] === '-' ? -1 : 1;
  return {
    years: Number(m[1] ?? 0),
    months: Number(m[2] ?? 0),
    days: Number(m[3] ?? 0),
    hours: sign * Number(m[5] ?? 0),
    minutes: sign * Number(m[6] ?? 0),
    seconds: sign * Number(m[7] ?? 0),
    micros: sign * Number((m[8] ?? '').padEnd(6, '0') || 0),
  };
}

/** extract(field FROM interval), as Postgres computes it (interval_part). */
export function intervalPart(field: string, v: Interval): number | undefined {
  switch (field) {
    case 'year':
      return v.years + Math.trunc(v.months / 12);
    case 'month':
      return v.months % 12;
    case 'day':
      return v.days;
    case 'hour':
      return v.hours;
    case 'minute':
      return v.minutes;
    case 'second':
      return v.seconds + v.micros / 1e6;
    case 'epoch': {
      const months = v.years * 12 + v.months;
      return Math.trunc(months / 12) * 365.25 * 86400 + (months % 12) * 30 * 86400 + v.days * 86400 + v.hours * 3600 + v.minutes * 60 + v.seconds + v.micros / 1e6;
    }
    default:
      return undefined;
  }
}

/** `split_part(text, delimiter, n)`, Postgres 14+: n counts from the end when negative, and may not be 0. */
export function splitPart(text: string, delimiter: string, n: number): string {
  if (n === 0) throw new DoqlError('validation', 'split_part: field position must not be zero', { sqlState: '22023' });
  if (delimiter === '') return n === 1 || n === -1 ? text : '';
  const fields = text.split(delimiter);
  const i = n > 0 ? n - 1 : fields.length + n;
  return i >= 0 && i < fields.length ? fields[i] : '';
}
