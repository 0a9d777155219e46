// Reads doql's writes from Postgres's syntax tree: INSERT … SELECT|VALUES [RETURNING], UPDATE/REPLACE … SET … WHERE,
// DELETE FROM … WHERE, in StackQL's syntax, with the /*+ AWAIT */ and /*+ SHOWRESULTS */ hints. The WHERE, SET and
// SELECT parts are the tree's own nodes, so a subquery's WHERE, commas and RETURNING stay in the subquery.
import type { A_Const, DeleteStmt, InsertStmt, Node, RangeVar, ResTarget, UpdateStmt } from '@pgsql/types';
import { DoqlError } from '../../errors.js';
import { identValue, significant, syntaxError, type Token } from '../lexer.js';
import { parseExec, type ExecStatement } from '../exec-statement.js';
import { parseSql } from './parse.js';
import { spanText, spanTokens, startOf, tokenAt, type SpanTokens } from './source-span.js';

export interface Hints {
  await: boolean;
  showResults: boolean;
}

export type Literal = string | number | null;

/** One `name = literal` (or `name IN (…)`) conjunct of a WHERE, when it is that simple. */
export interface Equality {
  column: string;
  values: Literal[];
}

export interface WhereClause {
  /** The WHERE's text, for running it through the SELECT path. */
  text: string;
  equalities: Equality[];
  /** Each top-level AND-ed condition's text, with the column it pins when it is a plain equality. */
  conjuncts: { text: string; column?: string }[];
  /** True when every conjunct is a one-value equality (then no select is needed to find the rows). */
  allEqualities: boolean;
}

export interface SetItem {
  column: string;
  /** The value's SQL text, evaluated by the SELECT path. */
  expr: string;
  /** The value when it is a plain literal (`'web-2'`, `42`), for examples in errors. */
  literal?: Literal;
  /** The names the value reads outside any subquery (`name` in `name || '-old'`): a column's makes it per row. */
  names?: string[];
}

export interface Returning {
  /** The RETURNING list's text: a SELECT list evaluated over the rows the API answers. */
  text: string;
  /** `*`, or the column names when the list is only plain names (`id, "name"`); undefined for expressions. */
  columns?: '*' | string[];
}

/** The resource a write names, and the alias the statement gives it (`UPDATE r AS d … WHERE d.id = 1`). */
export interface Target {
  resource: string;
  alias?: string;
}

export type Mutation =
  | ({ verb: 'insert'; hints: Hints; columns: string[]; source: string; sourceWidth?: number; returning?: Returning } & Target)
  | ({ verb: 'update' | 'replace'; hints: Hints; set: SetItem[]; where?: WhereClause; returning?: Returning } & Target)
  | ({ verb: 'delete'; hints: Hints; where?: WhereClause; returning?: Returning } & Target)
  | ExecStatement;

/** What each verb looks like, for a syntax error's hint of what to write. */
const FORMS: Record<Mutation['verb'], string> = {
  insert: 'write INSERT INTO <resource> (data__field, …) SELECT … | VALUES (…) [RETURNING …]',
  update: "write UPDATE <resource> SET data__field = value, … WHERE param = '…' [RETURNING …]",
  replace: "write REPLACE <resource> SET data__field = value, … WHERE param = '…' [RETURNING …]",
  delete: "write DELETE FROM <resource> WHERE param = '…' [RETURNING …]",
  exec: "write EXEC provider.service.resource.method @param = 'value', @@json = '{…}'",
};

function hintsOf(tokens: Token[]): Hints {
  const hints = tokens.filter((t) => t.kind === 'hint').map((t) => t.text.toUpperCase());
  return { await: hints.some((h) => /\bAWAIT\b/.test(h)), showResults: hints.some((h) => /\bSHOWRESULTS\b/.test(h)) };
}

