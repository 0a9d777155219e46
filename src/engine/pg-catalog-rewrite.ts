// Rewrites the Postgres-only syntax that clients send (psql's catalog queries, drivers' casts) into SQLite:
//
//   x::pg_catalog.text            → CAST(x AS TEXT)          'pg_class'::regclass → pg_reg_oid('regclass', 'pg_class')
//   a OPERATOR(pg_catalog.~) 'p'  → a REGEXP 'p'              a !~ 'p'           → a NOT REGEXP 'p'
//   'p' COLLATE pg_catalog.default → 'p'                      pg_catalog.f(x)    → f(x)
//   x = ANY (arr)                 → x IN (SELECT value FROM pg_unnest(coalesce(arr, '{NULL}'), 'ANY'))
//   x = ANY (ARRAY[1, 2])         → x IN (1, 2)
//   ARRAY(SELECT …)               → (WITH …(v) AS (SELECT …) SELECT pg_array_agg(v) FROM …)
//   unnest(arr) x / generate_series(a, b) s in FROM → pg_unnest(arr) AS x, x read as "x".value
//   E'\n', trim(trailing ';' from x), IS [NOT] DISTINCT FROM, ILIKE, arr[i], current_user
//   SELECT unnest(a), generate_subscripts(a, 1) FROM t → SELECT s.value, s.ordinality FROM t, pg_unnest(a) AS s
//     (and DISTINCT ON: done before this rewriter, by sql/pg-select-forms.ts)
//   x::timestamptz → pg_timestamptz(x) (DigitalOcean's form; timestamptz to clients), … AS default → AS "default"
//   svc.resource.column outside FROM → digitalocean.svc.resource.column
//
// It works on tokens, so strings and comments are never touched, and leaves everything it does not know
// alone: a query that needs more than this fails in SQLite with a clean error, never here.
import type { SqlType } from '../catalog/types.js';
import { identValue, stringValue, tokenize, type Token } from '../sql/lexer.js';
import { DoqlError } from '../errors.js';
import { castColumnName, castTarget } from './pg-catalog-types.js';
import type { PgTypeName } from './types.js';
import { checkToCharPattern } from './pg-to-char.js';
import { rewriteSelectForms } from '../sql/pg-select-forms.js';

interface Piece {
  text: string;
  kind: Token['kind'] | 'atom';
  /** A string literal or a `$n` parameter: casts of these to reg* types look a name up. */
  literal?: boolean;
  /** For a cast (or a function-like atom): the column name Postgres would give it and its type. */
  columnName?: string;
  columnType?: SqlType;
  /** The Postgres type a client is told (a cast to timestamptz is text in SQLite, timestamptz on the wire). */
  pgType?: PgTypeName;
  /** Text the rewriter made (not the client's own): SQLite's name for the column would show it. */
  rewritten?: boolean;
}

export interface PgRewrite {
  /** SQL for SQLite (placeholders still `$n`). */
  sql: string;
  /** False when nothing needed rewriting. */
  changed: boolean;
  /** Types the query text fixes for its result columns (casts, true/false), by position; empty when unknown. */
  columnTypes: (SqlType | undefined)[];
  /** The Postgres types the text fixes beyond columnTypes (casts to timestamptz, now()), by position. */
  pgTypes: (PgTypeName | undefined)[];
}

const KEYWORDS = new Set(
  (
    'SELECT FROM WHERE AND OR NOT IN IS NULL ON JOIN LEFT RIGHT INNER OUTER CROSS FULL NATURAL GROUP ORDER BY HAVING ' +
    'LIMIT OFFSET UNION ALL DISTINCT AS CASE WHEN THEN ELSE END EXISTS BETWEEN LIKE ILIKE GLOB REGEXP ESCAPE USING ' +
    'WITH RECURSIVE VALUES SET RETURNING ASC DESC NULLS FIRST LAST INTERSECT EXCEPT OVER PARTITION FILTER WINDOW ' +
    'LATERAL ANY SOME INTO COLLATE'
  ).split(' '),
);

/** Keywords after which a FROM-clause item (a table, a table function) is expected. */
const FROM_STARTERS = new Set(['FROM', 'JOIN']);
/** Keywords that end the FROM clause or the select list at their level. */
const CLAUSE_ENDERS = new Set(['WHERE', 'GROUP', 'ORDER', 'HAVING', 'LIMIT', 'OFFSET', 'UNION', 'INTERSECT', 'EXCEPT', 'ON', 'USING', 'WINDOW', 'RETURNING']);

const REGEX_OPERATORS: Record<string, string> = {
  '~': ' REGEXP ',
  '~*': " REGEXP '(?i)' || ",
  '!~': ' NOT REGEXP ',
  '!~*': " NOT REGEXP '(?i)' || ",
  '~~': ' LIKE ',
  '~~*': ' LIKE ',
  '!~~': ' NOT LIKE ',
  '!~~*': ' NOT LIKE ',
};

/** Bare SQL-standard functions Postgres calls without parentheses. */
const BARE_FUNCTIONS = new Set(['current_user', 'session_user', 'current_catalog', 'current_schema', 'current_role']);

const RENAMED_FUNCTIONS: Record<string, string> = {
  string_agg: 'group_concat',
  array_agg: 'pg_array_agg',
  // JSON: Postgres's json/jsonb names for what SQLite's JSON1 does.
  json_agg: 'json_group_array',
  jsonb_agg: 'json_group_array',
  json_object_agg: 'json_group_object',
  jsonb_object_agg: 'json_group_object',
  jsonb_array_length: 'json_array_length',
  json_typeof: 'json_type',
  jsonb_typeof: 'json_type',
  json_build_object: 'json_object',
  jsonb_build_object: 'json_object',
  json_build_array: 'json_array',
  jsonb_build_array: 'json_array',
  jsonb_each: 'json_each',
  jsonb_extract_path: 'json_extract_path',
  jsonb_extract_path_text: 'json_extract_path_text',
};

const TABLE_FUNCTIONS: Record<string, string> = {
  unnest: 'pg_unnest',
  generate_series: 'pg_series',
  json_array_elements: 'json_each',
  jsonb_array_elements: 'json_each',
  json_array_elements_text: 'json_each',
  jsonb_array_elements_text: 'json_each',
};

/** SQLite keywords Postgres takes as a column label after AS (`… AS default`): quoted for SQLite. */
const RESERVED_LABELS = new Set(
  'DEFAULT TABLE INDEX ORDER GROUP CHECK PRIMARY REFERENCES UNIQUE CONSTRAINT FOREIGN TO TRANSACTION COLUMN COLLATE LIMIT OFFSET ESCAPE'.split(' '),
);

const isSpace = (t: Token | Piece | undefined): boolean => t !== undefined && (t.kind === 'space' || t.kind === 'comment');
const upper = (t: Token | Piece | undefined): string => (t && (t.kind === 'word' || t.kind === 'atom') ? t.text.toUpperCase() : '');
const isKeyword = (t: Token | Piece | undefined): boolean => t?.kind === 'word' && KEYWORDS.has(t.text.toUpperCase());
const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const quoteString = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** True for the end of an operand: what may stand before a binary operator, a cast or a subscript. */
function endsOperand(p: Piece | undefined): boolean {
  if (!p) return false;
  if (p.text === ')') return true;
  if (p.kind === 'word') return !KEYWORDS.has(p.text.toUpperCase()) || ['NULL', 'END'].includes(p.text.toUpperCase());
  return p.kind === 'quoted' || p.kind === 'string' || p.kind === 'number' || p.kind === 'param' || p.kind === 'atom';
}

function lastSignificant(out: Piece[]): Piece | undefined {
  for (let j = out.length - 1; j >= 0; j--) if (!isSpace(out[j])) return out[j];
  return undefined;
}

/** Index of the `(` in `out` that the `)` at `close` closes, or -1 when it is unbalanced. */
function openingParen(out: Piece[], close: number): number {
  let depth = 0;
  for (let k = close; k >= 0; k--) {
    if (out[k].kind !== 'punct') continue;
    if (out[k].text === ')') depth++;
    else if (out[k].text === '(' && --depth === 0) return k;
  }
  return -1;
}

