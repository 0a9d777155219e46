// Two Postgres SELECT forms SQLite has no equivalent for, rewritten into ones it has before the Postgres
// rewriter (engine/pg-catalog-rewrite.ts) sees the statement:
//
//   SELECT DISTINCT ON (k) a, b FROM t ORDER BY k, c
//     → SELECT "_pg_c1" AS a, … FROM (SELECT a AS "_pg_c1", …, row_number() OVER (PARTITION BY k ORDER BY k, c)
//         AS "_pg_rn", k AS "_pg_o1", c AS "_pg_o2" FROM t) AS "_pg_distinct" WHERE "_pg_rn" = 1 ORDER BY "_pg_o1", "_pg_o2"
//   SELECT name, unnest(tags) FROM t            (a set-returning function in the select list)
//     → SELECT name, "_pg_srf1".value AS unnest FROM t, pg_unnest(tags) AS "_pg_srf1"
//   SELECT unnest(ix.indkey), generate_subscripts(ix.indkey, 1) FROM pg_index ix   (one array: one join)
//     → SELECT "_pg_srf1".value AS unnest, CASE WHEN CAST(1 AS INTEGER) = 1 THEN "_pg_srf1".ordinality END
//         AS generate_subscripts FROM pg_index ix, pg_unnest(ix.indkey) AS "_pg_srf1"
//
// Both work on the tokens and keep the text between them, so everything else reaches the rewriter unchanged.
// A form they cannot translate exactly is an error naming it.
import { DoqlError } from '../errors.js';
import { identValue, tokenize, type Token } from './lexer.js';

const isSpace = (t: Token | undefined): boolean => t !== undefined && (t.kind === 'space' || t.kind === 'comment');
const upper = (t: Token | undefined): string => (t?.kind === 'word' ? t.text.toUpperCase() : '');
const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

const unsupported = (message: string): DoqlError => new DoqlError('validation', message, { sqlState: '0A000' });

/** Words that end a select list, or the FROM clause, at their depth. */
const AFTER_FROM = new Set(['WHERE', 'GROUP', 'HAVING', 'WINDOW', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'UNION', 'INTERSECT', 'EXCEPT', 'RETURNING']);
const SET_OPERATORS = new Set(['UNION', 'INTERSECT', 'EXCEPT']);
const NOT_ALIAS = new Set(
  'FROM WHERE AND OR NOT IS NULL END ASC DESC THEN ELSE WHEN CASE AS IN LIKE ILIKE BETWEEN DISTINCT ALL ON OVER FILTER TRUE FALSE'.split(' '),
);
const AGGREGATES = new Set(
  'count sum avg min max total group_concat string_agg array_agg json_agg jsonb_agg json_group_array json_group_object json_object_agg jsonb_object_agg bool_or bool_and every percentile_cont percentile_disc mode'.split(' '),
);
/**
 * Set-returning functions a select list may call: the table function each becomes and the column read.
 * Calls over one array share one join, so that unnest(a) and generate_subscripts(a, 1) pair up as in Postgres.
 */
const SET_RETURNING: Record<string, { table: string; column: string; arrayArg?: true }> = {
  unnest: { table: 'pg_unnest', column: 'value', arrayArg: true },
  generate_subscripts: { table: 'pg_unnest', column: 'ordinality', arrayArg: true },
  generate_series: { table: 'pg_series', column: 'value' },
  json_array_elements: { table: 'json_each', column: 'value' },
  jsonb_array_elements: { table: 'json_each', column: 'value' },
  json_array_elements_text: { table: 'json_each', column: 'value' },
  jsonb_array_elements_text: { table: 'json_each', column: 'value' },
};
const isSetReturning = (name: string): boolean => Object.hasOwn(SET_RETURNING, name);

/** A SELECT's parts, as token index ranges [start, end) of the statement's tokens, all at the SELECT's depth. */
interface SelectShape {
  select: number;
  /** The select list (after DISTINCT [ON (…)] / ALL). */
  list: [number, number];
  items: [number, number][];
  /** The FROM clause's items, when there is one. */
  from?: [number, number];
  /** The ORDER BY list, when there is one (`order[0]` is after BY). */
  order?: [number, number];
  orderKeyword?: number;
  /** LIMIT, OFFSET or FETCH, the first of them. */
  limit?: number;
  /** The end of the SELECT: a `)` closing its depth, `;`, or the end. */
  end: number;
  /** Words seen at the SELECT's depth (GROUP, HAVING, UNION…). */
  words: Set<string>;
}

