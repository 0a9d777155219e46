// Parses doql's mutations in StackQL's syntax: INSERT … SELECT|VALUES [RETURNING], UPDATE/REPLACE … SET … WHERE,
// DELETE FROM … WHERE, EXEC svc.res.method @p='v' @@json='…', with /*+ AWAIT */ and /*+ SHOWRESULTS */ hints.
import { identValue, isWord, significant, stringValue, syntaxError, type Token } from './lexer.js';

export interface Hints {
  await: boolean;
  showResults: boolean;
}

/** One `name = literal` (or `name IN (…)`) conjunct of a WHERE, when it is that simple. */
export interface Equality {
  column: string;
  values: (string | number | null)[];
}

export interface WhereClause {
  /** The WHERE's text, for running it through SQLite. */
  text: string;
  equalities: Equality[];
  /** Each top-level AND-ed condition's text, with the column it pins when it is a plain equality. */
  conjuncts: { text: string; column?: string }[];
  /** True when every conjunct is a plain equality (then no select is needed to find the rows). */
  allEqualities: boolean;
}

export type Mutation =
  | { verb: 'insert'; hints: Hints; resource: string; columns: string[]; source: string; returning?: string }
  | { verb: 'update' | 'replace'; hints: Hints; resource: string; set: { column: string; expr: string }[]; where?: WhereClause; returning?: string }
  | { verb: 'delete'; hints: Hints; resource: string; where?: WhereClause; returning?: string }
  | { verb: 'exec'; hints: Hints; method: string; args: Record<string, string>; json?: string; returning?: string };

function hintsOf(tokens: Token[]): Hints {
  const hints = tokens.filter((t) => t.kind === 'hint').map((t) => t.text.toUpperCase());
  return { await: hints.some((h) => /\bAWAIT\b/.test(h)), showResults: hints.some((h) => /\bSHOWRESULTS\b/.test(h)) };
}

function literalValue(t: Token | undefined): string | number | null | undefined {
  if (!t) return undefined;
  if (t.kind === 'string') return stringValue(t);
  if (t.kind === 'number') return Number(t.text);
  if (isWord(t, 'NULL')) return null;
  if (isWord(t, 'TRUE')) return 'true';
  if (isWord(t, 'FALSE')) return 'false';
  return undefined;
}

/** Each token's bracket depth (0 = the statement's own level), so that a subquery's words are never the statement's. */
function depths(toks: Token[]): number[] {
  let depth = 0;
  return toks.map((t) => {
    if (t.kind === 'punct' && t.text === ')') depth = Math.max(0, depth - 1);
    const d = depth;
    if (t.kind === 'punct' && t.text === '(') depth++;
    return d;
  });
}

/** Index of the first token from `from` on that is at the top level and matches. */
function findTop(toks: Token[], from: number, match: (t: Token) => boolean): number {
  const d = depths(toks);
  for (let i = from; i < toks.length; i++) if (d[i] === 0 && match(toks[i])) return i;
  return -1;
}

/** Splits tokens on a top-level separator (AND, `,`). */
function splitTop(toks: Token[], isSeparator: (t: Token) => boolean): Token[][] {
  const d = depths(toks);
  const out: Token[][] = [[]];
  toks.forEach((t, i) => {
    if (d[i] === 0 && isSeparator(t)) out.push([]);
    else out[out.length - 1].push(t);
  });
  return out;
}

/** Splits significant tokens on top-level AND. */
function conjuncts(toks: Token[]): Token[][] {
  return splitTop(toks, (t) => isWord(t, 'AND')).filter((c) => c.length);
}

function columnName(toks: Token[]): string | undefined {
  // `col` or `alias.col`
  if (toks.length === 1 && (toks[0].kind === 'word' || toks[0].kind === 'quoted')) return identValue(toks[0]);
  if (toks.length === 3 && toks[1].text === '.') return identValue(toks[2]);
  return undefined;
}

export function parseWhere(text: string, toks: Token[]): WhereClause {
  const equalities: Equality[] = [];
  const parts: { text: string; column?: string }[] = [];
  let all = !toks.some((t) => isWord(t, 'OR', 'NOT'));
  for (const c of conjuncts(toks)) {
    parts.push({ text: text.slice(c[0].start, c[c.length - 1].end) });
    const eq = findTop(c, 0, (t) => t.kind === 'op' && (t.text === '=' || t.text === '=='));
    if (eq > 0 && c.length === eq + 2) {
      const col = columnName(c.slice(0, eq));
      const val = literalValue(c[eq + 1]);
      if (col && val !== undefined) {
        equalities.push({ column: col, values: [val] });
        parts[parts.length - 1].column = col;
        continue;
      }
    }
    const inIdx = findTop(c, 0, (t) => isWord(t, 'IN'));
    if (inIdx > 0 && c[inIdx + 1]?.text === '(' && c[c.length - 1].text === ')') {
      const col = columnName(c.slice(0, inIdx));
      const inner = c.slice(inIdx + 2, -1).filter((t) => t.text !== ',');
      const vals = inner.map(literalValue);
      if (col && vals.length && vals.every((v) => v !== undefined)) {
        equalities.push({ column: col, values: vals as (string | number | null)[] });
        all = false; // several values: rows are found by a select, one request each
        continue;
      }
    }
    all = false;
  }
  const start = toks[0]?.start ?? 0;
  const end = toks[toks.length - 1]?.end ?? 0;
  return { text: text.slice(start, end), equalities, conjuncts: parts, allEqualities: all };
}