/** Parses a write statement (its text already templated; `tokens` are the lexer's tokens of that text). */
export async function parseMutation(text: string, tokens: Token[]): Promise<Mutation> {
  const hints = hintsOf(tokens);
  const toks = significant(tokens).filter((t) => t.kind !== 'hint');
  const first = toks[0];
  const verb = first?.text.toLowerCase() as Mutation['verb'];
  if (verb === 'exec') return parseExec(text, toks, hints);
  if (!first || !(verb in FORMS)) throw syntaxError(text, first?.start ?? 0, `not a write statement: ${first?.text ?? 'empty'}`);
  // REPLACE has UPDATE's shape: parsed by UPDATE's grammar, with text of the same length so that every
  // location in the tree is a location in the statement.
  const parsedText = verb === 'replace' ? `${text.slice(0, first.start)}UPDATE ${text.slice(first.end)}` : text;
  let tree;
  try {
    tree = await parseSql(parsedText);
  } catch (err) {
    throw withForm(err, text, verb, first);
  }
  const src = spanTokens(text, tokens);
  const fail = (offset: number, msg: string): never => {
    throw syntaxError(text, Number.isFinite(offset) ? offset : text.length, msg);
  };
  const stmts = tree.stmts ?? [];
  if (stmts.length !== 1 || !stmts[0].stmt) return fail(text.length, 'one statement at a time');
  const node = stmts[0].stmt;
  const reader = new Reader(src, hints, fail);
  if (verb === 'insert' && 'InsertStmt' in node) return reader.insert(node.InsertStmt);
  if ((verb === 'update' || verb === 'replace') && 'UpdateStmt' in node) return reader.update(node.UpdateStmt, verb);
  if (verb === 'delete' && 'DeleteStmt' in node) return reader.delete(node.DeleteStmt);
  return fail(first.start, `not a write statement: ${FORMS[verb]}`);
}

/** A syntax error of a write says what the statement should look like; at a REPLACE, it names REPLACE. */
function withForm(err: unknown, text: string, verb: Mutation['verb'], first: Token): unknown {
  const e = err as DoqlError & { position?: number; reason?: string };
  if (!(err instanceof DoqlError) || e.position === undefined || e.reason === undefined) return err;
  const reason = verb === 'replace' && e.position === first.start ? e.reason.replace('"UPDATE"', '"REPLACE"') : e.reason;
  return syntaxError(text, e.position, `${reason} (${FORMS[verb]})`);
}

class Reader {
  constructor(
    private readonly src: SpanTokens,
    private readonly hints: Hints,
    private readonly fail: (offset: number, msg: string) => never,
  ) {}

  insert(s: InsertStmt): Mutation {
    const target = this.target(s.relation);
    const returning = this.returning(s.returningList);
    if (s.onConflictClause) this.fail(s.onConflictClause.location ?? startOf(s.onConflictClause), 'ON CONFLICT is not supported: the API has no upsert');
    if (!s.selectStmt) this.fail(this.afterTarget(s.relation), 'INSERT needs SELECT … or VALUES (…) after its column list');
    const cols = (s.cols ?? []).map((c) => (c as { ResTarget: ResTarget }).ResTarget);
    if (!cols.length) this.fail(startOf(s.selectStmt), 'expected a column list: INSERT INTO r (data__name, …) SELECT …');
    for (const c of cols) if (c.indirection?.length) this.fail(c.location ?? -1, 'a column of INSERT is a plain name (data__field)');
    const columns = cols.map((c) => this.nameAt(c.location, c.name ?? ''));
    // The source begins after the column list's `)`: the first token after the last column name and its `)`.
    const lastCol = tokenAt(this.src, cols[cols.length - 1].location ?? -1);
    const afterList = lastCol ? this.src.tokens[lastCol.index + 2] : undefined;
    const limit = s.returningList?.length ? startOf(s.returningList) : this.src.text.length;
    const source = spanText(this.src, afterList?.start ?? startOf(s.selectStmt), limit, ['RETURNING']).text;
    return { verb: 'insert', hints: this.hints, ...target, columns, source, sourceWidth: widthOf(s.selectStmt), ...(returning ? { returning } : {}) };
  }

