// Expressions of Postgres's syntax tree as SQLite SQL: names always quoted, constants as SQLite literals,
// `$n` as SQLite's `?n`, Postgres operators and functions as what doql registers for them. A construct it
// does not know is an error naming it, raised before anything is sent (never SQL that answers differently).
import type { A_Expr, FuncCall, Node, SortBy, TypeCast, WindowDef } from '@pgsql/types';
import { DoqlError } from '../../errors.js';
import { castTarget } from '../../engine/pg-catalog-types.js';
import { checkToCharPattern } from '../../engine/pg-to-char.js';
import type { ParamKind } from '../../engine/param-types.js';
import { ARRAY_READERS, ORDERED_SET_AGGREGATES, RENAMED_FUNCTIONS, SESSION_FUNCTIONS } from './functions.js';
import { kindOf, lastName, names, quoteIdent, quoteString, unsupported } from './nodes.js';
import type { Scope } from './scope.js';
import { castKind, castModifiers, KindReader, type Kind } from './expr-kinds.js';
import type { PlusSide } from './hidden-joins.js';

export const COMPARISONS = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);
// `&` and `|` are integer bitwise AND and OR in both (pgjdbc's getIndexInfo reads indoption bits with `&`).
const PASS_THROUGH_OPERATORS = new Set(['+', '-', '*', '/', '%', '||', '->', '->>', '=', '<>', '<', '<=', '>', '>=', '&', '|']);
export const REGEX_OPERATORS: Record<string, string> = {
  '~': 'REGEXP',
  '!~': 'NOT REGEXP',
  '~*': "REGEXP '(?i)' ||",
  '!~*': "NOT REGEXP '(?i)' ||",
};
export const JSONB_OPERATORS = new Set(['@>', '<@', '?', '?|', '?&']);

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

/** A cast's type name as the casts table knows it: `pg_catalog.int4` → `int4`, `varchar(10)[]` → `varchar[]`. */
export function typeName(cast: TypeCast): string {
  const parts = names(cast.typeName?.names);
  const base = (parts[0] === 'pg_catalog' ? parts.slice(1) : parts).join('.').toLowerCase();
  return `${base}${'[]'.repeat(cast.typeName?.arrayBounds?.length ?? 0)}`;
}

export const isTimestamp = (t: string): boolean => /^(timestamp|timestamptz)$/.test(t);

/** Whether an expression is `interval '…'`. */
export function intervalLiteral(node: Node | undefined): string | undefined {
  if (!node || !('TypeCast' in node) || typeName(node.TypeCast) !== 'interval') return undefined;
  const arg = node.TypeCast.arg;
  return arg && 'A_Const' in arg && arg.A_Const.sval ? (arg.A_Const.sval.sval ?? '') : undefined;
}

/** What a translation found out while emitting (statement-wide). */
export interface Findings {
  /** Names of columns the statement mentions, lower-cased; `star` when it reads every column. */
  mentioned: Set<string>;
  star: boolean;
  /** `$n` numbers used. */
  params: Set<number>;
  /** The kind each `$n` takes from the column it is compared with (null: two different kinds). */
  paramKinds: Map<number, ParamKind | null>;
  /** Whether the SQL calls a function registerPgFunctions provides. */
  pgFunctions: boolean;
  /** Columns read only through hidden path columns: not converted for SQLite, but kept with the fetch. */
  keep: Set<string>;
}

/** Options an expression is emitted with. */
export interface Where {
  /** Inside WHERE or ON: a comparison with a parameter's name pushes the value to the API (colliding names). */
  filter?: boolean;
  /**
   * A numeric column of the result: its arithmetic is done exactly, as text with Postgres's digits (pg_numeric_op),
   * since SQLite's doubles cannot show `61.3333333333333333` or `50.00`.
   */
  numericText?: boolean;
}

/** Kinds whose text form differs from SQLite's (`true`, not 1; `2024-06-11 10:18:00+00`, not ISO). */
const TEXT_CONVERTED = new Set<Kind>(['bool', 'timestamptz', 'timestamp', 'jsonb', 'float', 'numeric']);

export abstract class ExprEmitter {
  readonly found: Findings = { mentioned: new Set(), star: false, params: new Set(), paramKinds: new Map(), pgFunctions: false, keep: new Set() };
  /** Calls in a select list replaced by a table function's column (see emit-select's select-list functions). */
  readonly replaced = new Map<FuncCall, string>();
  /** Comparisons of two tables' hidden columns and the operand(s) written `+x` (see hidden-joins.ts). */
  protected plusSides = new Map<A_Expr, PlusSide>();
  /** At the SELECT level being emitted: the columns a hidden-column USING merged, and what each reads. */
  protected merged = new Map<string, string[][]>();
  protected counter = 0;
  readonly kinds: KindReader;

  constructor(protected readonly scope: Scope) {
    this.kinds = new KindReader(scope);
  }

  /** A value as the text Postgres's output function for its type gives (for ::text, ||, concat). */
  protected asText(node: Node | undefined, sql: string, boolStyle: 'word' | 'letter' = 'word'): string {
    const kind = this.kinds.of(node);
    if (!kind || !TEXT_CONVERTED.has(kind)) return sql;
    if (kind === 'bool') return boolStyle === 'word' ? `(CASE (${sql}) WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)` : `(CASE (${sql}) WHEN 1 THEN 't' WHEN 0 THEN 'f' END)`;
    return `pg_text(${sql}, '${kind}')`;
  }

  /** A boolean as a JSON value (SQLite's JSON functions would write 1 or 0). */
  protected asJson(node: Node | undefined, sql: string): string {
    return this.kinds.of(node) === 'bool' ? `json(CASE (${sql}) WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)` : sql;
  }

  /** A subquery (SubLink, ARRAY(…)), emitted by the statement emitter. */
  abstract query(node: Node): string;

  list(nodes: Node[] | undefined, where: Where = {}): string {
    return (nodes ?? []).map((n) => this.expr(n, where)).join(', ');
  }