class Tokens {
  constructor(readonly toks: Token[]) {}

  text(a: number, b: number): string {
    return this.toks
      .slice(a, b)
      .map((t) => t.text)
      .join('');
  }

  /** The next significant token's index at or after i (before end), or -1. */
  next(i: number, end = this.toks.length): number {
    let j = i;
    while (j < end && isSpace(this.toks[j])) j++;
    return j < end ? j : -1;
  }

  /** The `)` matching the `(` at i, or -1. */
  close(i: number): number {
    let depth = 0;
    for (let j = i; j < this.toks.length; j++) {
      const t = this.toks[j];
      if (t.kind !== 'punct') continue;
      if (t.text === '(') depth++;
      else if (t.text === ')' && --depth === 0) return j;
    }
    return -1;
  }

  /** Splits [a, b) at commas of its own depth; each part trimmed of space tokens. */
  split(a: number, b: number): [number, number][] {
    const parts: [number, number][] = [];
    let depth = 0;
    let start = a;
    for (let j = a; j < b; j++) {
      const t = this.toks[j];
      if (t.text === '(' && t.kind === 'punct') depth++;
      else if (t.text === ')' && t.kind === 'punct') depth--;
      else if (t.text === ',' && t.kind === 'punct' && depth === 0) {
        parts.push(this.trim(start, j));
        start = j + 1;
      }
    }
    parts.push(this.trim(start, b));
    return parts;
  }

  trim(a: number, b: number): [number, number] {
    let s = a;
    let e = b;
    while (s < e && isSpace(this.toks[s])) s++;
    while (e > s && isSpace(this.toks[e - 1])) e--;
    return [s, e];
  }

  shape(select: number): SelectShape {
    const toks = this.toks;
    let listStart = select + 1;
    const first = this.next(listStart);
    const w = upper(toks[first]);
    if (w === 'ALL') listStart = first + 1;
    else if (w === 'DISTINCT') {
      listStart = first + 1;
      const on = this.next(listStart);
      if (upper(toks[on]) === 'ON') {
        const open = this.next(on + 1);
        listStart = this.close(open) + 1;
      }
    }
    const words = new Set<string>();
    const marks: { word: string; at: number }[] = [];
    let depth = 0;
    let end = toks.length;
    for (let j = listStart; j < toks.length; j++) {
      const t = toks[j];
      if (t.kind === 'punct' && t.text === '(') depth++;
      else if (t.kind === 'punct' && t.text === ')') {
        if (depth === 0) {
          end = j;
          break;
        }
        depth--;
      } else if (t.kind === 'punct' && t.text === ';' && depth === 0) {
        end = j;
        break;
      } else if (depth === 0 && t.kind === 'word') {
        const u = t.text.toUpperCase();
        words.add(u);
        if (u === 'FROM' || AFTER_FROM.has(u)) marks.push({ word: u, at: j });
      }
    }
    const fromMark = marks.find((m) => m.word === 'FROM');
    const firstAfter = (after: number): number => marks.find((m) => m.at > after && AFTER_FROM.has(m.word))?.at ?? end;
    const listEnd = fromMark ? fromMark.at : firstAfter(listStart);
    const shape: SelectShape = { select, list: this.trim(listStart, listEnd), items: [], end, words };
    shape.items = this.split(shape.list[0], shape.list[1]);
    if (fromMark) shape.from = this.trim(fromMark.at + 1, firstAfter(fromMark.at));
    shape.limit = marks.find((m) => ['LIMIT', 'OFFSET', 'FETCH'].includes(m.word))?.at;
    const orderMark = marks.find((m) => m.word === 'ORDER');
    if (orderMark) {
      const by = this.next(orderMark.at + 1);
      const stop = marks.find((m) => m.at > by && ['LIMIT', 'OFFSET', 'FETCH'].includes(m.word))?.at ?? end;
      shape.order = this.trim(by + 1, stop);
      shape.orderKeyword = orderMark.at;
    }
    return shape;
  }