  update(s: UpdateStmt, verb: 'update' | 'replace'): Mutation {
    const target = this.target(s.relation);
    if (s.fromClause?.length) this.fail(startOf(s.fromClause), `${verb.toUpperCase()} … FROM is not supported: pick the rows with a subquery in WHERE (WHERE id IN (SELECT …))`);
    const returning = this.returning(s.returningList);
    const end = s.returningList?.length ? startOf(s.returningList) : this.src.text.length;
    const whereStart = s.whereClause ? startOf(s.whereClause) : end;
    const items = (s.targetList ?? []).map((t) => (t as { ResTarget: ResTarget }).ResTarget);
    const set = items.map((t, i): SetItem => {
      if (!t.val || t.indirection?.length) this.fail(t.location ?? -1, 'expected data__field = value');
      if ('MultiAssignRef' in t.val!) this.fail(t.location ?? -1, 'SET (a, b) = (…) is not supported: write SET a = …, b = …');
      const limit = i + 1 < items.length ? (items[i + 1].location ?? end) : whereStart;
      const expr = spanText(this.src, startOf(t.val), limit, ['WHERE', 'RETURNING']).text;
      // A boolean is left out: literalOf gives it as the text StackQL's docs write ('true'), not the value.
      const literal = 'A_Const' in t.val! && t.val.A_Const.boolval ? undefined : literalOf(t.val!);
      return { column: this.nameAt(t.location, t.name ?? ''), expr, ...(literal !== undefined ? { literal } : {}), ...namesIn(t.val!) };
    });
    const where = s.whereClause ? this.where(s.whereClause, end) : undefined;
    return { verb, hints: this.hints, ...target, set, ...(where ? { where } : {}), ...(returning ? { returning } : {}) };
  }

  delete(s: DeleteStmt): Mutation {
    const target = this.target(s.relation);
    if (s.usingClause?.length) this.fail(startOf(s.usingClause), 'DELETE … USING is not supported: pick the rows with a subquery in WHERE (WHERE id IN (SELECT …))');
    const returning = this.returning(s.returningList);
    const end = s.returningList?.length ? startOf(s.returningList) : this.src.text.length;
    const where = s.whereClause ? this.where(s.whereClause, end) : undefined;
    return { verb: 'delete', hints: this.hints, ...target, ...(where ? { where } : {}), ...(returning ? { returning } : {}) };
  }

  private target(rel: RangeVar | undefined): Target {
    if (!rel?.relname) return this.fail(-1, 'a write needs a resource, e.g. digitalocean.compute.droplets');
    const resource = [rel.catalogname, rel.schemaname, rel.relname].filter(Boolean).join('.').toLowerCase();
    return { resource, ...(rel.alias?.aliasname ? { alias: rel.alias.aliasname } : {}) };
  }

  /** Just after the resource's name (where a missing part of the statement would go). */
  private afterTarget(rel: RangeVar | undefined): number {
    const at = tokenAt(this.src, rel?.location ?? -1);
    if (!at) return this.src.text.length;
    let i = at.index;
    while (this.src.tokens[i + 1]?.text === '.' && this.src.tokens[i + 2]) i += 2;
    return this.src.tokens[i + 1]?.start ?? this.src.text.length;
  }

  /** A column as the statement spells it (`data__someField` keeps its case; the tree folds unquoted names). */
  private nameAt(location: number | undefined, fallback: string): string {
    const at = tokenAt(this.src, location ?? -1);
    return at && (at.token.kind === 'word' || at.token.kind === 'quoted') ? identValue(at.token) : fallback;
  }

  /** A column reference (`col`, `alias.col`) as spelled, or undefined for anything else. */
  private columnOf(n: Node | undefined): string | undefined {
    if (!n || !('ColumnRef' in n)) return undefined;
    const fields = n.ColumnRef.fields ?? [];
    if (fields.length < 1 || fields.length > 2 || !fields.every((f) => 'String' in f)) return undefined;
    const at = tokenAt(this.src, n.ColumnRef.location ?? -1);
    if (!at) return undefined;
    const name = this.src.tokens[at.index + (fields.length - 1) * 2];
    return name && (name.kind === 'word' || name.kind === 'quoted') ? identValue(name) : undefined;
  }

  private where(clause: Node, end: number): WhereClause {
    const args = 'BoolExpr' in clause && clause.BoolExpr.boolop === 'AND_EXPR' ? (clause.BoolExpr.args ?? []) : [clause];
    const equalities: Equality[] = [];
    const conjuncts: WhereClause['conjuncts'] = [];
    let all = true;
    args.forEach((c, i) => {
      const limit = i + 1 < args.length ? startOf(args[i + 1]) : end;
      const text = spanText(this.src, startOf(c), limit, ['AND', 'RETURNING']).text;
      const eq = this.equality(c);
      if (eq) equalities.push(eq);
      // Several values: the rows are found by a select, one request each.
      if (!eq || eq.values.length !== 1) all = false;
      conjuncts.push({ text, ...(eq && eq.values.length === 1 ? { column: eq.column } : {}) });
    });
    return { text: spanText(this.src, startOf(clause), end, ['RETURNING']).text, equalities, conjuncts, allEqualities: all };
  }