  expr(node: Node | undefined, where: Where = {}): string {
    if (!node) throw new DoqlError('internal', 'an expression is missing from the syntax tree');
    // Exact numeric text only where the value is numeric (not in a CASE's condition or an integer's arithmetic).
    if (where.numericText && this.kinds.of(node) !== 'numeric') where = { ...where, numericText: false };
    if ('ColumnRef' in node) return this.columnRef(names(node.ColumnRef.fields));
    if ('A_Const' in node) return this.constant(node, where);
    if ('ParamRef' in node) return this.param(node.ParamRef.number ?? 0);
    if ('A_Expr' in node) return this.aExpr(node.A_Expr, where);
    if ('BoolExpr' in node) {
      const b = node.BoolExpr;
      const args = (b.args ?? []).map((a) => `(${this.expr(a, where)})`);
      if (b.boolop === 'NOT_EXPR') return `NOT ${args[0]}`;
      return args.join(b.boolop === 'AND_EXPR' ? ' AND ' : ' OR ');
    }
    if ('NullTest' in node) return `(${this.expr(node.NullTest.arg, where)}) ${node.NullTest.nulltesttype === 'IS_NOT_NULL' ? 'IS NOT NULL' : 'IS NULL'}`;
    if ('BooleanTest' in node) {
      const tests: Record<string, string> = { IS_TRUE: 'IS TRUE', IS_NOT_TRUE: 'IS NOT TRUE', IS_FALSE: 'IS FALSE', IS_NOT_FALSE: 'IS NOT FALSE', IS_UNKNOWN: 'IS NULL', IS_NOT_UNKNOWN: 'IS NOT NULL' };
      return `(${this.expr(node.BooleanTest.arg, where)}) ${tests[node.BooleanTest.booltesttype ?? 'IS_TRUE']}`;
    }
    if ('FuncCall' in node) return this.funcCall(node.FuncCall, where);
    if ('TypeCast' in node) return this.cast(node.TypeCast, where);
    if ('CaseExpr' in node) {
      const c = node.CaseExpr;
      const whens = (c.args ?? []).map((w) => {
        if (!('CaseWhen' in w)) throw unsupported(kindOf(w));
        return ` WHEN ${this.expr(w.CaseWhen.expr, where)} THEN ${this.expr(w.CaseWhen.result, where)}`;
      });
      return `CASE${c.arg ? ` ${this.expr(c.arg, where)}` : ''}${whens.join('')}${c.defresult ? ` ELSE ${this.expr(c.defresult, where)}` : ''} END`;
    }
    if ('CoalesceExpr' in node) {
      const args = node.CoalesceExpr.args ?? [];
      // SQLite's coalesce wants two arguments or more; one is the value itself.
      return args.length === 1 ? `(${this.expr(args[0], where)})` : `coalesce(${this.list(args, where)})`;
    }
    if ('MinMaxExpr' in node) {
      // SQLite's two-argument max/min give NULL when any argument is NULL; Postgres's greatest/least skip NULLs.
      throw unsupported(node.MinMaxExpr.op === 'IS_GREATEST' ? 'greatest(…)' : 'least(…)', 'use CASE WHEN a >= b THEN a ELSE b END, or max()/min() over rows');
    }
    if ('SubLink' in node) return this.subLink(node, where);
    if ('A_ArrayExpr' in node) {
      const els = node.A_ArrayExpr.elements ?? [];
      this.found.pgFunctions = true;
      return els.length ? `pg_array(${this.list(els, where)})` : `'{}'`;
    }
    if ('A_Indirection' in node) {
      let out = this.expr(node.A_Indirection.arg, where);
      for (const ind of node.A_Indirection.indirection ?? []) {
        this.found.pgFunctions = true;
        // (record).field: records are pg_record's (what _pg_expandarray gives); pg_field refuses anything else.
        if ('String' in ind) {
          out = `pg_field(${out}, ${quoteString(ind.String.sval ?? '')})`;
          continue;
        }
        if (!('A_Indices' in ind) || ind.A_Indices.is_slice) throw unsupported('array slices and (x).* (a[1:2])');
        out = `pg_subscript(${out}, ${this.expr(ind.A_Indices.uidx, where)})`;
      }
      return out;
    }
    if ('SQLValueFunction' in node) return this.sqlValueFunction(node.SQLValueFunction.op ?? '');
    if ('CollateClause' in node) {
      const name = names(node.CollateClause.collname).join('.').toUpperCase();
      // Postgres collations (`pg_catalog.default`, "C") mean nothing to SQLite; its own three are kept.
      const arg = this.expr(node.CollateClause.arg, where);
      return ['BINARY', 'NOCASE', 'RTRIM'].includes(name) ? `${arg} COLLATE ${name}` : arg;
    }
    if ('RowExpr' in node) return `(${this.list(node.RowExpr.args, where)})`;
    if ('GroupingFunc' in node) throw unsupported('GROUPING(…)');
    if ('SetToDefault' in node) {
      // `SELECT id, name, default FROM digitalocean.vpcs.vpcs`, as StackQL's docs write it: the column `default`.
      if (!this.scope.hasColumn('default')) throw unsupported('DEFAULT in a SELECT');
      return this.columnRef(['default']);
    }
    if ('A_Star' in node) {
      this.found.star = true;
      return '*';
    }
    throw unsupported(describeNode(node));
  }

  /** A column reference; the statement emitter knows the tables (aliases, resource names, table functions). */
  protected columnRef(fields: string[]): string {
    if (fields[fields.length - 1] === '*') this.found.star = true;
    else this.found.mentioned.add(fields[fields.length - 1].toLowerCase());
    const merged = fields.length === 1 ? this.merged.get(fields[0]) : undefined;
    if (merged) return merged.length === 1 ? this.scope.column(merged[0]) : `coalesce(${merged.map((f) => this.scope.column(f)).join(', ')})`;
    return this.scope.column(fields);
  }

  private constant(node: Node & { A_Const: object }, where: Where): string {
    const c = (node as { A_Const: import('@pgsql/types').A_Const }).A_Const;
    if (c.isnull) return 'NULL';
    if (c.ival) return String(c.ival.ival ?? 0);
    // A numeric constant keeps its digits (1.50 has two) when the result shows them.
    if (c.fval) return where.numericText ? quoteString(c.fval.fval ?? '0') : (c.fval.fval ?? '0');
    if (c.boolval) return c.boolval.boolval ? '1' : '0';
    if (c.sval) return quoteString(c.sval.sval ?? '');
    throw unsupported('bit string constants');
  }

