// SELECT statements of Postgres's syntax tree as SQLite SQL: WITH, set operations, VALUES, FROM items
// (resources, joins, subqueries, table functions), DISTINCT ON through row_number(), set-returning functions
// of a select list as a join, every result column named as Postgres names it.
import type { FuncCall, Node, ResTarget, SelectStmt, SortBy } from '@pgsql/types';
import type { SqlType } from '../../catalog/types.js';
import { DoqlError } from '../../errors.js';
import type { PgTypeName } from '../../engine/types.js';
import { ExprEmitter, type Where } from './emit-expr.js';
import { planHiddenJoins, type HiddenJoins } from './hidden-joins.js';
import { columnName, columnPgType, columnType } from './result-columns.js';
import { AGGREGATES, FROM_FUNCTIONS, SELECT_LIST_FUNCTIONS } from './functions.js';
import { kindOf, lastName, names, quoteIdent, unsupported } from './nodes.js';

/** What the top-level select list fixes for its columns, by position (empty when it has `*`). */
export interface ResultShape {
  columnTypes: (SqlType | undefined)[];
  pgTypes: (PgTypeName | undefined)[];
}

interface Item {
  node: Node;
  name: string;
}

export class SelectEmitter extends ExprEmitter {
  readonly shape: ResultShape = { columnTypes: [], pgTypes: [] };
  private hidden: HiddenJoins = { plusSides: new Map(), using: new Map(), merged: new Map() };

  query(node: Node): string {
    if (!('SelectStmt' in node)) throw unsupported(`${kindOf(node)} as a subquery`);
    return this.select(node.SelectStmt);
  }

  /** The whole statement; its select list (the leftmost of a set operation) gives the result's shape. */
  statement(node: Node): string {
    if (!('SelectStmt' in node)) throw unsupported(kindOf(node));
    this.hidden = planHiddenJoins(node, this.scope);
    this.plusSides = this.hidden.plusSides;
    let top = node.SelectStmt;
    while (top.op && top.op !== 'SETOP_NONE' && top.larg) top = top.larg;
    const first = top.valuesLists?.[0];
    const exprs = first ? (first && 'List' in first ? (first.List.items ?? []) : []) : this.targets(top).map((i) => i.node);
    if (!exprs.some(isStar)) {
      this.shape.columnTypes = exprs.map(columnType);
      this.shape.pgTypes = exprs.map(columnPgType);
    }
    return this.select(node.SelectStmt);
  }

  select(s: SelectStmt): string {
    // Unqualified names of a hidden-column USING read what this level's join merged (hidden-joins.ts).
    const outer = this.merged;
    this.merged = this.hidden.merged.get(s) ?? new Map();
    try {
      return this.selectLevel(s);
    } finally {
      this.merged = outer;
    }
  }

  private selectLevel(s: SelectStmt): string {
    const withSql = s.withClause ? this.withClause(s.withClause) : '';
    if (s.intoClause) throw unsupported('SELECT … INTO');
    if (s.lockingClause?.length) throw unsupported('FOR UPDATE / FOR SHARE');
    let body: string;
    if (s.op && s.op !== 'SETOP_NONE') body = this.setOperation(s);
    else if (s.valuesLists?.length) body = this.values(s);
    else if (s.distinctClause?.length && Object.keys(s.distinctClause[0]).length > 0) return withSql + this.distinctOn(s);
    else body = this.simple(s);
    if (s.op && s.op !== 'SETOP_NONE') body += this.tail(s, {});
    else if (s.valuesLists?.length) body += this.tail(s, {});
    return withSql + body;
  }

  private withClause(w: NonNullable<SelectStmt['withClause']>): string {
    const ctes = (w.ctes ?? []).map((c) => {
      if (!('CommonTableExpr' in c)) throw unsupported(kindOf(c));
      const cte = c.CommonTableExpr;
      if (cte.search_clause || cte.cycle_clause) throw unsupported('SEARCH / CYCLE in WITH');
      const cols = names(cte.aliascolnames);
      const mat = cte.ctematerialized === 'CTEMaterializeAlways' ? ' MATERIALIZED' : cte.ctematerialized === 'CTEMaterializeNever' ? ' NOT MATERIALIZED' : '';
      return `${quoteIdent(cte.ctename ?? '')}${cols.length ? `(${cols.map(quoteIdent).join(', ')})` : ''} AS${mat} (${this.query(cte.ctequery!)})`;
    });
    return `WITH ${w.recursive ? 'RECURSIVE ' : ''}${ctes.join(', ')} `;
  }