  /** `col = literal`, `literal = col` or `col IN (literal, …)`. */
  private equality(n: Node): Equality | undefined {
    if (!('A_Expr' in n)) return undefined;
    const e = n.A_Expr;
    const op = e.name?.length === 1 && 'String' in e.name[0] ? e.name[0].String.sval : undefined;
    if (e.kind === 'AEXPR_OP' && (op === '=' || op === '==')) {
      const left = this.columnOf(e.lexpr);
      const right = e.rexpr ? literalOf(e.rexpr) : undefined;
      if (left !== undefined && right !== undefined) return { column: left, values: [right] };
      const col = this.columnOf(e.rexpr);
      const value = e.lexpr ? literalOf(e.lexpr) : undefined;
      if (col !== undefined && value !== undefined) return { column: col, values: [value] };
      return undefined;
    }
    if (e.kind === 'AEXPR_IN' && op === '=' && e.rexpr && 'List' in e.rexpr) {
      const col = this.columnOf(e.lexpr);
      const values = (e.rexpr.List.items ?? []).map(literalOf);
      if (col !== undefined && values.length && values.every((v) => v !== undefined)) return { column: col, values: values as Literal[] };
    }
    return undefined;
  }

  private returning(list: Node[] | undefined): Returning | undefined {
    if (!list?.length) return undefined;
    const text = spanText(this.src, startOf(list), this.src.text.length).text;
    const targets = list.map((n) => (n as { ResTarget: ResTarget }).ResTarget);
    const star = targets.length === 1 && isStar(targets[0].val);
    const names = targets.map((t) => (t.name ? undefined : this.columnOf(t.val)));
    const plain = targets.every((t) => !t.name && t.val && 'ColumnRef' in t.val && t.val.ColumnRef.fields?.length === 1) && names.every((n) => n !== undefined);
    return { text, ...(star ? { columns: '*' as const } : plain ? { columns: names as string[] } : {}) };
  }
}

/** The last part of each name an expression reads outside any subquery of its own (`v.name` → `name`). */
function namesIn(node: unknown): { names?: string[] } {
  const names: string[] = [];
  const visit = (v: unknown, key?: string): void => {
    if (Array.isArray(v)) return v.forEach((x) => visit(x));
    if (!v || typeof v !== 'object' || key === 'SubLink') return;
    if (key === 'ColumnRef') {
      const last = ((v as { fields?: Node[] }).fields ?? []).at(-1);
      if (last && 'String' in last && last.String.sval) names.push(last.String.sval);
      return;
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) visit(x, k);
  };
  visit(node);
  return names.length ? { names } : {};
}

function isStar(n: Node | undefined): boolean {
  return Boolean(n && 'ColumnRef' in n && n.ColumnRef.fields?.length === 1 && 'A_Star' in n.ColumnRef.fields[0]);
}

/** A constant's value as doql's writes take it (booleans as 'true'/'false', as StackQL's docs write them). */
export function literalOf(n: Node): Literal | undefined {
  if (!('A_Const' in n)) return undefined;
  const c: A_Const = n.A_Const;
  // The tree leaves out zero values: `0` is `{ival: {}}`, `''` is `{sval: {}}`, false is `{boolval: {}}`.
  if (c.isnull) return null;
  if (c.ival) return c.ival.ival ?? 0;
  if (c.fval) return Number(c.fval.fval);
  if (c.boolval) return c.boolval.boolval ? 'true' : 'false';
  if (c.sval) return c.sval.sval ?? '';
  return undefined;
}

/** How many values each row of an INSERT's source has, when the tree says (VALUES rows, a SELECT list without *). */
function widthOf(n: Node | undefined): number | undefined {
  if (!n || !('SelectStmt' in n)) return undefined;
  const s = n.SelectStmt;
  if (s.valuesLists?.length) {
    const widths = s.valuesLists.map((r) => ('List' in r ? (r.List.items ?? []).length : -1));
    return widths.every((w) => w === widths[0]) ? widths[0] : undefined;
  }
  if (s.op && s.op !== 'SETOP_NONE') return widthOf(s.larg ? { SelectStmt: s.larg } : undefined);
  const targets = s.targetList ?? [];
  const hasStar = targets.some((t) => {
    const v = (t as { ResTarget: ResTarget }).ResTarget.val;
    return Boolean(v && 'ColumnRef' in v && v.ColumnRef.fields?.some((f) => 'A_Star' in f));
  });
  return targets.length && !hasStar ? targets.length : undefined;
}