  protected param(n: number): string {
    this.found.params.add(n);
    return `?${n}`;
  }

  /** Records the kind of `$n` compared with a column (Postgres types an untyped parameter so). */
  private typeParam(a: Node | undefined, b: Node | undefined): void {
    for (const [p, c] of [
      [a, b],
      [b, a],
    ] as const) {
      if (!p || !c || !('ParamRef' in p) || !('ColumnRef' in c)) continue;
      const kind = this.scope.columnKind(names(c.ColumnRef.fields));
      if (kind) this.kindParam(p.ParamRef.number ?? 0, kind);
    }
  }

  /** `$n` is of this kind; two different kinds leave it untyped. */
  protected kindParam(n: number, kind: ParamKind): void {
    const seen = this.found.paramKinds.get(n);
    this.found.paramKinds.set(n, seen === undefined || seen === kind ? kind : null);
  }

  /** A comparison operand: a parameter's name compared in WHERE/ON reads its hidden column. */
  private operand(node: Node | undefined, where: Where, compared: boolean): string {
    if (compared && where.filter && node && 'ColumnRef' in node) {
      const redirected = this.scope.paramColumn(names(node.ColumnRef.fields));
      if (redirected) return redirected;
    }
    return this.expr(node, where);
  }

  private aExpr(e: A_Expr, where: Where): string {
    const op = lastName(e.name);
    switch (e.kind) {
      case 'AEXPR_OP': {
        if (!e.lexpr) {
          if (op === '-' && where.numericText) return `pg_numeric_op('-', 0, ${this.expr(e.rexpr, where)})`;
          if (op === '-' || op === '+') return `${op}(${this.expr(e.rexpr, where)})`;
          if (op === '~') return `~(${this.expr(e.rexpr, where)})`;
          throw unsupported(`the prefix operator ${op}`);
        }
        if (op === '->>') {
          const path = this.scope.pathReference(e);
          if (path) {
            // Kept with the fetch even when only its paths are read (the path columns are filled from it).
            this.found.keep.add(path.column);
            return path.sql;
          }
        }
        if (COMPARISONS.has(op)) {
          this.typeParam(e.lexpr, e.rexpr);
          if (op === '=') this.scope.checkParamAgainstOwnColumn(e.lexpr, e.rexpr);
          const compared = op === '=';
          const plus = this.plusSides.get(e);
          // `+x`: the same value, which SQLite's planner never uses as a constraint (hidden-joins.ts: that side is read first).
          const left = `${plus === 'left' || plus === 'both' ? '+' : ''}${this.timeOperand(e.lexpr, e.rexpr, this.operand(e.lexpr, where, compared))}`;
          const right = `${plus === 'right' || plus === 'both' ? '+' : ''}${this.timeOperand(e.rexpr, e.lexpr, this.operand(e.rexpr, where, compared))}`;
          return `(${left}) ${op === '!=' ? '<>' : op} (${right})`;
        }
        if (op === '#>' || op === '#>>') return this.pathOperator(e, op, where);
        if (op === '->>' && e.rexpr && 'A_Const' in e.rexpr && !e.rexpr.A_Const.sval?.sval?.startsWith('$')) {
          // SQLite's ->> gives JSON true as 1; Postgres's gives the text 'true'. (A `$.a[0]` path is SQLite's own.)
          this.found.pgFunctions = true;
          return `pg_json_field_text(${this.expr(e.lexpr, where)}, ${this.expr(e.rexpr, where)})`;
        }
        if (op === '/' || op === '%') {
          const kinds = [this.kinds.of(e.lexpr), this.kinds.of(e.rexpr)];
          if (where.numericText) return `pg_numeric_op('${op}', ${this.expr(e.lexpr, where)}, ${this.expr(e.rexpr, where)})`;
          // SQLite answers x / 0 with NULL; Postgres raises division_by_zero.
          if (op === '%' && kinds.some((k) => k === 'numeric' || k === 'float')) return `pg_mod(${this.expr(e.lexpr, where)}, ${this.expr(e.rexpr, where)})`;
          // numeric / integer is not integer division, even where SQLite holds both as integers (sum(x) of integers).
          const real = op === '/' && kinds.some((k) => k === 'numeric' || k === 'float');
          return `(${real ? `CAST((${this.expr(e.lexpr, where)}) AS REAL)` : this.expr(e.lexpr, where)}) ${op} pg_nonzero(${this.expr(e.rexpr, where)})`;
        }
        if ((op === '+' || op === '-' || op === '*') && where.numericText) {
          return `pg_numeric_op('${op}', ${this.expr(e.lexpr, where)}, ${this.expr(e.rexpr, where)})`;
        }
        if ((op === '+' || op === '-' || op === '*') && this.kinds.of(e.lexpr) === 'int' && this.kinds.of(e.rexpr) === 'int') {
          const [a, b] = [e.lexpr, e.rexpr].map((n) => (n && 'A_Const' in n && n.A_Const.ival !== undefined ? BigInt(n.A_Const.ival.ival ?? 0) : undefined));
          if (a !== undefined && b !== undefined) {
            // Two integer constants are int4 in Postgres: 2147483647 + 1 is out of range there.
            const r = op === '+' ? a + b : op === '-' ? a - b : a * b;
            if (r > 2147483647n || r < -2147483648n) throw new DoqlError('validation', 'integer out of range', { sqlState: '22003' });
            return String(r);
          }
          // Overflow is an error in Postgres (of int4 arithmetic, beyond int4); SQLite would go on in floating point.
          this.found.pgFunctions = true;
          const width = this.kinds.width({ A_Expr: e });
          return `pg_int8((${this.expr(e.lexpr, where)}) ${op} (${this.expr(e.rexpr, where)})${width && width !== 'int8' ? `, '${width}'` : ''})`;
        }
        if (op === '||') {
          if (this.kinds.of(e.lexpr) === 'jsonb' && this.kinds.of(e.rexpr) === 'jsonb') throw unsupported('jsonb || jsonb');
          return `(${this.asText(e.lexpr, this.expr(e.lexpr, where))}) || (${this.asText(e.rexpr, this.expr(e.rexpr, where))})`;
        }
        if (op === '+' || op === '-') {
          const interval = intervalLiteral(e.rexpr);
          if (interval !== undefined) {
            this.found.pgFunctions = true;
            const mods = intervalModifiers(interval, op === '-' ? -1 : 1);
            // Months and years as Postgres adds them (Jan 31 + 1 month is Feb 29, not Mar 2): first, then the rest.
            const months = mods.filter((m) => /months|years/.test(m)).reduce((n, m) => n + Number(m.split(' ')[0]) * (m.endsWith('years') ? 12 : 1), 0);
            const rest = mods.filter((m) => !/months|years/.test(m));
            const base = months ? `pg_add_months(pg_timestamptz(${this.expr(e.lexpr, where)}), ${months})` : this.expr(e.lexpr, where);
            return `strftime('%Y-%m-%dT%H:%M:%SZ', ${[base, ...rest.map(quoteString)].join(', ')})`;
          }
          if (op === '-' && isNow(e.lexpr)) {
            throw unsupported('now() - timestamp', "use age(now(), created_at), or compare: created_at < now() - interval '7 days'");
          }
          const [a, b] = [this.kinds.of(e.lexpr), this.kinds.of(e.rexpr)];
          if (a === 'date' && b === 'int') {
            // date ± integer is a date that many days later (SQLite would add to the year: '2024-01-01' + 1 is 2025).
            return `date(${this.expr(e.lexpr, where)}, printf('%+d days', ${op}(${this.expr(e.rexpr, where)})))`;
          }
          const times = new Set<Kind | undefined>(['timestamptz', 'timestamp', 'date']);
          if (times.has(a) || times.has(b)) {
            throw unsupported(`${a ?? b} ${op} ${times.has(b) ? (b ?? '') : (b ?? 'a value')}`.replace(/ $/, ''), "add or take an interval (created_at + interval '1 day'), or use age(a, b)");
          }
        }
        if (REGEX_OPERATORS[op]) {
          this.found.pgFunctions = true;
          return `(${this.expr(e.lexpr, where)}) ${REGEX_OPERATORS[op]} (${this.expr(e.rexpr, where)})`;
        }
        if (op === '~~' || op === '~~*' || op === '!~~' || op === '!~~*') return this.like(e, op.startsWith('!'), where);
        if (JSONB_OPERATORS.has(op)) {
          this.found.pgFunctions = true;
          return `pg_jsonb_op(${quoteString(op)}, ${this.expr(e.lexpr, where)}, ${this.expr(e.rexpr, where)})`;
        }
        if (op === '^') return `pow(${this.expr(e.lexpr, where)}, ${this.expr(e.rexpr, where)})`;
        if (!PASS_THROUGH_OPERATORS.has(op)) throw unsupported(`the operator ${op}`);
        return `(${this.expr(e.lexpr, where)}) ${op} (${this.expr(e.rexpr, where)})`;
      }
      case 'AEXPR_OP_ANY':
      case 'AEXPR_OP_ALL': {
        const word = e.kind === 'AEXPR_OP_ANY' ? 'ANY' : 'ALL';
        const negate = op === '<>' || op === '!=';
        if (!((op === '=' && word === 'ANY') || (negate && word === 'ALL'))) throw unsupported(`${op} ${word}(…)`, 'doql does x = ANY(array) and x <> ALL(array)');
        const left = this.expr(e.lexpr, where);
        const arr = e.rexpr;
        if (arr && 'A_ArrayExpr' in arr) {
          // `x = ANY(ARRAY[1, 2])` is `x IN (1, 2)`: the elements keep their types, and a parameter column still
          // gets its values pushed to the API.
          for (const el of arr.A_ArrayExpr.elements ?? []) this.typeParam(e.lexpr, el);
          const compared = this.operand(e.lexpr, where, true);
          return `(${compared}) ${negate ? 'NOT IN' : 'IN'} (${this.list(arr.A_ArrayExpr.elements, where)})`;
        }
        this.checkArray(arr, word);
        this.found.pgFunctions = true;
        // An array parameter arrives as JSON text (server/pg-params.ts), a column's array as JSON or Postgres
        // text: pg_unnest reads them all, keeping a JSON element's type. A NULL array makes `x = ANY(arr)` NULL,
        // as an array of one NULL does (a NULL argument would give SQLite's table function no rows, so false).
        return `(${left}) ${negate ? 'NOT IN' : 'IN'} (SELECT value FROM pg_unnest(coalesce(${this.expr(arr, where)}, '{NULL}'), '${word}'))`;
      }
      case 'AEXPR_DISTINCT':
        return `(${this.expr(e.lexpr, where)}) IS NOT (${this.expr(e.rexpr, where)})`;
      case 'AEXPR_NOT_DISTINCT':
        return `(${this.expr(e.lexpr, where)}) IS (${this.expr(e.rexpr, where)})`;
      case 'AEXPR_NULLIF':
        return `nullif(${this.expr(e.lexpr, where)}, ${this.expr(e.rexpr, where)})`;
      case 'AEXPR_IN': {
        const items = e.rexpr && 'List' in e.rexpr ? (e.rexpr.List.items ?? []) : [];
        for (const item of items) this.typeParam(e.lexpr, item);
        return `(${this.operand(e.lexpr, where, true)}) ${op === '<>' ? 'NOT IN' : 'IN'} (${this.list(items, where)})`;
      }
      case 'AEXPR_LIKE':
      case 'AEXPR_ILIKE':
        return this.like(e, op.startsWith('!'), where);
      case 'AEXPR_BETWEEN':
      case 'AEXPR_NOT_BETWEEN': {
        const [lo, hi] = e.rexpr && 'List' in e.rexpr ? (e.rexpr.List.items ?? []) : [];
        this.typeParam(e.lexpr, lo);
        this.typeParam(e.lexpr, hi);
        return `(${this.expr(e.lexpr, where)}) ${e.kind === 'AEXPR_NOT_BETWEEN' ? 'NOT BETWEEN' : 'BETWEEN'} (${this.timeOperand(lo, e.lexpr, this.expr(lo, where))}) AND (${this.timeOperand(hi, e.lexpr, this.expr(hi, where))})`;
      }
      case 'AEXPR_SIMILAR':
        throw unsupported('SIMILAR TO', 'use ~ (a regular expression) or LIKE');
      default:
        throw unsupported(`${String(e.kind).replace(/^AEXPR_/, '').replace(/_/g, ' ')} expressions`);
    }
  }