/** Removes the operand at the end of `out` (a name, a literal, `f(…)`, `(…)`, `a.b.c`) and returns it. */
function popOperand(out: Piece[]): { text: string; literal: boolean } {
  let end = out.length;
  while (end > 0 && isSpace(out[end - 1])) end--;
  let start = end - 1;
  if (start < 0) return { text: '', literal: false };
  if (out[start].text === ')' && out[start].kind === 'punct') {
    const open = openingParen(out, start);
    // An unbalanced `)` (bad SQL) is its own operand: SQLite reports the error.
    if (open >= 0) {
      start = open;
      const fn = out[start - 1];
      if (fn && (fn.kind === 'word' || fn.kind === 'quoted') && !isKeyword(fn)) start--;
    }
  }
  while (start >= 2 && out[start - 1].text === '.' && (out[start - 2].kind === 'word' || out[start - 2].kind === 'quoted')) start -= 2;
  const taken = out.slice(start, end);
  out.length = start;
  const literal = taken.length === 1 && (taken[0].literal === true || taken[0].kind === 'string' || taken[0].kind === 'param');
  return { text: taken.map((p) => p.text).join(''), literal };
}

type JsonbOp = '@>' | '<@' | '?' | '?|' | '?&';
/** A jsonb operator found in the tokens, and the index of the token after it. */
interface JsonbFound {
  op: JsonbOp;
  next: number;
}
/** Words that end an ORDER BY list at its depth. */
const ORDER_BY_ENDERS = new Set(['LIMIT', 'OFFSET', 'FETCH', 'ROWS', 'RANGE', 'GROUPS', 'UNION', 'INTERSECT', 'EXCEPT', 'RETURNING', 'WINDOW']);
const ORDERED_SET_AGGREGATES = new Set(['percentile_cont', 'percentile_disc', 'mode']);

/** An error for a Postgres construct doql does not translate: raised before anything is sent. */
function unsupportedConstruct(message: string): DoqlError {
  return new DoqlError('validation', message, { sqlState: '0A000' });
}

/** How many comma-separated parts the tokens hold at their own depth. */
function splitTopLevel(toks: Token[]): number {
  let depth = 0;
  let parts = 1;
  for (const t of toks) {
    if (t.kind !== 'punct') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (t.text === ',' && depth === 0) parts++;
  }
  return parts;
}

/**
 * Binary operators that bind at least as tightly as Postgres's jsonb operators (which share the level of
 * every "other" operator, `->` and `||` included, left to right): the left operand of `@>` extends over them.
 */
const TIGHTER_OR_EQUAL = new Set(['->', '->>', '||', '+', '-', '*', '/', '%', '^', '#>', '#>>']);

/** Removes the left operand of a jsonb operator from the end of `out`: `d.tags`, `data -> 'tags'`, `a || b`. */
function popExpression(out: Piece[]): string {
  let text = popOperand(out).text;
  for (;;) {
    const op = lastSignificant(out);
    if (!op || op.kind !== 'op' || !TIGHTER_OR_EQUAL.has(op.text.trim())) return text;
    const at = out.lastIndexOf(op);
    const beforeOp = lastSignificant(out.slice(0, at));
    if (!endsOperand(beforeOp)) return text; // a unary minus belongs to the operand already taken
    const between = out.slice(at).map((p) => p.text).join('');
    out.length = at;
    text = `${popOperand(out).text}${between}${text}`;
  }
}

const INTERVAL_UNITS: Record<string, [string, number]> = {
  year: ['years', 1], years: ['years', 1], y: ['years', 1],
  mon: ['months', 1], mons: ['months', 1], month: ['months', 1], months: ['months', 1],
  week: ['days', 7], weeks: ['days', 7], w: ['days', 7],
  day: ['days', 1], days: ['days', 1], d: ['days', 1],
  hour: ['hours', 1], hours: ['hours', 1], hr: ['hours', 1], hrs: ['hours', 1], h: ['hours', 1],
  minute: ['minutes', 1], minutes: ['minutes', 1], min: ['minutes', 1], mins: ['minutes', 1], m: ['minutes', 1],
  second: ['seconds', 1], seconds: ['seconds', 1], sec: ['seconds', 1], secs: ['seconds', 1], s: ['seconds', 1],
};

/** `'1 week 2 hours'` → SQLite date modifiers `['+7 days', '+2 hours']`, negated for subtraction. */
function intervalModifiers(text: string, sign: 1 | -1): string[] {
  const parts = [...text.matchAll(/\s*([-+]?\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*/g)];
  const whole = parts.map((p) => p[0]).join('');
  const units = parts.map((p) => INTERVAL_UNITS[p[2].toLowerCase()]);
  if (!parts.length || whole.length !== text.length || units.some((u) => !u)) {
    throw new DoqlError('parse', `cannot read interval '${text}': write it like '7 days', '1 hour 30 minutes' or '2 weeks'`, { sqlState: '22007' });
  }
  return parts.map((p, k) => {
    const [unit, factor] = units[k]!;
    const n = Number(p[1]) * factor * sign;
    return `${n >= 0 ? '+' : ''}${n} ${unit}`;
  });
}

/** The SQLite expression for `operand::type`. */
function castPiece(operand: { text: string; literal: boolean }, typeName: string): Piece {
  const target = castTarget(typeName);
  // Postgres names `d.name::text` after the column, and only a cast of anything else after the type.
  const ident = /^(?:(?:"(?:[^"]|"")*"|[A-Za-z_][\w$]*)\.)*("(?:[^"]|"")*"|[A-Za-z_][\w$]*)$/.exec(operand.literal ? '' : operand.text.trim());
  const columnName = ident && !KEYWORDS.has(ident[1].toUpperCase()) && !['TRUE', 'FALSE'].includes(ident[1].toUpperCase()) ? (ident[1].startsWith('"') ? ident[1].slice(1, -1).replace(/""/g, '"') : ident[1].toLowerCase()) : castColumnName(typeName);
  // Times as DigitalOcean writes them, so that `created_at > '2024-06-01'::timestamp` compares like with like.
  const base = typeName.toLowerCase().replace(/\s*\(.*\)$/, '');
  if (base === 'date') return { text: `pg_date(${operand.text})`, kind: 'atom', columnName, columnType: 'TEXT', pgType: 'date' };
  if (/^timestamp(tz| with(out)? time zone)?$/.test(base)) {
    const pgType = /tz|with time/.test(base) ? 'timestamptz' : 'timestamp';
    return { text: `pg_timestamptz(${operand.text})`, kind: 'atom', columnName, columnType: 'TEXT', pgType };
  }
  if (base === 'numeric' || base === 'decimal') {
    return { text: `CAST(${operand.text} AS REAL)`, kind: 'atom', columnName, columnType: 'REAL', pgType: 'numeric' };
  }
  switch (target) {
    case 'ARRAY':
      return { text: operand.text, kind: 'atom', columnName, columnType: 'TEXT' };
    case 'REG':
      // A literal names an object ('pg_class'::regclass is its OID); anything else is an OID to print as a name.
      return operand.literal
        ? { text: `pg_reg_oid(${quoteString(typeName)}, ${operand.text})`, kind: 'atom', columnName, columnType: 'INTEGER' }
        : { text: `pg_reg_name(${quoteString(typeName)}, ${operand.text})`, kind: 'atom', columnName, columnType: 'TEXT' };
    case 'BOOLEAN':
      return { text: `pg_bool(${operand.text})`, kind: 'atom', columnName, columnType: 'BOOLEAN' };
    case 'UNKNOWN':
      return { text: operand.text, kind: 'atom', columnName };
    case 'JSON':
      return { text: `CAST(${operand.text} AS TEXT)`, kind: 'atom', columnName, columnType: 'JSON', pgType: base === 'jsonb' ? 'jsonb' : 'json' };
    default:
      return { text: `CAST(${operand.text} AS ${target})`, kind: 'atom', columnName, columnType: target };
  }
}

/** Processes the escapes of an `E'…'` string and returns a plain SQLite string literal. */
function escapeString(token: Token): string {
  const body = token.text.slice(1, -1).replace(/''/g, "'");
  const value = body.replace(/\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{4}|[0-7]{1,3}|.)/g, (_, e: string) => {
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
    if (simple[e] !== undefined) return simple[e];
    if (/^x/.test(e)) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^u/.test(e)) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return e;
  });
  return quoteString(value);
}

interface SelectItem {
  start: number;
  end: number;
}

/** Says whether `schema.table` names a doql resource (a service's schema): then it is `digitalocean.schema.table`. */
export type QualifyName = (schema: string, table: string) => boolean;

