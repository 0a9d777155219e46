// Rewrites 3-part resource names (`digitalocean.databases.backups`) into quoted SQLite table names,
// `$1` placeholders into SQLite's `?1`, and `param = …` on a param that shares its name with a column
// into the param's hidden column, leaving strings and comments untouched.
import { DoqlError } from '../errors.js';
import { identValue, type Token } from './lexer.js';

export interface Rewritten {
  sql: string;
  /** Resource ids referenced, lower-cased (`digitalocean.databases.backups`). */
  resources: string[];
}

export interface RewriteOptions {
  /** Params of a resource whose name is also a real column; they live in a hidden column `name + suffix`. */
  colliding?: (resourceId: string) => ReadonlySet<string>;
  suffix?: string;
  /**
   * The columns `*` stands for on a resource, when that is not every column of its table (response
   * envelope columns are left out); undefined when `*` may stay as it is.
   */
  starColumns?: (resourceId: string) => readonly string[] | undefined;
  /** A resource's hidden parameter columns and its real columns, to refuse `param = own column`. */
  shape?: (resourceId: string) => { params: ReadonlySet<string>; columns: ReadonlySet<string> } | undefined;
  /** A column's schema type (`array`, `string`, …), to refuse `= ANY(name)` and its kin over a non-array before anything is sent. */
  columnType?: (resourceId: string, column: string) => string | undefined;
}

const PROVIDERS = new Set(['digitalocean']);
/** Words that end a table reference, so they are never taken for an alias. */
const NOT_ALIAS = new Set(
  'WHERE JOIN LEFT RIGHT FULL INNER OUTER CROSS NATURAL ON USING GROUP ORDER LIMIT OFFSET UNION INTERSECT EXCEPT HAVING WINDOW AS SET VALUES RETURNING INDEXED NOT'.split(' '),
);
const FILTER_CLAUSES = new Set(['WHERE', 'ON']);
const OTHER_CLAUSES = new Set(['SELECT', 'FROM', 'JOIN', 'GROUP', 'ORDER', 'HAVING', 'LIMIT', 'WINDOW', 'RETURNING']);

function nameToken(t: Token | undefined): string | undefined {
  if (!t) return undefined;
  if (t.kind === 'word') return t.text;
  if (t.kind === 'quoted') return identValue(t);
  return undefined;
}

interface Piece {
  text: string;
  kind: Token['kind'];
  /** Set on a piece that names a resource table. */
  resource?: string;
}

export function rewriteResourceNames(tokens: Token[], options: RewriteOptions = {}): Rewritten {
  const pieces: Piece[] = [];
  const resources = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const a = nameToken(t);
    // A quoted name that already holds the whole id: "digitalocean.databases.backups".
    if (t.kind === 'quoted' && a && /^[A-Za-z_]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_]+$/.test(a) && PROVIDERS.has(a.split('.')[0].toLowerCase())) {
      const id = a.toLowerCase();
      resources.add(id);
      pieces.push({ text: `"${id}"`, kind: 'quoted', resource: id });
      continue;
    }
    // `digitalocean."databases.backups"`: the name psql and BI tools see in schema digitalocean.
    const b2 = nameToken(tokens[i + 2]);
    if (a && PROVIDERS.has(a.toLowerCase()) && tokens[i + 1]?.text === '.' && tokens[i + 2]?.kind === 'quoted' && b2 && /^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$/.test(b2) && tokens[i - 1]?.text !== '.') {
      const id = `${a}.${b2}`.toLowerCase();
      resources.add(id);
      pieces.push({ text: `"${id}"`, kind: 'quoted', resource: id });
      i += 2;
      continue;
    }
    if (a && PROVIDERS.has(a.toLowerCase()) && tokens[i + 1]?.text === '.' && tokens[i + 3]?.text === '.') {
      const b = nameToken(tokens[i + 2]);
      const c = nameToken(tokens[i + 4]);
      // Only when not preceded by a dot (so `x.digitalocean.a.b` is left alone).
      if (b && c && tokens[i - 1]?.text !== '.') {
        const id = `${a}.${b}.${c}`.toLowerCase();
        resources.add(id);
        pieces.push({ text: `"${id}"`, kind: 'quoted', resource: id });
        i += 4;
        continue;
      }
    }
    if (t.kind === 'param' && /^\$\d+$/.test(t.text)) {
      pieces.push({ text: `?${t.text.slice(1)}`, kind: 'param' });
      continue;
    }
    pieces.push({ text: t.text, kind: t.kind });
  }
  if (options.colliding && resources.size) redirectCollidingParams(pieces, options.colliding, options.suffix ?? '$p');
  if (options.shape && resources.size) {
    quoteReservedColumns(pieces, [...resources], options.shape);
    refuseParamAgainstOwnColumn(pieces, options.shape);
  }
  if (options.columnType && resources.size) refuseNonArrays(pieces, options.columnType);
  if (options.starColumns && resources.size) expandStars(pieces, options.starColumns);
  return { sql: pieces.map((p) => p.text).join(''), resources: [...resources] };
}