  /**
   * A string constant compared with a time: Postgres reads it as a time (`'2024-06-11 10:18:00'` is the same
   * instant as DigitalOcean's `2024-06-11T10:18:00Z`), so it is written as doql keeps times before comparing.
   */
  private timeOperand(node: Node | undefined, other: Node | undefined, sql: string): string {
    if (!node || !('A_Const' in node) || !node.A_Const.sval) return sql;
    // A parameter's value goes to the API as the user wrote it.
    if (other && 'ColumnRef' in other && this.scope.isParam(names(other.ColumnRef.fields))) return sql;
    const kind = this.kinds.of(other);
    const text = node.A_Const.sval.sval ?? '';
    // `locked = 't'`, `vcpus = '2'`: Postgres reads the constant as the other side's type (SQLite compares 1 with 't').
    if (kind === 'bool') {
      this.found.pgFunctions = true;
      return `pg_bool(${sql})`;
    }
    if (kind === 'int' || kind === 'numeric' || kind === 'float') {
      const n = text.trim();
      const valid = kind === 'int' ? /^[+-]?\d+$/.test(n) : /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(n);
      if (!valid) throw new DoqlError('validation', `invalid input syntax for type ${kind === 'int' ? 'bigint' : kind === 'float' ? 'double precision' : 'numeric'}: "${text}"`, { sqlState: '22P02' });
      return n.replace(/^\+/, '');
    }
    if (kind !== 'timestamptz' && kind !== 'timestamp' && kind !== 'date') return sql;
    this.found.pgFunctions = true;
    return kind === 'date' ? `pg_date(${sql})` : `pg_timestamptz(${sql})`;
  }

