// Postgres's rule for a grouped query (GROUP BY, HAVING, or an aggregate in it): outside an aggregate, its select
// list, HAVING and ORDER BY may read only what it groups by. SQLite answers such a query with one row's value
// (`SELECT name, count(*) FROM t` shows some droplet's name), so the rule is checked on the tree, before
// anything runs, with Postgres's error (42803).
import type { FuncCall, Node, SelectStmt } from '@pgsql/types';
import { DoqlError } from '../../errors.js';
import { AGGREGATES } from './functions.js';
import { lastName, names, visit } from './nodes.js';
import { columnName } from './result-columns.js';

/**
 * Checks every SELECT level of a statement that reads no outer query's columns (the statement's own, its CTEs and
 * FROM subqueries; not subqueries in expressions, where a name may be an outer column, which may be grouped there).
 * Where doql cannot tell (a name that is also an output column's, an expression grouped under another spelling),
 * it lets the query run, as before.
 * @throws DoqlError 42803 naming the first column read outside an aggregate that is not grouped.
 */
export function checkGrouping(stmt: Node): void {
  for (const level of uncorrelatedLevels(stmt)) checkLevel(level);
}

/** The SELECT levels of `stmt` outside expression subqueries: set operations' members, CTEs, FROM subqueries. */
function uncorrelatedLevels(stmt: Node): SelectStmt[] {
  const out: SelectStmt[] = [];
  visit(stmt, (key, o) => (key === 'SelectStmt' || key === 'larg' || key === 'rarg') && out.push(o as SelectStmt), { subqueries: false });
  return out;
}

/** A node's shape without its text positions, and with every column named by its last name (`d.name` is `name`). */
function shape(node: Node | undefined): string {
  return JSON.stringify(node, (key, value: unknown) => {
    if (key === 'location') return undefined;
    if (key === 'ColumnRef') return { fields: [lastName((value as { fields?: Node[] }).fields)] };
    return value;
  });
}

const isAggregate = (f: FuncCall): boolean => !f.over && AGGREGATES.has(lastName(f.funcname).toLowerCase());

function checkLevel(s: SelectStmt): void {
  if (s.op && s.op !== 'SETOP_NONE') return;
  // GROUPING SETS, ROLLUP and CUBE are refused by the translation, naming them.
  if (s.groupClause?.some((g) => 'GroupingSet' in g && g.GroupingSet.kind !== 'GROUPING_SET_EMPTY')) return;
  const targets = (s.targetList ?? []).flatMap((t) => ('ResTarget' in t && t.ResTarget.val ? [{ node: t.ResTarget.val, name: t.ResTarget.name ?? columnName(t.ResTarget.val) }] : []));
  const sorts = (s.sortClause ?? []).flatMap((o) => ('SortBy' in o && o.SortBy.node ? [o.SortBy.node] : []));
  const read = [...targets.map((t) => t.node), ...(s.havingClause ? [s.havingClause] : []), ...sorts];
  if (!s.groupClause?.length && !s.havingClause && !read.some(hasAggregate)) return;
  // What the level groups by: GROUP BY's expressions, `GROUP BY 2` the second output, `GROUP BY n` an output's too.
  const grouped = new Set<string>();
  for (const g of s.groupClause ?? []) {
    if ('GroupingSet' in g) continue;
    const position = 'A_Const' in g ? g.A_Const.ival?.ival : undefined;
    if (position !== undefined) {
      const target = targets[position - 1];
      if (target) grouped.add(shape(target.node));
      continue;
    }
    grouped.add(shape(g));
    const named = 'ColumnRef' in g && g.ColumnRef.fields?.length === 1 ? targets.find((t) => t.name === lastName(g.ColumnRef.fields)) : undefined;
    if (named) grouped.add(shape(named.node));
  }
  const outputs = new Set(targets.map((t) => t.name));
  const from = s.fromClause ?? [];
  for (const node of read) {
    // ORDER BY may name an output column, or give its position.
    if (sorts.includes(node) && (('A_Const' in node && node.A_Const.ival !== undefined) || ('ColumnRef' in node && node.ColumnRef.fields?.length === 1 && outputs.has(lastName(node.ColumnRef.fields))))) continue;
    const column = ungrouped(node, grouped);
    if (column !== undefined) {
      throw new DoqlError('validation', `column "${qualified(column, from)}" must appear in the GROUP BY clause or be used in an aggregate function`, { sqlState: '42803' });
    }
  }
}

/** The first column `node` reads outside aggregates and grouped expressions (subqueries are not looked into). */
function ungrouped(node: Node, grouped: ReadonlySet<string>): string[] | undefined {
  let found: string[] | undefined;
  const walk = (v: unknown, key: string): void => {
    if (found || v === null || typeof v !== 'object' || key === 'SubLink') return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, key);
      return;
    }
    if (key && grouped.has(shape({ [key]: v } as Node))) return;
    if (key === 'FuncCall' && isAggregate(v as FuncCall)) return;
    if (key === 'ColumnRef') {
      const fields = names((v as { fields?: Node[] }).fields);
      // `*` (SELECT *, count(*)): Postgres names the first column it stands for; doql leaves it to run, as before.
      if (!fields.includes('*')) found = fields;
      return;
    }
    for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(node, '');
  return found;
}

/** Whether an aggregate call is in `node`, outside its subqueries (a window function's own call is not one). */
function hasAggregate(node: Node): boolean {
  let found = false;
  visit(node, (key, o) => key === 'FuncCall' && isAggregate(o as FuncCall) && (found = true), { subqueries: false });
  return found;
}

/** A column as Postgres's error names it: `d.memory`, or the one table's name before an unqualified one. */
function qualified(fields: string[], from: Node[]): string {
  if (fields.length > 1) return fields.slice(-2).join('.');
  const only = from.length === 1 ? from[0] : undefined;
  const table = only && 'RangeVar' in only ? (only.RangeVar.alias?.aliasname ?? only.RangeVar.relname) : only && 'RangeSubselect' in only ? only.RangeSubselect.alias?.aliasname : undefined;
  return table ? `${table}.${fields[0]}` : fields[0];
}