class Rewriter {
  private cteCount = 0;

  /**
   * Names that stand for a JSON table function's value: `t` for `jsonb_array_elements_text(x) AS t`, and `col`
   * and `t.col` for `… AS t(col)`. Those become SQLite's `json_each(x) AS t`, read as `t.value`.
   */
  private readonly lateral = new Map<string, string>();
  /** Whether the statement says WITHIN (GROUP): only then are calls checked for an ordered-set form. */
  private readonly hasWithin: boolean;

  constructor(
    private readonly toks: Token[],
    private readonly qualify?: QualifyName,
  ) {
    this.hasWithin = toks.some((t) => upper(t) === 'WITHIN');
    this.findLateralNames();
  }

  private findLateralNames(): void {
    const toks = this.toks;
    const end = toks.length;
    for (let i = 0; i < end; i++) {
      const t = toks[i];
      const target = t.kind === 'word' ? TABLE_FUNCTIONS[t.text.toLowerCase()] : undefined;
      if (!target) continue;
      // unnest and generate_series are table functions only in FROM (the select-list form is pg-select-forms').
      let b = i - 1;
      while (b >= 0 && isSpace(toks[b])) b--;
      if (toks[b]?.text === '.' && toks[b - 1]?.text.toLowerCase() === 'pg_catalog') b -= 2;
      while (b >= 0 && isSpace(toks[b])) b--;
      if (target !== 'json_each' && !(b >= 0 && (['FROM', 'JOIN', 'LATERAL'].includes(upper(toks[b])) || toks[b].text === ','))) continue;
      const open = this.nextSig(i + 1, end);
      if (open < 0 || toks[open].text !== '(') continue;
      const close = this.matchParen(open, end);
      if (close < 0) continue;
      let j = this.nextSig(close + 1, end);
      if (j >= 0 && upper(toks[j]) === 'WITH') throw unsupportedConstruct(`${t.text.toLowerCase()}(…) WITH ORDINALITY is not supported by doql`);
      if (j >= 0 && upper(toks[j]) === 'AS') j = this.nextSig(j + 1, end);
      const a = j >= 0 ? toks[j] : undefined;
      if (!a || !(a.kind === 'quoted' || (a.kind === 'word' && !isKeyword(a) && !CLAUSE_ENDERS.has(a.text.toUpperCase())))) {
        // `FROM unnest(tags)` names its one column after the function, as Postgres does.
        if (target !== 'json_each') this.lateral.set(t.text.toLowerCase(), `${quoteIdent(t.text.toLowerCase())}.value`);
        continue;
      }
      const alias = identValue(a).toLowerCase();
      const value = `${quoteIdent(identValue(a))}.value`;
      const p = this.nextSig(j + 1, end);
      const c = p >= 0 && toks[p].text === '(' ? this.nextSig(p + 1, end) : -1;
      if (c >= 0 && (toks[c].kind === 'word' || toks[c].kind === 'quoted')) {
        const col = identValue(toks[c]).toLowerCase();
        this.lateral.set(col, value);
        this.lateral.set(`${alias}.${col}`, value);
      } else this.lateral.set(alias, value);
    }
  }

  /**
   * `databases.backups` in a FROM/JOIN item, as psql shows tables and completes names, when the schema is a
   * service: the 3-part resource name. Returns the index after the name, or -1.
   */
  private resourceName(i: number, end: number, out: Piece[], clause: string): number {
    if (this.qualify && clause !== 'from') return this.qualifiedColumn(i, end, out);
    if (!this.qualify || clause !== 'from') return -1;
    const prev = lastSignificant(out);
    if (!prev || !(['FROM', 'JOIN'].includes(upper(prev)) || prev.text === ',')) return -1;
    if (i + 2 >= end) return -1;
    const [a, dot, b] = [this.toks[i], this.toks[i + 1], this.toks[i + 2]];
    const after = i + 3 < end ? this.toks[i + 3] : undefined;
    if (dot.text !== '.' || (b.kind !== 'word' && b.kind !== 'quoted') || after?.text === '.') return -1;
    const name = (t: Token): string => (t.kind === 'quoted' ? identValue(t) : t.text.toLowerCase());
    if (!this.qualify(name(a), name(b))) return -1;
    out.push({ text: `digitalocean.${a.text}.${b.text}`, kind: 'word' });
    return i + 3;
  }

  /**
   * `databases.backups.created_at` outside FROM (SQLAlchemy qualifies every column so): the resource's
   * 3-part name before the column. Returns the index of the column's dot, or -1.
   */
  private qualifiedColumn(i: number, end: number, out: Piece[]): number {
    if (!this.qualify || i + 4 >= end || out[out.length - 1]?.text === '.') return -1;
    const [a, dot, b, dot2, c] = [this.toks[i], this.toks[i + 1], this.toks[i + 2], this.toks[i + 3], this.toks[i + 4]];
    if (dot?.text !== '.' || dot2?.text !== '.' || !b || !c || (b.kind !== 'word' && b.kind !== 'quoted') || (c.kind !== 'word' && c.kind !== 'quoted')) return -1;
    if (this.toks[i + 5]?.text === '.') return -1;
    const name = (t: Token): string => (t.kind === 'quoted' ? identValue(t) : t.text.toLowerCase());
    if (!this.qualify(name(a), name(b))) return -1;
    out.push({ text: `digitalocean.${a.text}.${b.text}`, kind: 'word' });
    return i + 3;
  }

  private nextSig(i: number, end: number): number {
    let j = i;
    while (j < end && isSpace(this.toks[j])) j++;
    return j < end ? j : -1;
  }

  /** Index of the `)` matching the `(` at i, or -1. */
  private matchParen(i: number, end: number): number {
    let depth = 0;
    for (let j = i; j < end; j++) {
      const t = this.toks[j];
      if (t.kind !== 'punct') continue;
      if (t.text === '(') depth++;
      else if (t.text === ')' && --depth === 0) return j;
    }
    return -1;
  }

  /** Rewrites toks[start, end) into SQLite text. */
  text(start: number, end: number): string {
    return this.rewrite(start, end, undefined)
      .map((p) => p.text)
      .join('');
  }

  /**
   * Reads a type name at toks[i] (after `::` or CAST's AS): `pg_catalog.int2[]`, `double precision`,
   * `character varying(10)`, `"char"`. `first` is the name's first word when the lexer glued it to the `:`.
   */
  private readType(i: number, end: number, first?: string): { name: string; next: number } {
    let j = i;
    let name = first;
    if (name === undefined) {
      const t = this.toks[j];
      if (!t || (t.kind !== 'word' && t.kind !== 'quoted')) return { name: '', next: j };
      name = identValue(t);
      j++;
    }
    name = name.toLowerCase();
    if (name === 'pg_catalog' && this.toks[j]?.text === '.' && this.toks[j + 1]) {
      name = identValue(this.toks[j + 1]).toLowerCase();
      j += 2;
    }
    const word = (k: number): string => (k >= 0 && this.toks[k]?.kind === 'word' ? this.toks[k].text.toLowerCase() : '');
    const follow = (words: string[]): boolean => {
      let k = j;
      for (const w of words) {
        k = this.nextSig(k, end);
        if (word(k) !== w) return false;
        k++;
      }
      j = k;
      return true;
    };
    if (name === 'double' && follow(['precision'])) name = 'double precision';
    else if (name === 'character' && follow(['varying'])) name = 'character varying';
    else if (name === 'timestamp' || name === 'time') {
      if (follow(['with', 'time', 'zone'])) name = `${name} with time zone`;
      else if (follow(['without', 'time', 'zone'])) name = `${name} without time zone`;
    }
    const k = this.nextSig(j, end);
    if (k >= 0 && this.toks[k].text === '(') {
      const close = this.matchParen(k, end);
      if (close > 0) j = close + 1;
    }
    for (;;) {
      const b = this.nextSig(j, end);
      if (b < 0 || this.toks[b].kind !== 'quoted' || !this.toks[b].text.startsWith('[')) break;
      name = `${name}[]`;
      j = b + 1;
    }
    return { name, next: j };
  }