function dotted(toks: Token[], i: number): { name: string; next: number } | undefined {
  const parts: string[] = [];
  let j = i;
  while (toks[j] && (toks[j].kind === 'word' || toks[j].kind === 'quoted')) {
    parts.push(identValue(toks[j]));
    j++;
    if (toks[j]?.text === '.') j++;
    else break;
  }
  return parts.length ? { name: parts.join('.').toLowerCase(), next: j } : undefined;
}

export function parseMutation(text: string, tokens: Token[]): Mutation {
  const hints = hintsOf(tokens);
  const toks = significant(tokens).filter((t) => t.kind !== 'hint');
  const fail = (t: Token | undefined, msg: string): never => {
    throw syntaxError(text, t ? t.start : text.length, msg);
  };
  const verb = toks[0].text.toLowerCase();
  const returningAt = findTop(toks, 1, (t) => isWord(t, 'RETURNING'));
  const returning = returningAt > 0 ? text.slice(toks[returningAt + 1]?.start ?? text.length).trim() : undefined;
  if (returningAt > 0 && !returning) fail(toks[returningAt], 'RETURNING needs * or column names');
  const body = returningAt > 0 ? toks.slice(0, returningAt) : toks;

  if (verb === 'exec') {
    const n = dotted(body, 1);
    if (!n || n.name.split('.').length < 4) fail(body[1], 'EXEC needs provider.service.resource.method, e.g. EXEC digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id = 1');
    const args: Record<string, string> = {};
    let json: string | undefined;
    let i = n!.next;
    while (i < body.length) {
      if (body[i].text === ',') {
        i++;
        continue;
      }
      const p = body[i];
      if (p.kind !== 'param' || !p.text.startsWith('@')) fail(p, 'expected @name = value');
      if (body[i + 1]?.text !== '=') fail(body[i + 1], `expected = after ${p.text}`);
      const v = literalValue(body[i + 2]);
      if (v === undefined) fail(body[i + 2], `${p.text} needs a literal value ('text' or a number)`);
      if (p.text.startsWith('@@')) {
        if (p.text.toLowerCase() !== '@@json') fail(p, 'the only @@ argument is @@json');
        json = String(v);
      } else args[p.text.slice(1)] = v === null ? '' : String(v);
      i += 3;
    }
    return { verb: 'exec', hints, method: n!.name, args, json, returning };
  }

  if (verb === 'insert') {
    if (!isWord(body[1], 'INTO')) fail(body[1], 'expected INSERT INTO <resource>');
    const n = dotted(body, 2);
    if (!n) fail(body[2], 'INSERT INTO needs a resource');
    let i = n!.next;
    if (body[i]?.text !== '(') fail(body[i], 'expected a column list: INSERT INTO r (data__name, …) SELECT …');
    const columns: string[] = [];
    i++;
    while (body[i] && body[i].text !== ')') {
      if (body[i].text !== ',') {
        if (body[i].kind !== 'word' && body[i].kind !== 'quoted') fail(body[i], 'expected a column name');
        columns.push(identValue(body[i]));
      }
      i++;
    }
    if (!body[i]) fail(undefined, 'unclosed column list');
    i++;
    if (!isWord(body[i], 'SELECT', 'VALUES', 'WITH')) fail(body[i], 'expected SELECT or VALUES after the column list');
    const end = returningAt > 0 ? toks[returningAt].start : text.length;
    const source = text.slice(body[i].start, end).trim();
    return { verb: 'insert', hints, resource: n!.name, columns, source, returning };
  }

  if (verb === 'update' || verb === 'replace') {
    const n = dotted(body, 1);
    if (!n) fail(body[1], `${verb.toUpperCase()} needs a resource`);
    let i = n!.next;
    if (!isWord(body[i], 'SET')) fail(body[i], 'expected SET data__field = value, …');
    i++;
    const whereAt = findTop(body, i, (t) => isWord(t, 'WHERE'));
    const set: { column: string; expr: string }[] = [];
    for (const part of splitTop(body.slice(i, whereAt > 0 ? whereAt : body.length), (t) => t.kind === 'punct' && t.text === ',')) {
      if (part.length < 3 || part[1].text !== '=' || (part[0].kind !== 'word' && part[0].kind !== 'quoted')) {
        fail(part[0] ?? body[whereAt > 0 ? whereAt : i], 'expected data__field = value');
      }
      set.push({ column: identValue(part[0]), expr: text.slice(part[2].start, part[part.length - 1].end) });
    }
    const where = whereAt > 0 ? parseWhere(text, body.slice(whereAt + 1)) : undefined;
    return { verb, hints, resource: n!.name, set, where, returning };
  }

  if (verb === 'delete') {
    if (!isWord(body[1], 'FROM')) fail(body[1], 'expected DELETE FROM <resource> WHERE …');
    const n = dotted(body, 2);
    if (!n) fail(body[2], 'DELETE FROM needs a resource');
    let i = n!.next;
    let where: WhereClause | undefined;
    if (isWord(body[i], 'WHERE')) {
      where = parseWhere(text, body.slice(i + 1));
      i = body.length;
    }
    if (body[i]) fail(body[i], `unexpected "${body[i].text}"`);
    return { verb: 'delete', hints, resource: n!.name, where, returning };
  }
  return fail(toks[0], `not a mutation: ${toks[0].text}`);
}