  /** `a UNION [ALL] b`: SQLite's compound members take no ORDER BY, LIMIT or WITH of their own, nor brackets. */
  private setOperation(s: SelectStmt): string {
    const op = { SETOP_UNION: 'UNION', SETOP_INTERSECT: 'INTERSECT', SETOP_EXCEPT: 'EXCEPT' }[s.op as string];
    if (!op) throw unsupported(String(s.op));
    if (s.all && op !== 'UNION') throw unsupported(`${op} ALL`);
    const member = (m: SelectStmt | undefined, right: boolean): string => {
      if (!m) throw new DoqlError('internal', 'a set operation lacks a member');
      const plain = !m.sortClause?.length && !m.limitCount && !m.limitOffset && !m.withClause && !(m.distinctClause?.length && Object.keys(m.distinctClause[0]).length > 0);
      const nested = m.op && m.op !== 'SETOP_NONE';
      const sql = this.select(m);
      return plain && !(nested && right) ? sql : `SELECT * FROM (${sql})`;
    };
    return `${member(s.larg, false)} ${op}${s.all ? ' ALL' : ''} ${member(s.rarg, true)}`;
  }

  private values(s: SelectStmt): string {
    const rows = (s.valuesLists ?? []).map((row) => `(${this.list('List' in row ? row.List.items : [row])})`);
    return `VALUES ${rows.join(', ')}`;
  }

  private targets(s: SelectStmt): Item[] {
    return (s.targetList ?? []).map((t) => {
      const r = (t as { ResTarget: ResTarget }).ResTarget;
      return { node: r.val!, name: r.name ?? columnName(r.val) };
    });
  }

  private selectList(s: SelectStmt, items: Item[]): string {
    return items
      .map((item) => {
        if (isStar(item.node)) return this.star(s, names((item.node as { ColumnRef: { fields?: Node[] } }).ColumnRef.fields));
        return `${this.expr(item.node)} AS ${quoteIdent(item.name)}`;
      })
      .join(', ');
  }

  /**
   * `*` over one resource, and `alias.*`, list the resource's own columns, so that the response envelope
   * columns (kept for StackQL's whole-body queries) only appear when named.
   */
  private star(s: SelectStmt, fields: string[]): string {
    this.found.star = true;
    if (fields.length === 1) {
      const from = s.fromClause ?? [];
      const only = from.length === 1 && 'RangeVar' in from[0] ? from[0].RangeVar : undefined;
      const id = only && this.scope.resourceOf(only);
      const cols = id ? this.scope.info.starColumns(id) : undefined;
      return cols?.length ? cols.map(quoteIdent).join(', ') : '*';
    }
    const qualifier = this.scope.column([...fields.slice(0, -1), 'x']).replace(/\."x"$/, '');
    const id = this.scope.resourceOfQualifier(fields.slice(0, -1));
    const cols = id ? this.scope.info.starColumns(id) : undefined;
    return cols?.length ? cols.map((c) => `${qualifier}.${quoteIdent(c)}`).join(', ') : `${qualifier}.*`;
  }

  private simple(s: SelectStmt): string {
    const items = this.targets(s);
    if (!items.length) throw unsupported('a SELECT with no columns');
    const extraFrom = this.selectListFunctions(s, items);
    const distinct = s.distinctClause?.length ? 'DISTINCT ' : '';
    let sql = `SELECT ${distinct}${this.selectList(s, items)}`;
    const from = this.fromList(s.fromClause ?? []);
    const froms = [from, extraFrom].filter(Boolean);
    if (froms.length) sql += ` FROM ${froms.join(', ')}`;
    sql += this.middle(s);
    return sql + this.tail(s, {});
  }