  /**
   * Postgres' LIKE escapes with a backslash by default, SQLite's has no escape: after a LIKE pattern (the
   * string just pushed) holding one, and no ESCAPE clause, says ESCAPE '\'.
   */
  private likeEscape(out: Piece[], literal: string, next: number, end: number): void {
    if (!literal.includes('\\')) return;
    let j = out.length - 2;
    while (j >= 0 && isSpace(out[j])) j--;
    if (upper(out[j]) !== 'LIKE' && upper(out[j]) !== 'ILIKE') return;
    const after = this.nextSig(next, end);
    if (after >= 0 && upper(this.toks[after]) === 'ESCAPE') return;
    out.push({ text: " ESCAPE '\\'", kind: 'atom', rewritten: true });
  }

  /**
   * `(subquery) [AS] s(a, b)` in a FROM clause, with toks[i] the alias: SQLite has no column lists on
   * derived tables, so the subquery becomes a CTE that has one. Returns the index after the list, or -1.
   */
  private derivedColumns(i: number, end: number, out: Piece[], clause: string): number {
    if (clause !== 'from') return -1;
    const open = this.nextSig(i + 1, end);
    if (open < 0 || this.toks[open].text !== '(') return -1;
    let close = out.length - 1;
    while (close >= 0 && isSpace(out[close])) close--;
    if (upper(out[close]) === 'AS') {
      close--;
      while (close >= 0 && isSpace(out[close])) close--;
    }
    if (close < 0 || out[close].text !== ')' || out[close].kind !== 'punct') return -1;
    const start = openingParen(out, close);
    const listClose = this.matchParen(open, end);
    if (start < 0 || listClose < 0) return -1;
    const inner = out.slice(start + 1, close).map((p) => p.text).join('');
    const columns = this.toks
      .slice(open + 1, listClose)
      .filter((t) => t.kind === 'word' || t.kind === 'quoted')
      .map((t) => quoteIdent(identValue(t)));
    const name = `_pg_cols${++this.cteCount}`;
    out.length = start;
    out.push({
      text: `(WITH ${name}(${columns.join(', ')}) AS (${inner}) SELECT * FROM ${name}) AS ${quoteIdent(identValue(this.toks[i]))}`,
      kind: 'atom',
    });
    return listClose + 1;
  }

  /** Whether `out` ends with now() or current_timestamp. */
  private afterNow(out: Piece[]): boolean {
    const sig = out.filter((p) => !isSpace(p));
    const n = sig.length;
    if (upper(sig[n - 1]) === 'CURRENT_TIMESTAMP') return true;
    return sig[n - 1]?.text === ')' && sig[n - 2]?.text === '(' && sig[n - 3]?.text.toLowerCase() === 'now';
  }

  /** The jsonb operator (`@>`, `<@`, `?`, `?|`, `?&`) whose first token is toks[i], with its token count. */
  private jsonbOperator(i: number): JsonbFound | undefined {
    const t = this.toks[i];
    const n = this.toks[i + 1];
    const glued = n !== undefined && n.start === t.end && n.kind === 'op';
    if (t.kind === 'op' && t.text === '@' && glued && n.text === '>') return { op: '@>', next: i + 2 };
    if (t.kind === 'op' && t.text === '<' && glued && n.text === '@') return { op: '<@', next: i + 2 };
    if (t.kind === 'param' && t.text === '?') {
      if (glued && (n.text === '|' || n.text === '&')) return { op: n.text === '|' ? '?|' : '?&', next: i + 2 };
      return { op: '?', next: i + 1 };
    }
    return undefined;
  }

  /** Replaces `left op right` (left already in `out`) with pg_jsonb_op(op, left, right); returns the index after right. */
  private jsonbCall(found: JsonbFound, out: Piece[], end: number): number {
    const start = found.next;
    const left = popExpression(out);
    const stop = this.rightOperandEnd(start, end);
    if (stop <= start) throw unsupportedConstruct(`jsonb ${found.op} needs a right operand`);
    const right = this.text(start, stop).trim();
    out.push({ text: `pg_jsonb_op(${quoteString(found.op)}, ${left.trim()}, ${right})`, kind: 'atom', rewritten: true, columnType: 'BOOLEAN' });
    return stop;
  }

  /**
   * The end of an operand of a jsonb operator starting at toks[start]: it runs over what binds more tightly
   * (names, literals, calls, brackets, casts, subscripts, arithmetic) and stops at the next operator of the
   * same level or lower (`->`, `||`, `=`, AND, …), a comma, a closing bracket or a keyword.
   */
  private rightOperandEnd(start: number, end: number): number {
    const toks = this.toks;
    let j = this.nextSig(start, end);
    if (j < 0) return start;
    let last = start;
    let expectOperand = true;
    while (j >= 0 && j < end) {
      const t = toks[j];
      if (t.kind === 'punct' && t.text === '(') {
        const close = this.matchParen(j, end);
        if (close < 0) return end;
        j = close;
        expectOperand = false;
      } else if (t.kind === 'op' && t.text === ':' && toks[j + 1]?.start === t.end && (toks[j + 1].text === ':' || toks[j + 1].text.startsWith(':'))) {
        const typeStart = toks[j + 1].kind === 'param' ? j + 2 : this.nextSig(j + 2, end);
        j = (toks[j + 1].kind === 'param' ? this.readType(typeStart, end, toks[j + 1].text.slice(1)) : this.readType(typeStart, end)).next - 1;
        expectOperand = false;
      } else if (t.kind === 'quoted' && t.text.startsWith('[') && !expectOperand) {
        // a subscript
      } else if (t.kind === 'punct' && t.text === '.') {
        expectOperand = true;
      } else if (t.kind === 'op' && ['+', '-', '*', '/', '%', '^'].includes(t.text)) {
        expectOperand = true;
      } else if (expectOperand && (t.kind === 'string' || t.kind === 'number' || t.kind === 'param' || t.kind === 'quoted' || (t.kind === 'word' && (!isKeyword(t) || ['NULL', 'CASE'].includes(upper(t)))))) {
        if (upper(t) === 'CASE') {
          let depth = 0;
          let k = j;
          for (; k < end; k++) {
            const w = upper(toks[k]);
            if (w === 'CASE') depth++;
            else if (w === 'END' && --depth === 0) break;
          }
          j = k;
        }
        expectOperand = false;
      } else if (expectOperand && t.kind === 'word' && upper(t) === 'ARRAY') {
        expectOperand = false;
      } else {
        break;
      }
      last = j + 1;
      j = this.nextSig(j + 1, end);
    }
    return last;
  }

  /**
   * `percentile_cont(f) WITHIN GROUP (ORDER BY x [DESC])` (and percentile_disc, mode) → pg_percentile_cont(f, x, 1)
   * when toks[i] is the function name; returns the index after the group, or -1 when there is no WITHIN GROUP.
   */
  private withinGroup(i: number, callOpen: number, end: number, out: Piece[]): number {
    const toks = this.toks;
    const close = this.matchParen(callOpen, end);
    const w = close > 0 ? this.nextSig(close + 1, end) : -1;
    if (w < 0 || upper(toks[w]) !== 'WITHIN') return -1;
    const fn = toks[i].text.toLowerCase();
    if (!ORDERED_SET_AGGREGATES.has(fn)) throw unsupportedConstruct(`${fn}(…) WITHIN GROUP is not supported by doql: it does percentile_cont, percentile_disc and mode`);
    const g = this.nextSig(w + 1, end);
    const open = g >= 0 && upper(toks[g]) === 'GROUP' ? this.nextSig(g + 1, end) : -1;
    const groupClose = open >= 0 && toks[open].text === '(' ? this.matchParen(open, end) : -1;
    const order = open >= 0 ? this.nextSig(open + 1, end) : -1;
    const by = order >= 0 && upper(toks[order]) === 'ORDER' ? this.nextSig(order + 1, end) : -1;
    if (groupClose < 0 || by < 0 || upper(toks[by]) !== 'BY') throw unsupportedConstruct(`${fn}: write WITHIN GROUP (ORDER BY expression)`);
    if (splitTopLevel(toks.slice(by + 1, groupClose)) > 1) throw unsupportedConstruct(`${fn}: WITHIN GROUP orders by one expression in doql`);
    // Trailing ASC / DESC / NULLS FIRST|LAST: aggregates skip NULLs, so only the direction matters.
    let exprEnd = groupClose;
    let descending = false;
    for (;;) {
      let k = exprEnd - 1;
      while (k > by && isSpace(toks[k])) k--;
      const u = upper(toks[k]);
      if (!['ASC', 'DESC', 'NULLS', 'FIRST', 'LAST'].includes(u)) break;
      if (u === 'DESC') descending = true;
      exprEnd = k;
    }
    const args = this.text(callOpen + 1, close).trim();
    if (fn === 'mode' ? args !== '' : splitTopLevel(toks.slice(callOpen + 1, close)) !== 1 || args === '') {
      throw unsupportedConstruct(fn === 'mode' ? 'mode() takes no argument: mode() WITHIN GROUP (ORDER BY x)' : `${fn} takes one fraction: ${fn}(0.5) WITHIN GROUP (ORDER BY x)`);
    }
    const value = this.text(by + 1, exprEnd).trim();
    out.push({ text: `pg_${fn}(${args ? `${args}, ` : ''}${value}, ${descending ? 1 : 0})`, kind: 'atom', rewritten: true, columnName: fn, columnType: fn === 'percentile_cont' ? 'REAL' : undefined });
    return groupClose + 1;
  }