  /** `x #> '{a,0}'` and `x #>> '{a,0}'` with a constant path. */
  private pathOperator(e: A_Expr, op: string, where: Where): string {
    const path = e.rexpr && 'A_Const' in e.rexpr ? e.rexpr.A_Const.sval?.sval : undefined;
    if (path === undefined || !/^\{.*\}$/s.test(path.trim())) throw unsupported(`${op} with a path that is not a constant like '{a,0}'`);
    const keys = path.trim().slice(1, -1).split(',').map((k) => k.trim().replace(/^"(.*)"$/, '$1')).filter((k) => k !== '');
    this.found.pgFunctions = true;
    const fn = op === '#>' ? 'json_extract_path' : 'json_extract_path_text';
    const call = `${fn}(${[this.expr(e.lexpr, where), ...keys.map(quoteString)].join(', ')})`;
    return op === '#>>' ? `pg_text(${call}, 'text')` : call;
  }

  /**
   * LIKE and ILIKE as Postgres matches them: SQLite's LIKE ignores ASCII case and has no default escape, so
   * both become pg_like (engine/pg-like.ts), with the backslash as the escape unless ESCAPE names another.
   */
  private like(e: A_Expr, negate: boolean, where: Where): string {
    this.typeParam(e.lexpr, e.rexpr);
    const op = lastName(e.name);
    const insensitive = op.includes('*') || e.kind === 'AEXPR_ILIKE' ? 1 : 0;
    let pattern = e.rexpr;
    let escape = `'\\'`;
    if (pattern && 'FuncCall' in pattern && lastName(pattern.FuncCall.funcname) === 'like_escape') {
      const [p, esc] = pattern.FuncCall.args ?? [];
      pattern = p;
      escape = this.expr(esc, where);
    }
    return `${negate ? 'NOT ' : ''}pg_like(${this.expr(e.lexpr, where)}, ${this.expr(pattern, where)}, ${escape}, ${insensitive})`;
  }

  /** `'x' = ANY(name)` where name is a column that is not an array: Postgres refuses it, so does doql. */
  protected checkArray(node: Node | undefined, what: string): void {
    if (!node || !('ColumnRef' in node)) return;
    const fields = names(node.ColumnRef.fields);
    const column = fields[fields.length - 1];
    const type = this.scope.schemaType(fields);
    if (type === undefined || type === 'array') return;
    throw new DoqlError('validation', `${what}(${column}): ${column} is a${type === 'integer' || type === 'object' ? 'n' : ''} ${type} column, not an array`, {
      sqlState: '42809',
      hint: 'ANY, ALL, unnest, array_length and cardinality read array columns such as tags; for JSON inside an object use -> and jsonb_array_elements_text',
    });
  }

  private subLink(node: Node & { SubLink: object }, where: Where): string {
    const s = (node as { SubLink: import('@pgsql/types').SubLink }).SubLink;
    const sub = this.query(s.subselect!);
    switch (s.subLinkType) {
      case 'EXISTS_SUBLINK':
        return `EXISTS (${sub})`;
      case 'EXPR_SUBLINK':
        return `(${sub})`;
      case 'ANY_SUBLINK': {
        const op = s.operName ? lastName(s.operName) : '=';
        if (op !== '=') throw unsupported(`${op} ANY(subquery)`);
        return `(${this.expr(s.testexpr, where)}) IN (${sub})`;
      }
      case 'ALL_SUBLINK': {
        const op = lastName(s.operName);
        if (op !== '<>' && op !== '!=') throw unsupported(`${op} ALL(subquery)`);
        return `(${this.expr(s.testexpr, where)}) NOT IN (${sub})`;
      }
      case 'ARRAY_SUBLINK': {
        const name = `_pg_array${++this.counter}`;
        this.found.pgFunctions = true;
        return `(WITH ${name}(v) AS (${sub}) SELECT pg_array_agg(v) FROM ${name})`;
      }
      default:
        throw unsupported(`${String(s.subLinkType).replace(/_SUBLINK$/, '')} subqueries`);
    }
  }