  /** WHERE, GROUP BY, HAVING and WINDOW. */
  private middle(s: SelectStmt): string {
    let sql = '';
    if (s.whereClause) sql += ` WHERE ${this.expr(s.whereClause, { filter: true })}`;
    if (s.groupClause?.length) {
      for (const g of s.groupClause) if ('GroupingSet' in g && g.GroupingSet.kind !== 'GROUPING_SET_EMPTY') throw unsupported('GROUPING SETS, ROLLUP and CUBE');
      if (s.groupDistinct) throw unsupported('GROUP BY DISTINCT');
      const keys = s.groupClause.filter((g) => !('GroupingSet' in g));
      if (keys.length) sql += ` GROUP BY ${this.list(keys)}`;
    }
    if (s.havingClause) sql += ` HAVING ${this.expr(s.havingClause)}`;
    if (s.windowClause?.length) {
      sql += ` WINDOW ${s.windowClause
        .map((w) => {
          const def = (w as { WindowDef: import('@pgsql/types').WindowDef }).WindowDef;
          return `${quoteIdent(def.name ?? '')} AS ${this.window({ ...def, name: undefined }, {})}`;
        })
        .join(', ')}`;
    }
    return sql;
  }

  /** ORDER BY, LIMIT and OFFSET. */
  private tail(s: SelectStmt, where: Where): string {
    let sql = '';
    if (s.sortClause?.length) sql += ` ORDER BY ${this.orderBy(s.sortClause, where)}`;
    if (s.limitOption === 'LIMIT_OPTION_WITH_TIES') throw unsupported('FETCH FIRST … WITH TIES');
    const limit = s.limitCount && !('A_Const' in s.limitCount && s.limitCount.A_Const.isnull) ? this.expr(s.limitCount) : undefined;
    if (limit !== undefined) sql += ` LIMIT ${limit}`;
    if (s.limitOffset) sql += `${limit === undefined ? ' LIMIT -1' : ''} OFFSET ${this.expr(s.limitOffset)}`;
    return sql;
  }

  private fromList(items: Node[]): string {
    return items.map((i) => this.fromItem(i)).join(', ');
  }

