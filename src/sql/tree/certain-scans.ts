// Which resource a SELECT is certain to list in full, from its syntax tree alone: a request the statement makes
// whatever plan SQLite picks, so the engine may send it before SQLite is even loaded (engine/select.ts). Deliberately
// narrow: anything that could keep SQLite from reading the table, give it a parameter, or fail before it reads it
// (WHERE, LIMIT, a subquery, an unknown name, a cast or function that may throw once up front) means "not certain",
// and the statement runs as it always did. A wrong "certain" would send a request the statement never makes.
import type { A_Expr, JoinExpr, Node, RangeVar, SelectStmt } from '@pgsql/types';
import { CONTEXT_COLUMN } from '../../engine/accounts.js';
import { kindOf, lastName, names } from './nodes.js';
import type { Scope } from './scope.js';

/** Aggregates SQLite has built in: over a column or `*` they cannot fail when the statement is prepared. */
const AGGREGATES = new Set(['count', 'sum', 'min', 'max', 'avg']);
/** Operators that compare or combine values without ever failing. */
const OPERATORS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);
const JSON_OPERATORS = new Set(['->>', '->']);

/** One table of the FROM: its alias (lower-cased), resource, and columns by kind. */
interface Table {
  alias: string;
  id: string;
  columns: ReadonlySet<string>;
  /** Hidden columns: API parameters (a colliding one under its column's name too) and the account. */
  hidden: ReadonlySet<string>;
}

/**
 * The resource id whose table the statement reads first and whole, with no parameter, on any plan; undefined when
 * that is not certain. Certain means: one plain SELECT level (no WITH, set operation, WHERE, HAVING, LIMIT, OFFSET,
 * locking), a FROM of one table or a chain of INNER/LEFT joins with ON on plain tables, the first of which nothing
 * constrains and every inner join's table takes an API parameter from an earlier table's column (so that
 * better-sqlite3, which refuses a plan leaving such a parameter unset, must read it later); every expression built
 * only from known columns, constants, comparisons and SQLite's own aggregates.
 */
export function certainScan(stmt: Node, scope: Scope): string | undefined {
  if (!('SelectStmt' in stmt)) return undefined;
  const s: SelectStmt = stmt.SelectStmt;
  if ((s.op && s.op !== 'SETOP_NONE') || s.withClause || s.whereClause || s.havingClause || s.limitCount || s.limitOffset) return undefined;
  if (s.lockingClause?.length || s.valuesLists?.length || s.intoClause || s.windowClause?.length || s.fromClause?.length !== 1) return undefined;
  // The join chain, first table first.
  const joins: JoinExpr[] = [];
  let node: Node = s.fromClause[0];
  while ('JoinExpr' in node) {
    joins.unshift(node.JoinExpr);
    node = node.JoinExpr.larg!;
    if (!node) return undefined;
  }
  const first = table(node, scope);
  if (!first) return undefined;
  const tables: Table[] = [first];
  for (const j of joins) {
    if ((j.jointype !== 'JOIN_INNER' && j.jointype !== 'JOIN_LEFT') || j.isNatural || j.usingClause?.length || j.alias || !j.quals || !j.rarg) return undefined;
    const t = table(j.rarg, scope);
    if (!t || tables.some((x) => x.alias === t.alias)) return undefined;
    tables.push(t);
  }
  const refs = new Refs(tables);
  // Each join's ON: AND-ed terms of known columns; a hidden column only as `hidden = earlier table's column`.
  for (let i = 0; i < joins.length; i++) {
    const own = tables[i + 1];
    let fed = false;
    for (const term of conjuncts(joins[i].quals!)) {
      const feed = refs.feeds(term, own, tables.slice(0, i + 1));
      if (feed) {
        fed = true;
        continue;
      }
      if (!refs.plain(term, false)) return undefined;
    }
    // An inner join's table could otherwise be read first, and an empty one would leave the first table unread.
    if (joins[i].jointype === 'JOIN_INNER' && !fed) return undefined;
  }
  for (const target of s.targetList ?? []) {
    if (!('ResTarget' in target) || !target.ResTarget.val || !refs.plain(target.ResTarget.val, true)) return undefined;
  }
  // GROUP BY and ORDER BY: columns only (a number there names an output column, and may be out of range).
  for (const g of s.groupClause ?? []) if (!refs.column(g)) return undefined;
  for (const d of s.distinctClause ?? []) if (Object.keys(d).length && !refs.column(d)) return undefined;
  for (const o of s.sortClause ?? []) {
    if (!('SortBy' in o) || o.SortBy.useOp?.length || !o.SortBy.node || !refs.column(o.SortBy.node)) return undefined;
  }
  return refs.touched(first) ? undefined : first.id;
}

/** A FROM item that is a resource's table. */
function table(node: Node, scope: Scope): Table | undefined {
  if (!('RangeVar' in node)) return undefined;
  const rv: RangeVar = node.RangeVar;
  const id = scope.resourceOf(rv);
  const shape = id ? scope.info.shape(id) : undefined;
  if (!id || !shape) return undefined;
  const hidden = new Set([CONTEXT_COLUMN, ...shape.params, ...scope.info.colliding(id)]);
  return { alias: scope.aliasFor(rv).toLowerCase(), id, columns: shape.columns, hidden };
}