/** Table names and aliases (`"digitalocean.x.y" [AS] alias`) → the resource they stand for. */
function aliasMap(sig: Piece[]): Map<string, string> {
  const aliases = new Map<string, string>();
  sig.forEach((p, k) => {
    if (!p.resource) return;
    aliases.set(p.text.toLowerCase(), p.resource);
    let n = sig[k + 1];
    if (n && n.kind === 'word' && n.text.toUpperCase() === 'AS') n = sig[k + 2];
    if (n && (n.kind === 'word' || n.kind === 'quoted') && !NOT_ALIAS.has(n.text.toUpperCase())) {
      aliases.set(identValue({ kind: n.kind, text: n.text, start: 0, end: 0 }).toLowerCase(), p.resource);
    }
  });
  return aliases;
}

/** `q.col = …`, `col IN (…)`, `… = q.col` in WHERE/ON, where col is a colliding param of q's resource → `q."col$p"`. */
function redirectCollidingParams(pieces: Piece[], colliding: (id: string) => ReadonlySet<string>, suffix: string): void {
  const sig = pieces.map((p, i) => ({ p, i })).filter(({ p }) => p.kind !== 'space' && p.kind !== 'comment' && p.kind !== 'hint');
  const aliases = aliasMap(sig.map(({ p }) => p));
  const referenced = sig.flatMap(({ p }) => (p.resource ? [p.resource] : []));
  let clause = '';
  sig.forEach(({ p }, k) => {
    const word = p.kind === 'word' ? p.text.toUpperCase() : '';
    if (FILTER_CLAUSES.has(word)) clause = 'filter';
    else if (OTHER_CLAUSES.has(word)) clause = 'other';
    if (clause !== 'filter' || (p.kind !== 'word' && p.kind !== 'quoted') || p.resource) return;
    const name = identValue({ kind: p.kind, text: p.text, start: 0, end: 0 });
    const next = sig[k + 1]?.p.text.toUpperCase();
    const prev = sig[k - 1]?.p.text;
    const qualified = prev === '.';
    const before = sig[qualified ? k - 3 : k - 1]?.p.text;
    const compared = next === '=' || next === '==' || next === 'IN' || before === '=' || before === '==';
    if (!compared) return;
    let resource: string | undefined;
    if (qualified) {
      const q = sig[k - 2]?.p;
      if (q) resource = aliases.get(identValue({ kind: q.kind, text: q.text, start: 0, end: 0 }).toLowerCase()) ?? aliases.get(q.text.toLowerCase());
    } else {
      const owners = [...new Set(referenced)].filter((r) => colliding(r).has(name));
      if (owners.length === 1) resource = owners[0];
    }
    if (resource && colliding(resource).has(name)) p.text = `"${name}${suffix}"`;
  });
}

/**
 * `WHERE droplet_id = id`: a parameter compared with a column of its own table can never be given to the
 * API (the value is only known after the call), and SQLite would quietly answer with no rows.
 */