  /** `ARRAY(SELECT …)`: the subquery's rows gathered into one array value. */
  private arraySubquery(open: number, close: number): Piece {
    const name = `_pg_array${++this.cteCount}`;
    return { text: `(WITH ${name}(v) AS (${this.text(open + 1, close)}) SELECT pg_array_agg(v) FROM ${name})`, kind: 'atom', columnName: 'array' };
  }

  /** `trim([leading|trailing|both] [chars] FROM s)` → ltrim/rtrim/trim(s, chars). */
  private trimCall(open: number, close: number): Piece | undefined {
    let i = this.nextSig(open + 1, close);
    if (i < 0) return undefined;
    const mode = upper(this.toks[i]);
    const fn = mode === 'LEADING' ? 'ltrim' : mode === 'TRAILING' ? 'rtrim' : 'trim';
    if (['LEADING', 'TRAILING', 'BOTH'].includes(mode)) i++;
    let from = -1;
    let depth = 0;
    for (let j = i; j < close; j++) {
      const t = this.toks[j];
      if (t.text === '(') depth++;
      else if (t.text === ')') depth--;
      else if (depth === 0 && upper(t) === 'FROM') {
        from = j;
        break;
      }
    }
    if (from < 0) return undefined; // plain trim(x): SQLite has it
    const chars = this.text(i, from).trim();
    const source = this.text(from + 1, close).trim();
    return { text: `${fn}(${source}${chars ? `, ${chars}` : ''})`, kind: 'atom', columnName: fn === 'trim' ? 'btrim' : fn };
  }

  /** `unnest(arr) [AS] x[(col)]` in a FROM clause → a subquery over SQLite's table function; returns the next index. */
  private tableFunction(fn: string, open: number, close: number, end: number, out: Piece[]): number {
    const args = this.text(open + 1, close);
    let j = this.nextSig(close + 1, end);
    let alias = fn;
    let next = close + 1;
    if (j >= 0 && upper(this.toks[j]) === 'AS') j = this.nextSig(j + 1, end);
    const a = j >= 0 ? this.toks[j] : undefined;
    if (a && (a.kind === 'quoted' || (a.kind === 'word' && !isKeyword(a) && !CLAUSE_ENDERS.has(a.text.toUpperCase())))) {
      alias = identValue(a);
      next = j + 1;
      const p = this.nextSig(next, end);
      // The column list `AS t(col)` is skipped: findLateralNames reads `col` as `t.value`.
      if (p >= 0 && this.toks[p].text === '(') {
        const pclose = this.matchParen(p, end);
        if (pclose > 0) next = pclose + 1;
      }
    }
    const sqliteFn = TABLE_FUNCTIONS[fn];
    if (fn === 'unnest' && splitTopLevel(this.toks.slice(open + 1, close)) > 1) throw unsupportedConstruct('unnest with several arrays is not supported by doql');
    // SQLite's table-valued function, so that it may read the FROM items before it (`d, unnest(d.tags) t`).
    out.push({ text: `${sqliteFn}(${args}) AS ${quoteIdent(alias)}`, kind: 'atom' });
    return next;
  }