function conjuncts(node: Node): Node[] {
  if ('BoolExpr' in node && node.BoolExpr.boolop === 'AND_EXPR') return (node.BoolExpr.args ?? []).flatMap(conjuncts);
  return [node];
}

/** Column references resolved against the FROM's tables; remembers which tables' hidden columns were named. */
class Refs {
  private readonly hiddenNamed = new Set<Table>();

  constructor(private readonly tables: Table[]) {}

  /** Whether any reference named a hidden column of `t` (which SQLite could then hand it as a parameter). */
  touched(t: Table): boolean {
    return this.hiddenNamed.has(t);
  }

  /** The table and column a ColumnRef reads, when exactly one table has it. */
  resolve(node: Node): { table: Table; column: string; hidden: boolean } | undefined {
    if (!('ColumnRef' in node)) return undefined;
    const fields = names(node.ColumnRef.fields);
    if (fields.some((f) => f === '' || f === '*') || fields.length > 2) return undefined;
    const column = fields[fields.length - 1];
    const has = (t: Table): boolean => t.columns.has(column) || t.hidden.has(column);
    const owners = fields.length === 2 ? this.tables.filter((t) => t.alias === fields[0].toLowerCase()) : this.tables.filter(has);
    if (owners.length !== 1 || !has(owners[0])) return undefined;
    const hidden = owners[0].hidden.has(column);
    if (hidden) this.hiddenNamed.add(owners[0]);
    return { table: owners[0], column, hidden };
  }

  /** `*` or `alias.*` of a table of the FROM. */
  private star(node: Node): boolean {
    if (!('ColumnRef' in node)) return false;
    const fields = names(node.ColumnRef.fields);
    if (fields[fields.length - 1] !== '*') return false;
    return fields.length === 1 || (fields.length === 2 && this.tables.some((t) => t.alias === fields[0].toLowerCase()));
  }

  /** A plain (visible) column, or a hidden one read as a value (GROUP BY, ORDER BY, the select list). */
  column(node: Node): boolean {
    return this.resolve(node) !== undefined;
  }

  /** `own.param = earlier.column`: the term that makes `own` read after `earlier`. */
  feeds(term: Node, own: Table, earlier: Table[]): boolean {
    if (!('A_Expr' in term)) return false;
    const e: A_Expr = term.A_Expr;
    if (e.kind !== 'AEXPR_OP' || lastName(e.name) !== '=' || !e.lexpr || !e.rexpr) return false;
    for (const [a, b] of [
      [e.lexpr, e.rexpr],
      [e.rexpr, e.lexpr],
    ] as const) {
      if (!('ColumnRef' in a) || !('ColumnRef' in b)) continue;
      const param = this.resolve(a);
      const value = this.resolve(b);
      if (param?.table === own && param.hidden && !own.columns.has(param.column) && value && !value.hidden && earlier.includes(value.table)) return true;
    }
    return false;
  }

  /**
   * An expression that reads only visible columns and cannot fail before the first row: comparisons with a column
   * on one side (two constants would be computed once, up front), AND/OR/NOT, IS NULL, and, in the select list,
   * SQLite's aggregates over a column or `*`. A hidden column may be read in the select list only.
   */
  plain(node: Node, selectList: boolean): boolean {
    switch (kindOf(node)) {
      case 'ColumnRef': {
        if (selectList && this.star(node)) return true;
        const r = this.resolve(node);
        return r !== undefined && (selectList || !r.hidden);
      }
      case 'A_Const':
        return selectList;
      case 'A_Expr': {
        const e = (node as { A_Expr: A_Expr }).A_Expr;
        if (e.kind !== 'AEXPR_OP' || !e.lexpr || !e.rexpr) return false;
        // `region ->> 'slug'`: read from each row's object (or JSON text), never computed up front.
        if (JSON_OPERATORS.has(lastName(e.name))) return 'ColumnRef' in e.lexpr && this.plain(e.lexpr, false) && 'A_Const' in e.rexpr && !e.rexpr.A_Const.isnull;
        if (!OPERATORS.has(lastName(e.name))) return false;
        const sides = [e.lexpr, e.rexpr];
        if (!sides.some((x) => 'ColumnRef' in x)) return false;
        return sides.every((x) => ('A_Const' in x && !x.A_Const.isnull) || this.plain(x, false));
      }
      case 'BoolExpr': {
        const args = (node as { BoolExpr: { args?: Node[] } }).BoolExpr.args ?? [];
        return args.length > 0 && args.every((a) => this.plain(a, false));
      }
      case 'NullTest': {
        const arg = (node as { NullTest: { arg?: Node } }).NullTest.arg;
        return arg !== undefined && 'ColumnRef' in arg && this.plain(arg, false);
      }
      case 'FuncCall': {
        if (!selectList) return false;
        const f = (node as { FuncCall: import('@pgsql/types').FuncCall }).FuncCall;
        if (f.over || f.agg_filter || f.agg_order?.length || f.agg_within_group || f.func_variadic || (f.funcname?.length ?? 0) !== 1) return false;
        if (!AGGREGATES.has(lastName(f.funcname).toLowerCase())) return false;
        if (f.agg_star) return lastName(f.funcname).toLowerCase() === 'count' && !f.args?.length;
        return f.args?.length === 1 && 'ColumnRef' in f.args[0] && this.plain(f.args[0], false);
      }
      default:
        return false;
    }
  }
}