function refuseParamAgainstOwnColumn(
  pieces: Piece[],
  shape: (id: string) => { params: ReadonlySet<string>; columns: ReadonlySet<string> } | undefined,
): void {
  const sig = pieces.filter((p) => p.kind !== 'space' && p.kind !== 'comment' && p.kind !== 'hint');
  const aliases = aliasMap(sig);
  const references = sig.filter((p) => p.resource);
  // With one table reference an unqualified name is its column; with several (self-joins too) only a
  // qualifier tells which reference a name belongs to.
  const only = references.length === 1 ? references[0].text.toLowerCase() : undefined;
  const name = (p: Piece): string => identValue({ kind: p.kind, text: p.text, start: 0, end: 0 });
  const isName = (p: Piece | undefined): p is Piece => !!p && (p.kind === 'word' || p.kind === 'quoted') && !p.resource;
  /** `[q .] col` ending (backwards) or starting (forwards) at k: which table reference, and the column. */
  const operand = (k: number, forward: boolean): { ref?: string; name: string } | undefined => {
    if (forward) {
      const q = sig[k];
      if (sig[k + 1]?.text === '.' && isName(sig[k + 2]) && q) return { ref: name(q).toLowerCase(), name: name(sig[k + 2]) };
      return isName(q) ? { ref: only, name: name(q) } : undefined;
    }
    const c = sig[k];
    if (!isName(c)) return undefined;
    if (sig[k - 1]?.text === '.' && sig[k - 2]) return { ref: name(sig[k - 2]).toLowerCase(), name: name(c) };
    return { ref: only, name: name(c) };
  };
  sig.forEach((p, k) => {
    if (p.text !== '=' && p.text !== '==') return;
    const left = operand(k - 1, false);
    const right = operand(k + 1, true);
    if (!left?.ref || !right?.ref || left.ref !== right.ref) return;
    const resource = aliases.get(left.ref);
    const s = resource ? shape(resource) : undefined;
    if (!s) return;
    for (const [a, b] of [
      [left, right],
      [right, left],
    ] as const) {
      if (s.params.has(a.name) && s.columns.has(b.name)) {
        throw new DoqlError('validation', `${a.name} is a parameter of ${resource}'s API call and ${b.name} one of its own columns: the parameter needs a value (= 'x', IN (…)) or a column of another table`, { sqlState: '42P10' });
      }
    }
  });
}

/**
 * SQL keywords that never start anything in a SELECT but are column names (`default` of vpcs, `check` of
 * uptime alerts): StackQL's docs write `SELECT id, name, default FROM digitalocean.vpcs.vpcs`.
 */
const RESERVED_COLUMN_WORDS = new Set(['DEFAULT', 'CHECK', 'PRIMARY', 'REFERENCES', 'CONSTRAINT', 'FOREIGN', 'UNIQUE', 'AUTOINCREMENT']);

/** Quotes such a word where a resource the statement reads has a column of that name. */
function quoteReservedColumns(pieces: Piece[], resources: string[], shape: (id: string) => { columns: ReadonlySet<string> } | undefined): void {
  for (const p of pieces) {
    if (p.kind !== 'word' || !RESERVED_COLUMN_WORDS.has(p.text.toUpperCase())) continue;
    const name = p.text.toLowerCase();
    if (resources.some((id) => shape(id)?.columns.has(name))) p.text = `"${name}"`;
  }
}

/** Functions (and the rewriter's pg_unnest, for ANY/ALL) that read their first argument as an array. */
const ARRAY_READERS = new Set(['pg_unnest', 'array_length', 'array_upper', 'array_lower', 'cardinality', 'array_to_string']);

/**
 * `'x' = ANY(name)`, `array_length(name, 1)`, `unnest(name)` where name is a column that is not an array:
 * Postgres refuses the query, and so does doql — before sending anything, naming the construct.
 */
