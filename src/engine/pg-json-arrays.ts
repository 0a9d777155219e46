// JSON arrays as Postgres arrays, and jsonb's containment and existence operators (@>, <@, ?, ?|, ?&), for
// queries over resources: a resource's array column (`tags`) holds JSON text, a client's array parameter or
// ARRAY[…] holds Postgres's text form (`{a,b}`); both must answer `= ANY`, unnest and array_length as
// Postgres answers them over a text[] (or int[]) column.
import { DoqlError } from '../errors.js';
import { parseArray } from './pg-catalog-arrays.js';

export type SqlValue = string | number | bigint | null;

/** A JSON value as SQLite holds it: integers as bigint (SQLite INTEGER), objects and arrays as JSON text. */
export function jsonToSql(v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/**
 * The elements of an array value: a JSON array (`["a","b"]`, `[1,2]`) or a Postgres array literal
 * (`{a,b}`). Anything else is not an array, and Postgres refuses it: `what` names the construct for the error.
 * A NULL array gives undefined (not an empty array: `x = ANY(NULL)` is NULL, not false).
 */
export function arrayValues(value: unknown, what: string): SqlValue[] | undefined {
  if (value === null || value === undefined) return undefined;
  // The catalog's int2vector and oidvector (`1 2`, one number alone too) hold numbers: attnums, OIDs.
  if (typeof value === 'number' || typeof value === 'bigint') return [value];
  if (typeof value === 'string' && /^-?\d{1,15}( -?\d{1,15})*$/.test(value)) return value.split(' ').map((e) => BigInt(e));
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (Array.isArray(parsed)) return parsed.map(jsonToSql);
    } else if (text.startsWith('{')) {
      const els = parseArray(text);
      // Postgres types `id = ANY('{1,2}')` (and a client's `$1` array) from the left side; the text form lost
      // that, and ids are what such lists hold: for ANY and ALL an integer-looking element is an integer.
      if (els && (what === 'ANY' || what === 'ALL')) return els.map((e) => (e !== null && /^-?(0|[1-9]\d{0,15})$/.test(e) ? BigInt(e) : e));
      if (els) return els;
    }
  }
  const shown = typeof value === 'string' && value.length > 40 ? `${value.slice(0, 40)}…` : String(value);
  throw new DoqlError('validation', `${what} needs an array (a JSON array column such as tags, or ARRAY[…]), not ${JSON.stringify(shown)}`, {
    sqlState: '42809',
    hint: 'ANY, ALL, unnest, array_length and cardinality read arrays; for a JSON object use ->, ->> or jsonb_array_elements_text',
  });
}

/** JSON text as a value; `what` names the operator for the error Postgres would give. */
function parseJson(v: unknown, what: string): unknown {
  if (typeof v !== 'string') {
    if (typeof v === 'number' || typeof v === 'bigint') return Number(v);
    throw new DoqlError('validation', `${what}: operand is not JSON`, { sqlState: '22P02' });
  }
  try {
    return JSON.parse(v);
  } catch {
    throw new DoqlError('validation', `invalid input syntax for type json: ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)} (${what})`, { sqlState: '22P02' });
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Postgres's jsonb containment (JsonbDeepContains): every part of `b` is in `a`. */
function contains(a: unknown, b: unknown, top: boolean): boolean {
  if (Array.isArray(a)) {
    // A top-level array contains a bare scalar it holds (`'["a"]' @> '"a"'`).
    if (!Array.isArray(b)) return top && !isObject(b) && a.some((x) => !isObject(x) && !Array.isArray(x) && x === b);
    return b.every((y) => a.some((x) => (Array.isArray(y) || isObject(y) ? contains(x, y, false) : x === y)));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    return Object.entries(b).every(([k, v]) => Object.hasOwn(a, k) && (Array.isArray(v) || isObject(v) ? contains(a[k], v, false) : a[k] === v));
  }
  return !Array.isArray(b) && !isObject(b) && a === b;
}

/** `jsonb ? text`: a string that is a top-level key, array element, or the scalar itself. */
function exists(j: unknown, key: string): boolean {
  if (Array.isArray(j)) return j.some((x) => x === key);
  if (isObject(j)) return Object.hasOwn(j, key);
  return j === key;
}

/** The right operand of ?| and ?&: a text[] (ARRAY['a','b'] or '{a,b}'), or a JSON array of strings. */
function keyList(v: unknown, op: string): string[] {
  const els = arrayValues(v, `jsonb ${op}`) ?? [];
  return els.filter((e): e is string | number | bigint => e !== null).map(String);
}

export type JsonbOperator = '@>' | '<@' | '?' | '?|' | '?&';

/** `a op b` for the jsonb operators; NULL in, NULL out (they are strict in Postgres). */
export function jsonbOperator(op: JsonbOperator, a: unknown, b: unknown): SqlValue {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  const what = `jsonb ${op}`;
  switch (op) {
    case '@>':
      return contains(parseJson(a, what), parseJson(b, what), true) ? 1n : 0n;
    case '<@':
      return contains(parseJson(b, what), parseJson(a, what), true) ? 1n : 0n;
    case '?':
      return exists(parseJson(a, what), String(b)) ? 1n : 0n;
    case '?|': {
      const j = parseJson(a, what);
      return keyList(b, op).some((k) => exists(j, k)) ? 1n : 0n;
    }
    case '?&': {
      const j = parseJson(a, what);
      return keyList(b, op).every((k) => exists(j, k)) ? 1n : 0n;
    }
  }
}

/** `array_length(arr, dim)`: Postgres's arrays here are one-dimensional, and an empty one has no length. */
export function arrayLength(arr: unknown, dim: unknown): SqlValue {
  const els = arrayValues(arr, 'array_length');
  if (els === undefined || dim === null) return null;
  if (dim === undefined) {
    throw new DoqlError('validation', 'array_length takes the dimension too: array_length(tags, 1)', { sqlState: '42883' });
  }
  return Number(dim) === 1 && els.length > 0 ? BigInt(els.length) : null;
}