  /** An item's expression and alias: `expr [AS] alias`. */
  item([a, b]: [number, number]): { expr: [number, number]; alias?: string } {
    const last = b - 1;
    const t = this.toks[last];
    if (t && (t.kind === 'quoted' || (t.kind === 'word' && !NOT_ALIAS.has(t.text.toUpperCase())))) {
      let k = last - 1;
      while (k > a && isSpace(this.toks[k])) k--;
      const before = k >= a ? this.toks[k] : undefined;
      if (upper(before) === 'AS') return { expr: this.trim(a, k), alias: identValue(t) };
      // `expr alias` without AS: a space between an operand's end and the name.
      const endsOperand = before !== undefined && (before.text === ')' || before.kind === 'string' || before.kind === 'number' || before.kind === 'quoted' || (before.kind === 'word' && !NOT_ALIAS.has(before.text.toUpperCase())));
      if (endsOperand && k < last - 1) return { expr: this.trim(a, k + 1), alias: identValue(t) };
    }
    return { expr: [a, b] };
  }

  /** The name Postgres gives an unaliased expression: a column's name, a function's, `case`, or `?column?`. */
  pgName([a, b]: [number, number]): string {
    const sig = this.toks.slice(a, b).filter((t) => !isSpace(t));
    const lastTok = sig[sig.length - 1];
    if (sig.every((t) => t.kind === 'word' || t.kind === 'quoted' || t.text === '.') && lastTok) {
      return lastTok.kind === 'quoted' ? identValue(lastTok) : lastTok.text.toLowerCase();
    }
    if (upper(sig[0]) === 'CASE') return 'case';
    if ((sig[0]?.kind === 'word' || sig[0]?.kind === 'quoted') && sig[1]?.text === '(') {
      const open = a + this.toks.slice(a, b).findIndex((t) => t.text === '(');
      if (this.close(open) === b - 1) return sig[0].kind === 'quoted' ? identValue(sig[0]) : sig[0].text.toLowerCase();
    }
    return '?column?';
  }

  /** Significant text of a range, for comparing expressions (`d.name` written twice). */
  normal([a, b]: [number, number]): string {
    return this.toks
      .slice(a, b)
      .filter((t) => !isSpace(t))
      .map((t) => (t.kind === 'word' ? t.text.toLowerCase() : t.text))
      .join(' ');
  }
}