  private sqlValueFunction(op: string): string {
    switch (op) {
      case 'SVFOP_CURRENT_TIMESTAMP':
      case 'SVFOP_LOCALTIMESTAMP':
        this.found.pgFunctions = true;
        return 'now()';
      case 'SVFOP_CURRENT_DATE':
        return "date('now')";
      case 'SVFOP_CURRENT_USER':
      case 'SVFOP_SESSION_USER':
      case 'SVFOP_CURRENT_ROLE':
      case 'SVFOP_USER':
      case 'SVFOP_CURRENT_CATALOG':
      case 'SVFOP_CURRENT_SCHEMA':
        this.found.pgFunctions = true;
        return `${op.replace(/^SVFOP_/, '').toLowerCase().replace(/^user$/, 'current_user')}()`;
      default:
        throw unsupported(op.replace(/^SVFOP_/, '').toLowerCase());
    }
  }

  private cast(c: TypeCast, where: Where): string {
    const name = typeName(c);
    const base = name.replace(/\s*\(.*\)$/, '');
    const target = castKind(base);
    const from = this.kinds.of(c.arg);
    // The argument of a cast to numeric is computed exactly too when the cast's result is shown.
    const arg = this.expr(c.arg, target === 'numeric' || !where.numericText ? where : { ...where, numericText: false });
    const literal = !!c.arg && ('A_Const' in c.arg || 'ParamRef' in c.arg);
    const mods = castModifiers(c);
    if (target === 'text' && !name.endsWith('[]')) {
      // `$1::text` is text, as Postgres types a parameter by its cast: '7' stays '7', not the number 7 ('7.0').
      if (c.arg && 'ParamRef' in c.arg) this.kindParam(c.arg.ParamRef.number ?? 0, 'text');
      // As Postgres's output function writes the value; varchar(n) and char(n) keep n characters (char pads).
      const text = this.asText(c.arg, arg);
      this.found.pgFunctions ||= text !== arg;
      const n = mods[0];
      if (n === undefined || Number.isNaN(n)) return text === arg ? `CAST(${arg} AS TEXT)` : text;
      return /^(char|character|bpchar)$/.test(base) ? `pg_rpad(${text}, ${n}, ' ')` : `pg_substr(${text}, 1, ${n})`;
    }
    if (target === 'int' && from !== 'bool') {
      // numeric rounds half away from zero, float8 to even, text must be an integer (SQLite's CAST truncates 3.7 and reads 'abc' as 0).
      const width = /^(int2|smallint)$/.test(base) ? 'int2' : /^(int|int4|integer|serial)$/.test(base) ? 'int4' : 'int8';
      return `pg_int(${arg}, '${width}', '${from ?? ''}')`;
    }
    if (target === 'numeric') {
      const scale = mods[1] ?? (mods.length ? 0 : undefined);
      if (scale !== undefined && !Number.isNaN(scale)) return where.numericText ? `pg_numeric_round(${arg}, ${scale})` : `pg_round(${arg}, ${scale})`;
      if (where.numericText) return from === 'numeric' ? arg : `pg_text(${arg}, 'numeric')`;
    }
    if (base === 'interval') throw new DoqlError('parse', "INTERVAL is added to or taken from a time, e.g. now() - interval '7 days' or created_at + interval '1 hour'", { sqlState: '0A000' });
    // Times as DigitalOcean writes them, so that `created_at > '2024-06-01'::timestamp` compares like with like.
    if (base === 'date') {
      this.found.pgFunctions = true;
      return `pg_date(${arg})`;
    }
    if (isTimestamp(base) || /^timestamp with(out)? time zone$/.test(base)) {
      this.found.pgFunctions = true;
      return `pg_timestamptz(${arg})`;
    }
    if (base === 'numeric' || base === 'decimal') return `CAST(${arg} AS REAL)`;
    switch (castTarget(base)) {
      case 'ARRAY':
      case 'UNKNOWN':
        return arg;
      case 'REG':
        this.found.pgFunctions = true;
        return literal ? `pg_reg_oid(${quoteString(base)}, ${arg})` : `pg_reg_name(${quoteString(base)}, ${arg})`;
      case 'BOOLEAN':
        this.found.pgFunctions = true;
        return `pg_bool(${arg})`;
      case 'JSON':
        return `CAST(${arg} AS TEXT)`;
      default:
        return `CAST(${arg} AS ${castTarget(base)})`;
    }
  }