function refuseNonArrays(pieces: Piece[], columnType: (id: string, column: string) => string | undefined): void {
  const sig = pieces.filter((p) => p.kind !== 'space' && p.kind !== 'comment' && p.kind !== 'hint');
  const aliases = aliasMap(sig);
  const referenced = [...new Set(sig.flatMap((p) => (p.resource ? [p.resource] : [])))];
  const name = (p: Piece): string => identValue({ kind: p.kind, text: p.text, start: 0, end: 0 });
  sig.forEach((p, k) => {
    if (p.kind !== 'word' || !ARRAY_READERS.has(p.text.toLowerCase()) || sig[k + 1]?.text !== '(') return;
    // ANY's array arrives as pg_unnest(coalesce(arr, '{NULL}'), 'ANY').
    const base = sig[k + 2]?.text.toLowerCase() === 'coalesce' && sig[k + 3]?.text === '(' ? k + 4 : k + 2;
    const qualified = sig[base + 1]?.text === '.';
    const colPiece = qualified ? sig[base + 2] : sig[base];
    const after = sig[qualified ? base + 3 : base + 1];
    if (!colPiece || (colPiece.kind !== 'word' && colPiece.kind !== 'quoted') || (after?.text !== ',' && after?.text !== ')')) return;
    const column = name(colPiece);
    const owners = qualified ? [aliases.get(name(sig[base]).toLowerCase())].filter((r): r is string => !!r) : referenced;
    const types = owners.map((r) => columnType(r, column)).filter((t): t is string => t !== undefined);
    if (types.length === 0 || types.includes('array')) return;
    const fn = p.text.toLowerCase();
    let close = k + 1;
    for (let depth = 0; close < sig.length; close++) {
      if (sig[close].text === '(') depth++;
      else if (sig[close].text === ')' && --depth === 0) break;
    }
    const flavour = sig[close - 1];
    const what = fn === 'pg_unnest' ? (flavour?.kind === 'string' && /^'(ANY|ALL)'$/.test(flavour.text) ? `${flavour.text.slice(1, -1)}(${column})` : `unnest(${column})`) : `${fn}(${column})`;
    throw new DoqlError('validation', `${what}: ${column} is a${types[0] === 'integer' || types[0] === 'object' ? 'n' : ''} ${types[0]} column, not an array`, {
      sqlState: '42809',
      hint: 'ANY, ALL, unnest, array_length and cardinality read array columns such as tags; for JSON inside an object use -> and jsonb_array_elements_text',
    });
  });
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const FROM_END = new Set(['WHERE', 'GROUP', 'ORDER', 'LIMIT', 'HAVING', 'WINDOW', 'UNION', 'INTERSECT', 'EXCEPT', 'RETURNING']);

/**
 * `SELECT *` over one resource, and `alias.*`, list the resource's own columns, so that the response
 * envelope columns (kept for StackQL's whole-body queries) only appear when named.
 */
function expandStars(pieces: Piece[], starColumns: (id: string) => readonly string[] | undefined): void {
  const sig = pieces.filter((p) => p.kind !== 'space' && p.kind !== 'comment' && p.kind !== 'hint');
  const aliases = aliasMap(sig);
  sig.forEach((p, k) => {
    if (p.text !== '*' || p.kind !== 'op') return;
    const prev = sig[k - 1];
    if (prev?.text === '.') {
      const q = sig[k - 2];
      if (!q) return;
      const qName = q.resource ?? identValue({ kind: q.kind, text: q.text, start: 0, end: 0 }).toLowerCase();
      const resource = q.resource ?? aliases.get(qName);
      const cols = resource ? starColumns(resource) : undefined;
      if (cols?.length) p.text = cols.map((c, i) => (i === 0 ? quote(c) : `${q.text}.${quote(c)}`)).join(', ');
      return;
    }
    const before = prev?.kind === 'word' ? prev.text.toUpperCase() : '';
    if (before !== 'SELECT' && before !== 'DISTINCT' && before !== 'ALL') return;
    // The FROM of this SELECT: the next FROM at the same depth; it must name exactly one resource.
    let depth = 0;
    let j = k + 1;
    for (; j < sig.length; j++) {
      const t = sig[j].text;
      if (t === '(') depth++;
      else if (t === ')') {
        if (depth === 0) return;
        depth--;
      } else if (depth === 0 && sig[j].kind === 'word' && t.toUpperCase() === 'FROM') break;
    }
    const items: Piece[] = [];
    for (let m = j + 1; m < sig.length; m++) {
      const t = sig[m];
      const w = t.kind === 'word' ? t.text.toUpperCase() : '';
      if (t.text === ')' || t.text === ';' || FROM_END.has(w)) break;
      items.push(t);
    }
    const tables = items.filter((t) => t.resource);
    const joined = items.some((t) => t.text === ',' || t.text === '(' || (t.kind === 'word' && t.text.toUpperCase() === 'JOIN'));
    if (tables.length !== 1 || joined) return;
    const cols = starColumns(tables[0].resource!);
    if (cols?.length) p.text = cols.map(quote).join(', ');
  });
}