  /**
   * Rewrites toks[start, end). With `items`, the top-level select list's items are recorded (piece ranges)
   * so that unnamed columns can be named as Postgres names them.
   */
  rewrite(start: number, end: number, items: SelectItem[] | undefined): Piece[] {
    const out: Piece[] = [];
    const toks = this.toks;
    const clauses: string[] = ['none'];
    /** Per depth: where the ORDER BY item being read starts in `out`, or -1 outside ORDER BY. */
    const orderStarts: number[] = [-1];
    let collecting = false;
    let collected = false;
    const endItem = (): void => {
      if (collecting && items && items.length) items[items.length - 1].end = out.length;
      collecting = false;
    };
    // Postgres sorts NULLs last going up and first going down; SQLite the other way round. Each ORDER BY item
    // without NULLS FIRST|LAST gets Postgres's default written out.
    const endOrderItem = (depth: number, more: boolean): void => {
      const from = orderStarts[depth];
      if (from === undefined || from < 0) return;
      orderStarts[depth] = -1;
      let last = out.length - 1;
      while (last >= from && isSpace(out[last])) last--;
      if (last < from) return;
      const item = out.slice(from, last + 1);
      if (!item.some((p) => upper(p) === 'NULLS' || /\bNULLS (FIRST|LAST)\b/i.test(p.kind === 'atom' ? p.text : ''))) {
        out.splice(last + 1, 0, { text: upper(out[last]) === 'DESC' ? ' NULLS FIRST' : ' NULLS LAST', kind: 'atom', rewritten: true });
      }
      if (more) orderStarts[depth] = out.length + 1; // after the comma about to be pushed
    };

    for (let i = start; i < end; i++) {
      const t = toks[i];
      const depth = clauses.length - 1;
      const atTop = depth === 0;
      const next = toks[i + 1];

      if (t.kind === 'punct') {
        if (t.text === ',' && orderStarts[depth] >= 0) endOrderItem(depth, true);
        else if (t.text === ')' || t.text === ';') endOrderItem(depth, false);
        if (t.text === '(') {
          clauses.push('none');
          orderStarts.push(-1);
        } else if (t.text === ')' && clauses.length > 1) {
          clauses.pop();
          orderStarts.pop();
        } else if (t.text === ',' && atTop && collecting && items) {
          endItem();
          collecting = true;
          items.push({ start: out.length + 1, end: -1 });
        } else if (t.text === ';' && atTop) {
          endItem();
        }
        out.push({ text: t.text, kind: t.kind });
        continue;
      }

      if (t.kind === 'op') {
        // `::type` — the lexer reads `::text` as ':' plus a `:text` parameter.
        if (t.text === ':' && next && next.start === t.end && (next.text === ':' || (next.kind === 'param' && next.text.startsWith(':')))) {
          const glued = next.kind === 'param' ? next.text.slice(1) : undefined;
          const typeStart = glued !== undefined ? i + 2 : this.nextSig(i + 2, end);
          if (typeStart < 0) {
            out.push({ text: t.text, kind: t.kind });
            continue;
          }
          const { name, next: after } = this.readType(typeStart, end, glued);
          out.push(castPiece(popOperand(out), name));
          i = after - 1;
          continue;
        }
        if (t.text === '-' && this.afterNow(out) && upper(toks[this.nextSig(i + 1, end)]) !== 'INTERVAL') {
          // now() - created_at is an interval in Postgres; SQLite would subtract the years of two texts.
          throw unsupportedConstruct('now() - timestamp is not supported by doql: use age(now(), created_at), or compare: created_at < now() - interval \'7 days\'');
        }
        const jsonbOp = this.jsonbOperator(i);
        if (jsonbOp && endsOperand(lastSignificant(out))) {
          i = this.jsonbCall(jsonbOp, out, end) - 1;
          continue;
        }
        if (t.text === '~' || t.text === '!') {
          let op = t.text;
          let j = i;
          while (toks[j + 1]?.kind === 'op' && toks[j + 1].start === toks[j].end && ['~', '*', '!'].includes(toks[j + 1].text)) {
            op += toks[j + 1].text;
            j++;
          }
          if (REGEX_OPERATORS[op] && endsOperand(lastSignificant(out))) {
            out.push({ text: REGEX_OPERATORS[op], kind: 'op', rewritten: true });
            i = j;
            continue;
          }
        }
        out.push({ text: t.text, kind: t.kind });
        continue;
      }

      if (t.kind === 'quoted' && t.text.startsWith('[')) {
        // arr[i]: a subscript right after an operand (SQLite would read `[i]` as a quoted name).
        const prev = out[out.length - 1];
        if (prev && !isSpace(prev) && endsOperand(prev)) {
          const operand = popOperand(out);
          const inner = new Rewriter(tokenize(t.text.slice(1, -1)));
          // `prattrs[s]` with s a table function's column (`generate_series(…) s`).
          for (const [k, v] of this.lateral) inner.lateral.set(k, v);
          out.push({ text: `pg_subscript(${operand.text}, ${inner.text(0, inner.toks.length)})`, kind: 'atom' });
          continue;
        }
      }

      if (t.kind === 'quoted') {
        const qualified = this.resourceName(i, end, out, clauses[depth]);
        if (qualified > 0) {
          i = qualified - 1;
          continue;
        }
      }

      if (t.kind === 'string') {
        out.push({ text: t.text, kind: t.kind, literal: true });
        this.likeEscape(out, t.text, i + 1, end);
        continue;
      }

      if (t.kind === 'param' && t.text === '?' && endsOperand(lastSignificant(out))) {
        // `tags ? 'x'`, `tags ?| array['a','b']`: after an operand, `?` is jsonb's operator, not a placeholder.
        const op = this.jsonbOperator(i);
        if (op) {
          i = this.jsonbCall(op, out, end) - 1;
          continue;
        }
      }

      if (t.kind !== 'word') {
        out.push({ text: t.text, kind: t.kind, literal: t.kind === 'param' });
        continue;
      }

      // ---- words ----
      if (this.lateral.size && out[out.length - 1]?.text !== '.') {
        const dotted = next?.text === '.' && toks[i + 2] && (toks[i + 2].kind === 'word' || toks[i + 2].kind === 'quoted');
        const key = dotted ? `${identValue(t).toLowerCase()}.${identValue(toks[i + 2]).toLowerCase()}` : identValue(t).toLowerCase();
        const replacement = this.lateral.get(key);
        const isCall = this.nextSig(i + (dotted ? 3 : 1), end) >= 0 && toks[this.nextSig(i + (dotted ? 3 : 1), end)].text === '(';
        if (replacement && !isCall && clauses[depth] !== 'from') {
          out.push({ text: replacement, kind: 'atom', rewritten: true, columnName: dotted ? identValue(toks[i + 2]) : identValue(t) });
          if (dotted) i += 2;
          continue;
        }
      }
      const qualified = this.resourceName(i, end, out, clauses[depth]);
      if (qualified > 0) {
        i = qualified - 1;
        continue;
      }
      if (!isKeyword(t)) {
        const listEnd = this.derivedColumns(i, end, out, clauses[depth]);
        if (listEnd > 0) {
          i = listEnd - 1;
          continue;
        }
      }
      const word = t.text.toUpperCase();
      const lower = t.text.toLowerCase();
      const sig = this.nextSig(i + 1, end);
      const sigTok = sig >= 0 ? toks[sig] : undefined;
      const callOpen = sigTok?.text === '(' && sigTok.kind === 'punct' ? sig : -1;

      if (orderStarts[depth] >= 0 && ORDER_BY_ENDERS.has(word)) endOrderItem(depth, false);
      if (word === 'BY' && upper(lastSignificant(out)) === 'ORDER') {
        out.push({ text: t.text, kind: 'word' });
        orderStarts[depth] = out.length;
        continue;
      }
      if (callOpen >= 0 && this.hasWithin) {
        const after = this.withinGroup(i, callOpen, end, out);
        if (after > 0) {
          i = after - 1;
          continue;
        }
      }
      if (word === 'WITHIN' && upper(sigTok) === 'GROUP') throw unsupportedConstruct('WITHIN GROUP is supported after percentile_cont(f), percentile_disc(f) and mode()');
      if (lower === 'to_char' && callOpen >= 0) {
        // A literal pattern is checked now, so that one doql cannot format fails before anything is sent.
        const close = this.matchParen(callOpen, end);
        let comma = -1;
        for (let k = callOpen + 1, d = 0; k < close && comma < 0; k++) {
          if (toks[k].text === '(') d++;
          else if (toks[k].text === ')') d--;
          else if (toks[k].text === ',' && d === 0) comma = k;
        }
        const p = comma > 0 ? this.nextSig(comma + 1, close) : -1;
        if (p >= 0 && toks[p].kind === 'string' && this.nextSig(p + 1, close) < 0) checkToCharPattern(stringValue(toks[p]));
      }

      if ((word === 'E' || word === 'e') && next?.kind === 'string' && next.start === t.end) {
        const literal = escapeString(next);
        out.push({ text: literal, kind: 'string', literal: true, rewritten: true });
        this.likeEscape(out, literal, i + 2, end);
        i++;
        continue;
      }
      if (word === 'INTERVAL' && sigTok?.kind === 'string') {
        // `now() - interval '7 days'`: SQLite's date modifiers, with DigitalOcean's timestamp format.
        const prev = lastSignificant(out);
        if (prev?.kind !== 'op' || (prev.text !== '+' && prev.text !== '-')) {
          throw new DoqlError('parse', "INTERVAL is added to or taken from a time, e.g. now() - interval '7 days' or created_at + interval '1 hour'", { sqlState: '0A000' });
        }
        const modifiers = intervalModifiers(stringValue(sigTok), prev.text === '-' ? -1 : 1);
        while (out.length && out[out.length - 1] !== prev) out.pop();
        out.pop();
        const operand = popOperand(out);
        out.push({ text: `strftime('%Y-%m-%dT%H:%M:%SZ', ${operand.text}, ${modifiers.map(quoteString).join(', ')})`, kind: 'atom', rewritten: true, pgType: 'timestamptz' });
        i = sig;
        continue;
      }
      if (word === 'LATERAL' && sigTok?.kind === 'word' && TABLE_FUNCTIONS[sigTok.text.toLowerCase()]) {
        // SQLite's table-valued functions read the FROM items before them without being told.
        i = sig - 1;
        continue;
      }
      if (word === 'OPERATOR' && callOpen >= 0) {
        const close = this.matchParen(callOpen, end);
        if (close > 0) {
          const inner = toks.slice(callOpen + 1, close).filter((x) => !isSpace(x));
          const op = inner.filter((x) => x.kind === 'op').map((x) => x.text).join('');
          out.push({ text: REGEX_OPERATORS[op] ?? ` ${op} `, kind: 'op', rewritten: true });
          i = close;
          continue;
        }
      }
      if (word === 'COLLATE') {
        // Postgres collations (`pg_catalog.default`, "C") mean nothing to SQLite; its own three are kept.
        let j = this.nextSig(i + 1, end);
        const parts: string[] = [];
        let last = -1; // the collation name's last token
        while (j >= 0 && j < end && (toks[j].kind === 'word' || toks[j].kind === 'quoted')) {
          parts.push(identValue(toks[j]));
          last = j;
          if (toks[j + 1]?.text !== '.') break;
          j += 2;
        }
        const name = parts.join('.').toUpperCase();
        if (last < 0 || ['BINARY', 'NOCASE', 'RTRIM'].includes(name)) out.push({ text: t.text, kind: 'word' });
        else i = last;
        continue;
      }
      if (lower === 'pg_catalog' && next?.text === '.' && toks[i + 2]?.kind === 'word') {
        const after = this.nextSig(i + 3, end);
        if (after >= 0 && toks[after].text === '(') {
          i++; // drop `pg_catalog.` before a function: SQLite functions have no schema
          continue;
        }
      }
      if (word === 'ARRAY') {
        if (callOpen >= 0) {
          const close = this.matchParen(callOpen, end);
          if (close > 0) {
            out.push(this.arraySubquery(callOpen, close));
            i = close;
            continue;
          }
        }
        if (next?.kind === 'quoted' && next.text.startsWith('[')) {
          const inner = new Rewriter(tokenize(next.text.slice(1, -1)));
          const elements = inner.text(0, inner.toks.length).trim();
          out.push({ text: elements ? `pg_array(${elements})` : `'{}'`, kind: 'atom', columnName: 'array' });
          i++;
          continue;
        }
      }
      if ((word === 'ANY' || word === 'SOME' || word === 'ALL') && callOpen >= 0) {
        const prev = lastSignificant(out);
        const negate = prev?.text === '<>' || prev?.text === '!=';
        const equal = prev?.text === '=' || prev?.text === '==';
        if (prev?.kind === 'op' && !((equal && word !== 'ALL') || (negate && word === 'ALL'))) {
          throw unsupportedConstruct(`${prev.text} ${word}(…) is not supported by doql: it does x = ANY(array) and x <> ALL(array)`);
        }
        if ((equal && word !== 'ALL') || (negate && word === 'ALL')) {
          const close = this.matchParen(callOpen, end);
          if (close > 0) {
            while (out.length && (isSpace(out[out.length - 1]) || out[out.length - 1] === prev)) {
              const popped = out.pop();
              if (popped === prev) break;
            }
            const firstAt = this.nextSig(callOpen + 1, close);
            const first = upper(toks[firstAt]);
            const bracket = first === 'ARRAY' ? toks[firstAt + 1] : undefined;
            if (bracket?.kind === 'quoted' && bracket.text.startsWith('[') && this.nextSig(firstAt + 2, close) < 0) {
              // `x = ANY(ARRAY[1, 2])` is `x IN (1, 2)`: the elements keep their types (and a parameter column
              // still gets its values pushed to the API).
              const inner = new Rewriter(tokenize(bracket.text.slice(1, -1)));
              for (const [k, v] of this.lateral) inner.lateral.set(k, v);
              out.push({ text: ` ${negate ? 'NOT IN' : 'IN'} (${inner.text(0, inner.toks.length)})`, kind: 'atom', columnType: 'BOOLEAN' });
              i = close;
              continue;
            }
            const inner = this.text(callOpen + 1, close);
            // An array parameter arrives as JSON text (src/server/pg-params.ts), a column's array as JSON or Postgres
            // text: pg_unnest reads them all, keeping a JSON element's type (1 stays a number, '1' text).
            // A NULL array makes `x = ANY(arr)` NULL, as an array of one NULL does (a NULL argument would give
            // SQLite's table function no rows at all, and so false).
            const set = first === 'SELECT' || first === 'WITH' ? inner : `SELECT value FROM pg_unnest(coalesce(${inner}, '{NULL}'), ${quoteString(word === 'ALL' ? 'ALL' : 'ANY')})`;
            out.push({ text: ` ${negate ? 'NOT IN' : 'IN'} (${set})`, kind: 'atom', columnType: 'BOOLEAN' });
            i = close;
            continue;
          }
        }
      }
      if (word === 'CAST' && callOpen >= 0) {
        const close = this.matchParen(callOpen, end);
        let as = -1;
        let depth2 = 0;
        for (let j = callOpen + 1; j < close; j++) {
          if (toks[j].text === '(') depth2++;
          else if (toks[j].text === ')') depth2--;
          else if (depth2 === 0 && upper(toks[j]) === 'AS') as = j;
        }
        if (close > 0 && as > 0) {
          const exprPieces = this.rewrite(callOpen + 1, as, undefined);
          const significant = exprPieces.filter((p) => !isSpace(p));
          const literal = significant.length === 1 && (significant[0].literal === true || significant[0].kind === 'string');
          const typeStart = this.nextSig(as + 1, close);
          const { name } = this.readType(typeStart, close);
          out.push(castPiece({ text: exprPieces.map((p) => p.text).join('').trim(), literal }, name));
          i = close;
          continue;
        }
      }
      if (lower === 'extract' && callOpen >= 0) {
        // `extract(year FROM created_at)` → date_part('year', created_at)
        const close = this.matchParen(callOpen, end);
        const f = this.nextSig(callOpen + 1, close);
        const from = f >= 0 ? this.nextSig(f + 1, close) : -1;
        if (close > 0 && f >= 0 && from >= 0 && upper(toks[from]) === 'FROM') {
          const field = toks[f].kind === 'string' ? stringValue(toks[f]) : identValue(toks[f]);
          out.push({ text: `date_part(${quoteString(field.toLowerCase())}, ${this.text(from + 1, close).trim()})`, kind: 'atom', rewritten: true, columnName: 'extract' });
          i = close;
          continue;
        }
      }
      if (lower === 'trim' && callOpen >= 0) {
        const close = this.matchParen(callOpen, end);
        const piece = close > 0 ? this.trimCall(callOpen, close) : undefined;
        if (piece) {
          out.push(piece);
          i = close;
          continue;
        }
      }
      if (RESERVED_LABELS.has(word) && upper(lastSignificant(out)) === 'AS' && clauses[depth] === 'select') {
        out.push({ text: quoteIdent(t.text.toLowerCase()), kind: 'quoted' });
        continue;
      }
      if (TABLE_FUNCTIONS[lower] && callOpen >= 0 && clauses[depth] === 'from') {
        const close = this.matchParen(callOpen, end);
        if (close > 0) {
          i = this.tableFunction(lower, callOpen, close, end, out) - 1;
          continue;
        }
      }
      if (RENAMED_FUNCTIONS[lower] && callOpen >= 0) {
        // Renamed, the call still names its column as Postgres does (`json_agg`, not `json_group_array(name)`).
        out.push({ text: RENAMED_FUNCTIONS[lower], kind: 'word', rewritten: true, columnName: lower });
        continue;
      }
      if (BARE_FUNCTIONS.has(lower) && callOpen < 0 && out[out.length - 1]?.text !== '.') {
        out.push({ text: `${lower}()`, kind: 'atom', columnName: lower });
        continue;
      }
      if (word === 'ILIKE') {
        out.push({ text: 'LIKE', kind: 'word', rewritten: true });
        continue;
      }
      if (word === 'IS') {
        // IS [NOT] DISTINCT FROM → IS NOT / IS (SQLite's IS compares NULLs the same way).
        let j = sig;
        const not = upper(toks[j]) === 'NOT';
        if (not) j = this.nextSig(j + 1, end);
        if (j >= 0 && upper(toks[j]) === 'DISTINCT') {
          const from = this.nextSig(j + 1, end);
          if (from >= 0 && upper(toks[from]) === 'FROM') {
            out.push({ text: not ? 'IS' : 'IS NOT', kind: 'word', rewritten: true });
            i = from;
            continue;
          }
        }
      }

      // Clause tracking: where FROM items and the top-level select list are.
      if (word === 'SELECT') {
        clauses[depth] = 'select';
        out.push({ text: t.text, kind: 'word' });
        if (atTop && items && !collected) {
          collected = true;
          collecting = true;
          let j = sig;
          if (j >= 0 && (upper(toks[j]) === 'DISTINCT' || upper(toks[j]) === 'ALL')) {
            // The list starts after DISTINCT/ALL: copy them now.
            for (let k = i + 1; k <= j; k++) out.push({ text: toks[k].text, kind: toks[k].kind });
            i = j;
          }
          items.push({ start: out.length, end: -1 });
        }
        continue;
      }
      if (FROM_STARTERS.has(word) || (word === 'INTO' && atTop)) {
        if (atTop) endItem();
        clauses[depth] = 'from';
      } else if (CLAUSE_ENDERS.has(word)) {
        if (atTop) endItem();
        clauses[depth] = 'other';
      }
      out.push({ text: t.text, kind: 'word' });
    }
    endOrderItem(0, false);
    endItem();
    return out;
  }

}