  protected funcCall(f: FuncCall, where: Where): string {
    const replaced = this.replaced.get(f);
    if (replaced) return replaced;
    const parts = names(f.funcname).map((s) => s.toLowerCase());
    const name = parts[parts.length - 1];
    if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'pg_catalog')) throw unsupported(`the function ${parts.join('.')}`);
    const args = f.args ?? [];
    if (f.funcformat === 'COERCE_SQL_SYNTAX') return this.sqlSyntaxCall(name, args, where);
    if (f.agg_within_group) return this.withinGroup(name, f, where);
    if (ARRAY_READERS.has(name)) this.checkArray(args[0], name);
    if (name === 'to_char' && args[1] && 'A_Const' in args[1] && args[1].A_Const.sval) checkToCharPattern(args[1].A_Const.sval.sval ?? '');
    if (name === 'unnest' || name === 'generate_series' || name === 'generate_subscripts' || /^jsonb?_array_elements(_text)?$/.test(name)) {
      throw unsupported(`${name}(…) here`, 'a set-returning function goes in FROM (… , unnest(tags) AS t) or at the top of a select list');
    }
    if (f.func_variadic) throw unsupported('VARIADIC arguments');
    const special = this.exactCall(name, f, where);
    if (special !== undefined) {
      this.found.pgFunctions = true;
      return special;
    }
    const sqliteName = RENAMED_FUNCTIONS[name] ?? name;
    if (SESSION_FUNCTIONS.has(name) || sqliteName.startsWith('pg_')) this.found.pgFunctions = true;
    let inner = f.agg_star ? '*' : this.list(args, where);
    if (f.agg_distinct) inner = `DISTINCT ${inner}`;
    if (f.agg_order?.length) inner += ` ORDER BY ${this.orderBy(f.agg_order, where)}`;
    let out = `${sqliteName}(${inner})`;
    if (f.agg_filter) out += ` FILTER (WHERE ${this.expr(f.agg_filter, { filter: false })})`;
    if (f.over) out += ` OVER ${this.window(f.over, where)}`;
    return out;
  }

  /** The same call under another name, with its aggregate modifiers (DISTINCT, ORDER BY, FILTER, OVER). */
  private callAs(sqliteName: string, f: FuncCall, args: string[], where: Where): string {
    let inner = f.agg_star ? '*' : args.join(', ');
    if (f.agg_distinct) inner = `DISTINCT ${inner}`;
    if (f.agg_order?.length) inner += ` ORDER BY ${this.orderBy(f.agg_order, { ...where, numericText: false })}`;
    let out = `${sqliteName}(${inner})`;
    if (f.agg_filter) out += ` FILTER (WHERE ${this.expr(f.agg_filter, { filter: false })})`;
    if (f.over) out += ` OVER ${this.window(f.over, { ...where, numericText: false })}`;
    return out;
  }

  /**
   * Calls whose SQLite namesake answers differently from Postgres (round, substr, json_agg …): the function
   * that gives Postgres's answer. Undefined for any other call.
   */
  private exactCall(name: string, f: FuncCall, where: Where): string | undefined {
    const args = f.args ?? [];
    const plain = (): string[] => args.map((a) => this.expr(a, where));
    const kind = this.kinds.of(args[0]);
    switch (name) {
      case 'round':
      case 'trunc': {
        if (kind === 'float') {
          if (args.length > 1) return undefined; // Postgres has no round(float8, int): its error stands
          return name === 'round' ? `pg_rint(${this.expr(args[0], where)})` : `CAST(${this.expr(args[0], where)} AS INTEGER) + 0.0`;
        }
        const [x, n] = plain();
        if (where.numericText) return `pg_numeric_round(${x}, ${n ?? 0}, '${name}')`;
        return name === 'round' ? `pg_round(${x}, ${n ?? 0})` : `pg_trunc(${x}, ${n ?? 0})`;
      }
      case 'ceil':
      case 'ceiling':
      case 'floor':
        return where.numericText ? `pg_text(${name === 'floor' ? 'floor' : 'ceil'}(${plain()[0]}), 'numeric')` : undefined;
      case 'sum':
        if (kind === 'float') return this.callAs('pg_float8_sum', f, plain(), where);
        return where.numericText && kind === 'numeric' && !f.over ? this.callAs('pg_numeric_sum', f, plain(), where) : undefined;
      case 'avg':
        if (kind === 'float') return this.callAs('pg_float8_avg', f, plain(), where);
        return where.numericText && (kind === 'int' || kind === 'numeric') ? this.callAs('pg_avg_numeric', f, plain(), where) : undefined;
      case 'string_agg':
        if (f.agg_distinct) throw unsupported('string_agg(DISTINCT …)', 'SQLite keeps DISTINCT for one argument: use string_agg(x, \',\') over SELECT DISTINCT x in a subquery');
        return undefined;
      case 'min':
      case 'max':
        return where.numericText ? `pg_text(${this.callAs(name, f, plain(), where)}, 'numeric')` : undefined;
      case 'extract': // (as a plain call: date_part's float8)
        return undefined;
      case 'substr':
      case 'substring':
        return `pg_substr(${plain().join(', ')})`;
      case 'concat':
      case 'concat_ws':
        // concat writes a boolean as Postgres's output function does: t or f.
        return `${name}(${args.map((a, i) => (name === 'concat_ws' && i === 0 ? this.expr(a, where) : this.asText(a, this.expr(a, where), 'letter'))).join(', ')})`;
      case 'to_timestamp':
        if (args.length > 1) throw unsupported('to_timestamp(text, format)', "cast the text instead: '2024-01-02'::timestamptz");
        return undefined;
      case 'json_typeof':
      case 'jsonb_typeof':
        return `pg_jsonb_typeof(json_type(${plain()[0]}))`;
      case 'to_json':
      case 'to_jsonb': {
        const x = this.expr(args[0], where);
        if (kind === 'bool' || kind === 'jsonb' || kind === 'json') return this.asJson(args[0], kind === 'bool' ? x : `json(${x})`);
        if (kind === 'int' || kind === 'float' || kind === 'numeric') return `json(${x})`;
        if (kind === 'text') return `json_quote(${x})`;
        throw unsupported(`${name}(…) of this type`, 'to_jsonb of text, numbers, booleans and JSON');
      }
      case 'json_build_object':
      case 'jsonb_build_object':
      case 'json_build_array':
      case 'jsonb_build_array': {
        const call = `${RENAMED_FUNCTIONS[name]}(${args.map((a) => this.asJson(a, this.expr(a, where))).join(', ')})`;
        return name.startsWith('jsonb') ? call : `pg_json_text(${call}, '${name === 'json_build_object' ? 'object' : 'array'}')`;
      }
      case 'json_agg':
      case 'jsonb_agg': {
        // Over no rows Postgres gives NULL (json_group_array gives []); json's text has a space after each comma.
        const call = `nullif(${this.callAs('json_group_array', f, args.map((a) => this.asJson(a, this.expr(a, where))), where)}, '[]')`;
        return name === 'json_agg' ? `pg_json_text(${call}, 'array')` : call;
      }
      default:
        return undefined;
    }
  }

  /** Calls the grammar wrote for SQL's own syntax: extract(… FROM …), trim(… FROM …), substring(… FROM …). */
  private sqlSyntaxCall(name: string, args: Node[], where: Where): string {
    switch (name) {
      case 'extract': {
        const [field, source] = args;
        const f = field && 'A_Const' in field ? (field.A_Const.sval?.sval ?? '') : '';
        this.found.pgFunctions = true;
        const part = `date_part(${quoteString(f.toLowerCase())}, ${this.expr(source, { ...where, numericText: false })})`;
        // extract gives numeric: seconds and the epoch with six digits after the point (date_part gives float8).
        if (!where.numericText) return part;
        const scale = /^(epoch|second|seconds)$/i.test(f) ? 6 : /^millisecond/i.test(f) ? 3 : 0;
        return `pg_numeric_round(${part}, ${scale})`;
      }
      case 'btrim':
      case 'ltrim':
      case 'rtrim': {
        const [source, chars] = args;
        const fn = name === 'btrim' ? 'trim' : name;
        return `${fn}(${this.expr(source, where)}${chars ? `, ${this.expr(chars, where)}` : ''})`;
      }
      case 'substring': {
        if (args.length === 2 && args[1] && !('A_Const' in args[1] && args[1].A_Const.ival)) throw unsupported('substring(… FROM pattern)');
        this.found.pgFunctions = true;
        return `pg_substr(${this.list(args, where)})`;
      }
      case 'position':
        return `instr(${this.expr(args[0], where)}, ${this.expr(args[1], where)})`;
      default:
        throw unsupported(`${name}(…) in SQL syntax`);
    }
  }

  /** `percentile_cont(f) WITHIN GROUP (ORDER BY x [DESC])` → pg_percentile_cont(f, x, 1), and so on. */
  private withinGroup(name: string, f: FuncCall, where: Where): string {
    if (!ORDERED_SET_AGGREGATES.has(name)) throw unsupported(`${name}(…) WITHIN GROUP`, 'doql does percentile_cont, percentile_disc and mode');
    const order = f.agg_order ?? [];
    if (order.length !== 1) throw unsupported(`${name}: WITHIN GROUP over several expressions`);
    const args = f.args ?? [];
    if (name === 'mode' ? args.length !== 0 : args.length !== 1) {
      throw unsupported(name === 'mode' ? 'mode() with arguments' : `${name} with several fractions`, name === 'mode' ? 'mode() WITHIN GROUP (ORDER BY x)' : `${name}(0.5) WITHIN GROUP (ORDER BY x)`);
    }
    const by = (order[0] as { SortBy: SortBy }).SortBy;
    this.found.pgFunctions = true;
    const descending = by.sortby_dir === 'SORTBY_DESC' ? 1 : 0;
    return `pg_${name}(${args.length ? `${this.expr(args[0], where)}, ` : ''}${this.expr(by.node, where)}, ${descending})`;
  }

  /**
   * ORDER BY items with Postgres's NULL order written out (NULLs last going up, first going down; SQLite's
   * default is the other way round).
   */
  orderBy(items: Node[], where: Where = {}): string {
    return items
      .map((item) => {
        if (!('SortBy' in item)) throw unsupported(kindOf(item));
        const s = item.SortBy;
        if (s.sortby_dir === 'SORTBY_USING') throw unsupported('ORDER BY … USING');
        const desc = s.sortby_dir === 'SORTBY_DESC';
        const nulls = s.sortby_nulls === 'SORTBY_NULLS_FIRST' ? 'FIRST' : s.sortby_nulls === 'SORTBY_NULLS_LAST' ? 'LAST' : desc ? 'FIRST' : 'LAST';
        return `${this.sortKey(s.node, where)}${desc ? ' DESC' : ''} NULLS ${nulls}`;
      })
      .join(', ');
  }

  /** An ORDER BY key (the statement emitter resolves output-column positions and names). */
  protected sortKey(node: Node | undefined, where: Where): string {
    return this.expr(node, where);
  }

  window(w: WindowDef, where: Where): string {
    if (w.name && !w.partitionClause && !w.orderClause && !w.refname) return quoteIdent(w.name);
    const parts: string[] = [];
    if (w.refname) parts.push(quoteIdent(w.refname));
    if (w.partitionClause?.length) parts.push(`PARTITION BY ${this.list(w.partitionClause, where)}`);
    if (w.orderClause?.length) parts.push(`ORDER BY ${this.orderBy(w.orderClause, where)}`);
    const frame = this.frame(w);
    if (frame) parts.push(frame);
    return `(${parts.join(' ')})`;
  }

  /** A window's frame clause from Postgres's frameOptions bits (parsenodes.h FRAMEOPTION_*). */
  private frame(w: WindowDef): string {
    const o = w.frameOptions ?? 0;
    if (!(o & 0x1)) return '';
    const mode = o & 0x4 ? 'ROWS' : o & 0x8 ? 'GROUPS' : 'RANGE';
    const offset = (node: Node | undefined): string => {
      if (intervalLiteral(node) !== undefined) {
        throw new DoqlError('parse', "INTERVAL is added to or taken from a time, e.g. now() - interval '7 days' or created_at + interval '1 hour'", { sqlState: '0A000' });
      }
      return this.expr(node);
    };
    const bound = (start: boolean): string => {
      const [up, uf, cur, op, of] = start ? [0x20, 0x80, 0x200, 0x800, 0x2000] : [0x40, 0x100, 0x400, 0x1000, 0x4000];
      if (o & up) return 'UNBOUNDED PRECEDING';
      if (o & uf) return 'UNBOUNDED FOLLOWING';
      if (o & cur) return 'CURRENT ROW';
      if (o & op) return `${offset(start ? w.startOffset : w.endOffset)} PRECEDING`;
      if (o & of) return `${offset(start ? w.startOffset : w.endOffset)} FOLLOWING`;
      return 'CURRENT ROW';
    };
    const exclude = o & 0x8000 ? ' EXCLUDE CURRENT ROW' : o & 0x10000 ? ' EXCLUDE GROUP' : o & 0x20000 ? ' EXCLUDE TIES' : '';
    return o & 0x10 ? `${mode} BETWEEN ${bound(true)} AND ${bound(false)}${exclude}` : `${mode} ${bound(true)}${exclude}`;
  }
}

function isNow(node: Node | undefined): boolean {
  if (!node) return false;
  if ('FuncCall' in node) return lastName(node.FuncCall.funcname).toLowerCase() === 'now';
  return 'SQLValueFunction' in node && node.SQLValueFunction.op === 'SVFOP_CURRENT_TIMESTAMP';
}

/** A node's construct in words, for the error that refuses it. */
export function describeNode(node: Node): string {
  const kind = kindOf(node);
  const words: Record<string, string> = {
    XmlExpr: 'XML functions',
    XmlSerialize: 'XMLSERIALIZE',
    JsonObjectConstructor: 'JSON_OBJECT(…)',
    JsonArrayConstructor: 'JSON_ARRAY(…)',
    JsonIsPredicate: 'IS JSON',
    MergeSupportFunc: 'MERGE_ACTION()',
    SetToDefault: 'DEFAULT',
    GroupingSet: 'GROUPING SETS, ROLLUP and CUBE',
  };
  return words[kind] ?? kind.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ');
}