/** `SELECT DISTINCT ON (…)`: the first row of each group in ORDER BY order, through row_number(). */
function distinctOn(tk: Tokens, select: number): string {
  const toks = tk.toks;
  const s = tk.shape(select);
  for (const w of SET_OPERATORS) if (s.words.has(w)) throw unsupported(`DISTINCT ON in a ${w} is not supported by doql: put the DISTINCT ON select in a subquery`);
  const on = tk.next(tk.next(tk.next(select + 1) + 1) + 1);
  const onClose = tk.close(on);
  const items = s.items.map((r) => tk.item(r));
  if (items.some((it) => /(^|\.)\*$/.test(tk.text(...it.expr).trim()))) {
    throw unsupported('DISTINCT ON with * is not supported by doql: name the columns');
  }
  // ORDER BY and DISTINCT ON name an output column by position or alias, as in Postgres.
  const resolve = (r: [number, number]): string => {
    const text = tk.text(...r).trim();
    if (/^\d+$/.test(text)) {
      const item = items[Number(text) - 1];
      if (!item) throw new DoqlError('validation', `${text} is not in select list`, { sqlState: '42P10' });
      return tk.text(...item.expr);
    }
    const only = r[1] - r[0] === 1 ? toks[r[0]] : undefined;
    if (only && (only.kind === 'word' || only.kind === 'quoted')) {
      const name = identValue(only);
      const item = items.find((it) => it.alias !== undefined && (only.kind === 'quoted' ? it.alias === name : it.alias.toLowerCase() === name.toLowerCase()));
      if (item) return tk.text(...item.expr);
    }
    return text;
  };
  const normalOf = (text: string): string => new Tokens(tokenize(text)).normal([0, tokenize(text).length]);
  const keys = tk.split(on + 1, onClose).map(resolve);
  const orders = (s.order ? tk.split(...s.order) : []).map((r) => {
    // `expr [ASC|DESC] [NULLS FIRST|LAST]`: the modifiers are the trailing words.
    let e = r[1];
    const mods: string[] = [];
    for (;;) {
      let k = e - 1;
      while (k > r[0] && isSpace(toks[k])) k--;
      const u = upper(toks[k]);
      if (!['ASC', 'DESC', 'NULLS', 'FIRST', 'LAST'].includes(u) || k <= r[0]) break;
      mods.unshift(toks[k].text);
      e = k;
    }
    return { expr: resolve(tk.trim(r[0], e)), mods: mods.join(' ') };
  });
  if (orders.length) {
    const matches = keys.every((k, i) => orders[i] !== undefined && normalOf(orders[i].expr) === normalOf(k));
    if (!matches) throw new DoqlError('validation', 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions', { sqlState: '42P10' });
  }
  const inner = items.map((it, i) => `${tk.text(...it.expr)} AS "_pg_c${i + 1}"`);
  const window = `row_number() OVER (PARTITION BY ${keys.join(', ')}${orders.length ? ` ORDER BY ${orders.map((o) => `${o.expr} ${o.mods}`.trim()).join(', ')}` : ''}) AS "_pg_rn"`;
  const hidden = orders.map((o, i) => `${o.expr} AS "_pg_o${i + 1}"`);
  const outer = items.map((it, i) => `"_pg_c${i + 1}" AS ${quoteIdent(it.alias ?? tk.pgName(it.expr))}`);
  const middleEnd = s.orderKeyword ?? s.limit ?? s.end;
  const middle = s.from ? ` FROM ${tk.text(s.from[0], middleEnd)}` : ` ${tk.text(s.list[1], middleEnd)}`;
  const tail = s.limit !== undefined ? ` ${tk.text(s.limit, s.end).trim()}` : '';
  const orderBy = orders.length ? ` ORDER BY ${orders.map((o, i) => `"_pg_o${i + 1}" ${o.mods}`.trim()).join(', ')}` : '';
  const rewritten = `SELECT ${outer.join(', ')} FROM (SELECT ${[...inner, window, ...hidden].join(', ')}${middle.trimEnd()}) AS "_pg_distinct" WHERE "_pg_rn" = 1${orderBy}${tail}`;
  return tk.text(0, select) + rewritten + tk.text(s.end, toks.length);
}

/** A set-returning function (unnest, generate_series) in a select list: a table function joined to the FROM. */
function selectListFunction(tk: Tokens, select: number, counter: { n: number }): string | undefined {
  const toks = tk.toks;
  const s = tk.shape(select);
  const calls: { item: number; name: string; start: number; close: number }[] = [];
  s.items.forEach(([a, b], item) => {
    for (let j = a; j < b; j++) {
      const t = toks[j];
      if (t.kind === 'punct' && t.text === '(' && upper(toks[tk.next(j + 1)]) === 'SELECT') {
        j = tk.close(j); // a subquery's select list is its own
        if (j < 0) return;
        continue;
      }
      if (t.kind !== 'word' || !isSetReturning(t.text.toLowerCase()) || toks[j - 1]?.text === '.') continue;
      const open = tk.next(j + 1, b);
      if (open < 0 || toks[open].text !== '(') continue;
      const close = tk.close(open);
      if (close < 0) return; // unbalanced: SQLite reports it
      calls.push({ item, name: t.text.toLowerCase(), start: j, close });
      j = close;
    }
  });
  if (calls.length === 0) return undefined;
  // Each call's join: the table function over its arguments (an array function's array alone).
  const joined = calls.map((c) => {
    const open = tk.next(c.start + 1);
    const args = tk.split(open + 1, c.close);
    const srf = SET_RETURNING[c.name];
    if (c.name === 'unnest' && args.length > 1) throw unsupported('unnest with several arrays is not supported by doql');
    const joinArgs = srf.arrayArg ? args.slice(0, 1) : args;
    const key = `${srf.table}(${joinArgs.map((r) => tk.normal(r)).join(', ')})`;
    return { ...c, srf, key, join: `${srf.table}(${joinArgs.map((r) => tk.text(...r)).join(', ')})`, dim: srf.arrayArg && args.length > 1 ? tk.text(...args[1]) : undefined };
  });
  const what = [...new Set(calls.map((c) => c.name))].join(' and ');
  // Postgres runs several set-returning functions side by side; doql only those over one array (one join).
  if (new Set(joined.map((c) => c.key)).size > 1) throw unsupported(`${what} together in one select list are not supported by doql: put one of them in FROM (… , unnest(tags) AS t)`);
  const grouped = ['GROUP', 'HAVING', 'DISTINCT', 'WINDOW'].some((w) => s.words.has(w)) || upper(toks[tk.next(select + 1)]) === 'DISTINCT';
  const aggregated = s.items.some(([a, b]) =>
    toks.slice(a, b).some((t, k) => t.kind === 'word' && (AGGREGATES.has(t.text.toLowerCase()) || upper(t) === 'OVER') && toks[tk.next(a + k + 1)]?.text === '(' ),
  );
  if (grouped || aggregated) throw unsupported(`${what} in a select list with GROUP BY, DISTINCT, aggregates or windows is not supported by doql: put it in FROM (… , unnest(tags) AS t)`);
  const alias = `"_pg_srf${++counter.n}"`;
  let listText = '';
  let at = s.list[0];
  for (const c of joined) {
    const [a, b] = s.items[c.item];
    const item = tk.item([a, b]);
    // The bare call keeps the name Postgres gives it; inside an expression the expression names the column.
    const bare = item.expr[0] === c.start && item.expr[1] === c.close + 1;
    // generate_subscripts(a, dim): arrays here have one dimension. The dimension stays in the text, since a
    // `$n` that vanished would leave a gap in the parameters SQLite is given.
    const value = c.dim !== undefined ? `CASE WHEN CAST(${c.dim} AS INTEGER) = 1 THEN ${alias}.${c.srf.column} END` : `${alias}.${c.srf.column}`;
    listText += `${tk.text(at, c.start)}${value}`;
    at = c.close + 1;
    if (bare && item.alias === undefined) {
      listText += `${tk.text(at, b)} AS ${c.name}`;
      at = b;
    }
  }
  listText += tk.text(at, s.list[1]);
  const join = `${joined[0].join} AS ${alias}`;
  if (s.from) {
    return `${tk.text(0, s.list[0])}${listText}${tk.text(s.list[1], s.from[1])}, ${join}${tk.text(s.from[1], toks.length)}`;
  }
  return `${tk.text(0, s.list[0])}${listText} FROM ${join}${tk.text(s.list[1], toks.length)}`;
}

/** Rewrites the statement's DISTINCT ON selects and select-list unnest/generate_series; the tokens as they are otherwise. */
export function rewriteSelectForms(tokens: Token[]): Token[] {
  const wanted = (toks: Token[]): boolean =>
    toks.some((t, i) => t.kind === 'word' && ((upper(t) === 'DISTINCT' && upper(toks[new Tokens(toks).next(i + 1)]) === 'ON') || isSetReturning(t.text.toLowerCase())));
  if (!wanted(tokens)) return tokens;
  let toks = tokens;
  const counter = { n: 0 };
  for (let round = 0; round < 32; round++) {
    const tk = new Tokens(toks);
    let changed: string | undefined;
    for (let i = 0; i < toks.length && changed === undefined; i++) {
      if (upper(toks[i]) !== 'SELECT') continue;
      const d = tk.next(i + 1);
      if (upper(toks[d]) === 'DISTINCT' && upper(toks[tk.next(d + 1)]) === 'ON' && toks[tk.next(tk.next(d + 1) + 1)]?.text === '(') {
        changed = distinctOn(tk, i);
      } else {
        changed = selectListFunction(tk, i, counter);
      }
    }
    if (changed === undefined) return toks;
    toks = tokenize(changed);
  }
  return toks;
}