/** Functions whose result is a boolean (SQLite's is 1 or 0). */
const BOOLEAN_FUNCTIONS = new Set(['bool_or', 'bool_and', 'every', 'pg_cancel_backend', 'pg_terminate_backend']);

/** Operators and keywords whose result is a boolean, when they stand at the top of a select item. */
const BOOLEAN_OPERATORS = new Set(['=', '==', '<>', '!=', '<', '>', '<=', '>=']);
const BOOLEAN_WORDS = new Set(['AND', 'OR', 'NOT', 'IS', 'IN', 'LIKE', 'REGEXP', 'GLOB', 'BETWEEN', 'EXISTS']);

/** The type an expression's text fixes: a cast's, a true/false literal's, a comparison's (boolean). */
function expressionType(sig: Piece[]): SqlType | undefined {
  if (sig.length === 1 && sig[0].kind === 'atom') return sig[0].columnType;
  if (sig.length === 1 && (upper(sig[0]) === 'TRUE' || upper(sig[0]) === 'FALSE')) return 'BOOLEAN';
  // `pg_cancel_backend(pid) AS ok`: a call of a boolean function, whole.
  if (sig[0]?.kind === 'word' && BOOLEAN_FUNCTIONS.has(sig[0].text.toLowerCase()) && sig[1]?.text === '(' && closesAtEnd(sig, 1)) return 'BOOLEAN';
  let depth = 0;
  for (const p of sig) {
    const w = upper(p);
    if (p.text === '(' || w === 'CASE') depth++;
    else if (p.text === ')' || w === 'END') depth--;
    else if (depth === 0) {
      if (p.kind === 'op' && BOOLEAN_OPERATORS.has(p.text.trim())) return 'BOOLEAN';
      if (p.kind === 'op' && /REGEXP|LIKE/.test(p.text)) return 'BOOLEAN';
      if (p.kind === 'word' && BOOLEAN_WORDS.has(w.split(' ')[0])) return 'BOOLEAN';
      if (p.kind === 'atom' && /^ (NOT )?IN \(/.test(p.text)) return 'BOOLEAN';
    }
  }
  return undefined;
}

/** Whether the `(` at sig[open] closes at the last piece. */
function closesAtEnd(sig: Piece[], open: number): boolean {
  let depth = 0;
  for (let k = open; k < sig.length; k++) {
    if (sig[k].text === '(') depth++;
    else if (sig[k].text === ')' && --depth === 0) return k === sig.length - 1;
  }
  return false;
}

/** Functions whose result is a Postgres type doql holds as text or a number (times, jsonb). */
const FUNCTION_PG_TYPES: Record<string, PgTypeName> = {
  now: 'timestamptz',
  current_timestamp: 'timestamptz',
  statement_timestamp: 'timestamptz',
  transaction_timestamp: 'timestamptz',
  clock_timestamp: 'timestamptz',
  date_trunc: 'timestamptz',
  to_timestamp: 'timestamptz',
  current_date: 'date',
  to_jsonb: 'jsonb',
  jsonb_build_object: 'jsonb',
  jsonb_build_array: 'jsonb',
  jsonb_agg: 'jsonb',
  jsonb_object_agg: 'jsonb',
};

/** The Postgres type an expression's text fixes beyond its SQL type: a cast's, a known function's. */
function expressionPgType(sig: Piece[]): PgTypeName | undefined {
  if (sig.length === 1 && sig[0].kind === 'atom') return sig[0].pgType;
  const first = sig[0];
  const name = (first?.columnName ?? first?.text ?? '').toLowerCase();
  if (sig.length === 1 && first.kind === 'word') return name === 'current_timestamp' || name === 'current_date' ? FUNCTION_PG_TYPES[name] : undefined;
  if (!first || first.kind !== 'word' || sig[1]?.text !== '(' || sig[sig.length - 1].text !== ')') return undefined;
  let depth = 0;
  for (let k = 1; k < sig.length; k++) {
    if (sig[k].text === '(') depth++;
    else if (sig[k].text === ')' && --depth === 0) return k === sig.length - 1 ? FUNCTION_PG_TYPES[name] : undefined;
  }
  return undefined;
}

/**
 * A select item's type (when the text fixes it) and, when it has no alias and SQLite would name it otherwise,
 * the name Postgres gives it: a cast's type (`text`), `?column?` for a rewritten expression, and with
 * `functions` a function call's name (`version`). Other expressions keep SQLite's name.
 */
function analyzeItem(pieces: Piece[], functions: boolean): { name?: string; type?: SqlType; pgType?: PgTypeName; star?: boolean } {
  const info = analyzeItemName(pieces, functions);
  if (info.star) return info;
  const sig = pieces.filter((p) => !isSpace(p));
  let exprEnd = sig.length;
  const last = sig[sig.length - 1];
  if (sig.length >= 2 && (last.kind === 'word' || last.kind === 'quoted') && (!isKeyword(last) || upper(sig[sig.length - 2]) === 'AS')) {
    if (upper(sig[sig.length - 2]) === 'AS') exprEnd -= 2;
    // endsOperand: a name, literal, `)` or the END of a CASE (`CASE … END ord`).
    else if (sig[sig.length - 2].text !== '.' && endsOperand(sig[sig.length - 2])) exprEnd -= 1;
  }
  const pgType = expressionPgType(sig.slice(0, exprEnd));
  return pgType ? { ...info, pgType } : info;
}

function analyzeItemName(pieces: Piece[], functions: boolean): { name?: string; type?: SqlType; star?: boolean } {
  const sig = pieces.filter((p) => !isSpace(p));
  if (sig.length === 0) return {};
  const last = sig[sig.length - 1];
  if (last.text === '*') return { star: true };
  const beforeLast = sig[sig.length - 2];
  let aliasLength = 0;
  // `… AS first`: after AS any word is the alias, keywords too.
  if (sig.length >= 2 && (last.kind === 'word' || last.kind === 'quoted') && (!isKeyword(last) || upper(beforeLast) === 'AS')) {
    if (upper(beforeLast) === 'AS') aliasLength = 2;
    // endsOperand: a name, literal, `)` or the END of a CASE (`CASE … END ord`).
    else if (beforeLast.text !== '.' && endsOperand(beforeLast)) aliasLength = 1;
  }
  const expr = sig.slice(0, sig.length - aliasLength);
  const type = expressionType(expr);
  if (aliasLength) return { type };
  if (expr.length === 1 && expr[0].kind === 'atom') return { name: expr[0].columnName ?? '?column?', type };
  if (expr.length === 1 && expr[0].kind === 'word') {
    return { name: type === 'BOOLEAN' && functions ? 'bool' : undefined, type }; // a column, or true/false
  }
  if (expr.every((p) => p.kind === 'word' || p.kind === 'quoted' || p.text === '.')) return { type }; // a qualified column
  if ((functions || expr[0].columnName) && expr[0].kind === 'word' && expr[1]?.text === '(' && last.text === ')') {
    let depth = 0;
    for (let k = 1; k < expr.length; k++) {
      if (expr[k].text === '(') depth++;
      else if (expr[k].text === ')' && --depth === 0) {
        if (k === expr.length - 1) {
          const name = expr[0].columnName ?? expr[0].text.toLowerCase();
          return { name, type: type ?? (BOOLEAN_FUNCTIONS.has(name) ? 'BOOLEAN' : undefined) };
        }
        break;
      }
    }
  }
  if (expr.some((p) => p.rewritten || p.kind === 'atom')) return { name: '?column?', type };
  if (!functions) return { type };
  // What Postgres calls any other expression: `case`, or `?column?` (a subquery keeps SQLite's name).
  if (upper(expr[0]) === 'CASE' && upper(last) === 'END') return { name: 'case', type };
  if (expr[0].text === '(' && upper(expr[1]) === 'SELECT') return { type };
  return { name: '?column?', type };
}

/**
 * Rewrites one statement's tokens (from src/sql/lexer) for SQLite. `functionNames` names unaliased function
 * calls as Postgres does (`version` rather than `version()`), for queries clients send about the server;
 * `qualify` turns `service.resource` table names into resource names.
 */
export function rewritePostgres(given: Token[], functionNames = false, qualify?: QualifyName): PgRewrite {
  const original = given.map((t) => t.text).join('');
  const tokens = rewriteSelectForms(given);
  const rewriter = new Rewriter(tokens, qualify);
  const items: SelectItem[] = [];
  const pieces = rewriter.rewrite(0, tokens.length, items);
  const columnTypes: (SqlType | undefined)[] = [];
  const pgTypes: (PgTypeName | undefined)[] = [];
  let star = false;
  // Name unnamed columns as Postgres does (`version`, `?column?`), last item first so indices stay valid.
  for (let k = items.length - 1; k >= 0; k--) {
    const item = items[k];
    const end = item.end < 0 ? pieces.length : item.end;
    const info = analyzeItem(pieces.slice(item.start, end), functionNames);
    if (info.star) star = true;
    columnTypes[k] = info.type;
    pgTypes[k] = info.pgType;
    if (info.name) {
      let at = end;
      while (at > item.start && isSpace(pieces[at - 1])) at--;
      pieces.splice(at, 0, { text: ` AS ${quoteIdent(info.name)}`, kind: 'atom' });
    }
  }
  const sql = pieces.map((p) => p.text).join('');
  return { sql, changed: sql !== original, columnTypes: star ? [] : columnTypes, pgTypes: star ? [] : pgTypes };
}