  private fromItem(node: Node): string {
    if ('RangeVar' in node) {
      const rv = node.RangeVar;
      if (rv.alias?.colnames?.length) throw unsupported('a column list on a table alias (AS t(a, b))');
      const id = this.scope.resourceOf(rv);
      if (id) return `${quoteIdent(this.scope.tableName(id))} AS ${quoteIdent(this.scope.aliasFor(rv))}`;
      const name = [rv.catalogname, rv.schemaname, rv.relname].filter((x): x is string => !!x).map(quoteIdent).join('.');
      return rv.alias?.aliasname ? `${name} AS ${quoteIdent(rv.alias.aliasname)}` : name;
    }
    if ('JoinExpr' in node) {
      const j = node.JoinExpr;
      if (j.alias) throw unsupported('an alias on a join ((a JOIN b) AS j)');
      const type = { JOIN_INNER: '', JOIN_LEFT: 'LEFT ', JOIN_RIGHT: 'RIGHT ', JOIN_FULL: 'FULL ' }[j.jointype as string];
      if (type === undefined) throw unsupported(String(j.jointype));
      const right = j.rarg && 'JoinExpr' in j.rarg ? `(${this.fromItem(j.rarg)})` : this.fromItem(j.rarg!);
      let sql = `${this.fromItem(j.larg!)} ${j.isNatural ? 'NATURAL ' : ''}${type}JOIN ${right}`;
      // NATURAL JOIN compares every shared column without naming one.
      if (j.isNatural) this.found.star = true;
      const using = names(j.usingClause);
      const on = this.hidden.using.get(j);
      if (on) {
        for (const u of using) this.found.mentioned.add(u.toLowerCase());
        sql += ` ON ${this.expr(on, { filter: true })}`;
      } else if (using.length) {
        for (const u of using) this.found.mentioned.add(u.toLowerCase());
        sql += ` USING (${using.map(quoteIdent).join(', ')})`;
      } else if (j.quals) sql += ` ON ${this.expr(j.quals, { filter: true })}`;
      return sql;
    }
    if ('RangeSubselect' in node) {
      const r = node.RangeSubselect;
      if (r.lateral) throw unsupported('LATERAL subquery', 'join the table and filter with WHERE, or use a table function (unnest, jsonb_array_elements_text)');
      const inner = this.query(r.subquery!);
      const alias = r.alias?.aliasname;
      const cols = names(r.alias?.colnames);
      if (cols.length) {
        // SQLite has no column lists on derived tables: the subquery becomes a CTE that has one.
        const name = `_pg_cols${++this.counter}`;
        return `(WITH ${name}(${cols.map(quoteIdent).join(', ')}) AS (${inner}) SELECT * FROM ${name}) AS ${quoteIdent(alias ?? name)}`;
      }
      return `(${inner})${alias ? ` AS ${quoteIdent(alias)}` : ''}`;
    }
    if ('RangeFunction' in node) return this.rangeFunction(node.RangeFunction);
    throw unsupported(kindOf(node).replace(/^Range/, 'table ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() + ' in FROM');
  }

  /** `unnest(arr) [AS] x[(col)]` and other table functions in FROM: SQLite's table-valued functions. */
  private rangeFunction(r: import('@pgsql/types').RangeFunction): string {
    const first = r.functions?.[0];
    const call = first && 'List' in first ? first.List.items?.[0] : undefined;
    if (!call || !('FuncCall' in call) || (r.functions?.length ?? 0) > 1 || r.is_rowsfrom) throw unsupported('ROWS FROM (…)');
    const f = call.FuncCall;
    const name = lastName(f.funcname).toLowerCase();
    if (r.ordinality) throw unsupported(`${name}(…) WITH ORDINALITY`);
    if (r.coldeflist?.length) throw unsupported('a column definition list on a table function');
    const fn = FROM_FUNCTIONS[name];
    const args = f.args ?? [];
    if (name === 'unnest' && args.length > 1) throw unsupported('unnest with several arrays');
    const table = fn?.table ?? name;
    if (table.startsWith('pg_')) this.found.pgFunctions = true;
    if (name === 'unnest') this.checkArray(args[0], 'unnest');
    const alias = r.alias?.aliasname ?? name;
    return `${table}(${this.list(args)}) AS ${quoteIdent(alias)}`;
  }

  /**
   * A set-returning function (unnest, generate_series) in a select list: the table function joined to the
   * FROM, its calls reading the join's column. Returns the join ('' when there is none).
   */
  private selectListFunctions(s: SelectStmt, items: Item[]): string {
    const calls: FuncCall[] = [];
    for (const item of items) {
      visitOutsideSubqueries(item.node, (f) => {
        if (SELECT_LIST_FUNCTIONS[lastName(f.funcname).toLowerCase()]) calls.push(f);
      });
    }
    if (calls.length === 0) return '';
    const joined = calls.map((f) => {
      const name = lastName(f.funcname).toLowerCase();
      const srf = SELECT_LIST_FUNCTIONS[name];
      const args = f.args ?? [];
      if (name === 'unnest' && args.length > 1) throw unsupported('unnest with several arrays');
      if (srf.arrayArg) this.checkArray(args[0], name);
      const joinArgs = srf.arrayArg ? args.slice(0, 1) : args;
      const sql = `${srf.table}(${this.list(joinArgs)})`;
      return { f, name, srf, sql, dim: srf.arrayArg && args.length > 1 ? this.expr(args[1]) : undefined };
    });
    const what = [...new Set(joined.map((c) => c.name))].join(' and ');
    // Postgres runs several set-returning functions side by side; doql only those over one array (one join).
    if (new Set(joined.map((c) => c.sql)).size > 1) {
      throw new DoqlError('validation', `${what} together in one select list are not supported by doql: put one of them in FROM (… , unnest(tags) AS t)`, { sqlState: '0A000' });
    }
    const aggregated = items.some((i) => {
      let found = false;
      visitOutsideSubqueries(i.node, (f) => {
        if (AGGREGATES.has(lastName(f.funcname).toLowerCase()) || f.over) found = true;
      });
      return found;
    });
    if (s.groupClause?.length || s.havingClause || s.distinctClause?.length || s.windowClause?.length || aggregated) {
      throw new DoqlError('validation', `${what} in a select list with GROUP BY, DISTINCT, aggregates or windows is not supported by doql: put it in FROM (… , unnest(tags) AS t)`, { sqlState: '0A000' });
    }
    this.found.pgFunctions = true;
    const alias = quoteIdent(`_pg_srf${++this.counter}`);
    for (const c of joined) {
      // generate_subscripts(a, dim): arrays here have one dimension.
      const value = c.dim !== undefined ? `CASE WHEN CAST(${c.dim} AS INTEGER) = 1 THEN ${alias}.${c.srf.column} END` : `${alias}.${quoteIdent(c.srf.column)}`;
      this.replaced.set(c.f, value);
    }
    return `${joined[0].sql} AS ${alias}`;
  }

  /** `SELECT DISTINCT ON (…)`: the first row of each group in ORDER BY order, through row_number(). */
  private distinctOn(s: SelectStmt): string {
    const items = this.targets(s);
    if (items.some((i) => isStar(i.node))) throw unsupported('DISTINCT ON with *', 'name the columns');
    // ORDER BY and DISTINCT ON name an output column by position or alias, as in Postgres.
    const resolve = (node: Node | undefined): Node | undefined => {
      if (node && 'A_Const' in node && node.A_Const.ival !== undefined) {
        const n = node.A_Const.ival.ival ?? 0;
        const item = items[n - 1];
        if (!item) throw new DoqlError('validation', `${n} is not in select list`, { sqlState: '42P10' });
        return item.node;
      }
      if (node && 'ColumnRef' in node) {
        const f = names(node.ColumnRef.fields);
        const item = f.length === 1 ? items.find((i) => i.name === f[0]) : undefined;
        if (item) return item.node;
      }
      return node;
    };
    const keys = (s.distinctClause ?? []).map((k) => this.expr(resolve(k)));
    const orders = (s.sortClause ?? []).map((o) => {
      const by = (o as { SortBy: SortBy }).SortBy;
      return { expr: this.expr(resolve(by.node)), by };
    });
    if (orders.length && !keys.every((k, i) => orders[i]?.expr === k)) {
      throw new DoqlError('validation', 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions', { sqlState: '42P10' });
    }
    const order = (expr: string, by: SortBy): string => {
      const desc = by.sortby_dir === 'SORTBY_DESC';
      const nulls = by.sortby_nulls === 'SORTBY_NULLS_FIRST' ? 'FIRST' : by.sortby_nulls === 'SORTBY_NULLS_LAST' ? 'LAST' : desc ? 'FIRST' : 'LAST';
      return `${expr}${desc ? ' DESC' : ''} NULLS ${nulls}`;
    };
    const extraFrom = this.selectListFunctions(s, items);
    const inner = items.map((it, i) => `${this.expr(it.node)} AS "_pg_c${i + 1}"`);
    const window = `row_number() OVER (PARTITION BY ${keys.join(', ')}${orders.length ? ` ORDER BY ${orders.map((o) => order(o.expr, o.by)).join(', ')}` : ''}) AS "_pg_rn"`;
    const hidden = orders.map((o, i) => `${o.expr} AS "_pg_o${i + 1}"`);
    const outer = items.map((it, i) => `"_pg_c${i + 1}" AS ${quoteIdent(it.name)}`);
    const froms = [this.fromList(s.fromClause ?? []), extraFrom].filter(Boolean);
    const middle = `${froms.length ? ` FROM ${froms.join(', ')}` : ''}${this.middle(s)}`;
    const orderBy = orders.length ? ` ORDER BY ${orders.map((o, i) => order(`"_pg_o${i + 1}"`, o.by)).join(', ')}` : '';
    const limits = this.tail({ ...s, sortClause: undefined }, {});
    return `SELECT ${outer.join(', ')} FROM (SELECT ${[...inner, window, ...hidden].join(', ')}${middle}) AS "_pg_distinct" WHERE "_pg_rn" = 1${orderBy}${limits}`;
  }
}

const isStar = (node: Node): boolean => 'ColumnRef' in node && lastName(node.ColumnRef.fields) === '*';

/** Calls in an expression, not counting those inside its subqueries (their select lists are their own). */
function visitOutsideSubqueries(node: Node, fn: (f: FuncCall) => void): void {
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if ('SubLink' in o) return;
    if ('FuncCall' in o) fn(o.FuncCall as FuncCall);
    for (const x of Object.values(o)) walk(x);
  };
  walk(node);
}

