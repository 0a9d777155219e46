// The columns a one-table GROUP BY groups on, so that the table's rows can reach SQLite with equal keys together.
// SQLite sorts a GROUP BY's rows; rows arriving in runs of equal keys make that sort a fraction of its work
// (about 25 ms of a 100,000-row GROUP BY), and its sort keeps equal keys in arrival order, so a reorder that
// keeps each group's rows in their order changes no result. Only a statement that reads its one table once
// qualifies: another read of it (a subquery, a CTE, a UNION's other side) would see the reordered rows too.
import type { A_Expr, Node, ResTarget, SelectStmt } from '@pgsql/types';
import { names, visit } from './nodes.js';
import type { Scope } from './scope.js';

export interface GroupOrder {
  /** The SQLite table (Scope.tableName). */
  table: string;
  /** Its columns the GROUP BY lists, in order: real columns and hidden path columns (`region->>$.slug`). */
  columns: string[];
}

/** The group keys of `stmt` as columns of its one table; undefined when it is not that simple. */
export function groupOrder(stmt: Node, scope: Scope): GroupOrder | undefined {
  if (!('SelectStmt' in stmt)) return undefined;
  const s: SelectStmt = stmt.SelectStmt;
  if (!s.groupClause?.length || s.op !== 'SETOP_NONE' || s.withClause || s.fromClause?.length !== 1) return undefined;
  const from = s.fromClause[0];
  if (!('RangeVar' in from) || scope.resources.length !== 1) return undefined;
  const id = scope.resourceOf(from.RangeVar);
  const shape = id ? scope.info.shape(id) : undefined;
  if (!id || !shape || !readsOneTableOnce(stmt)) return undefined;
  const alias = scope.aliasFor(from.RangeVar).toLowerCase();
  const targets = (s.targetList ?? []).map((t) => (t as { ResTarget: ResTarget }).ResTarget);
  const columns: string[] = [];
  for (const key of s.groupClause) {
    const column = keyColumn(key, targets, alias, shape.columns, scope);
    if (column === undefined) return undefined;
    columns.push(column);
  }
  return { table: scope.tableName(id), columns };
}

/** The statement has one RangeVar and nothing that reads a table again (subqueries, table functions). */
function readsOneTableOnce(stmt: Node): boolean {
  let ranges = 0;
  let other = false;
  visit(stmt, (key) => {
    if (key === 'RangeVar') ranges++;
    else if (key === 'SubLink' || key === 'RangeSubselect' || key === 'RangeFunction' || key === 'CommonTableExpr') other = true;
  });
  return ranges === 1 && !other;
}

/**
 * The table column a GROUP BY item stands for: a position in the select list, an input column (which Postgres
 * prefers to an output name), an output name, or a path read as a hidden column; undefined for an expression.
 */
function keyColumn(key: Node, targets: ResTarget[], alias: string, columns: ReadonlySet<string>, scope: Scope): string | undefined {
  let expr: Node | undefined = key;
  if ('A_Const' in key) {
    const position = key.A_Const.ival?.ival;
    expr = position !== undefined && position >= 1 ? targets[position - 1]?.val : undefined;
  } else if ('ColumnRef' in key) {
    const fields = names(key.ColumnRef.fields);
    if (fields.length === 1 && !columns.has(fields[0])) expr = targets.find((t) => t.name === fields[0])?.val;
  }
  if (!expr) return undefined;
  if ('ColumnRef' in expr) {
    const fields = names(expr.ColumnRef.fields);
    const column = fields[fields.length - 1];
    const qualified = fields.length === 1 || (fields.length === 2 && fields[0].toLowerCase() === alias);
    return qualified && columns.has(column) ? column : undefined;
  }
  if ('A_Expr' in expr) return scope.pathReference(expr.A_Expr as A_Expr)?.name;
  return undefined;
}
