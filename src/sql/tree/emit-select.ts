// SELECT statements of Postgres's syntax tree as SQLite SQL: WITH, set operations, VALUES, FROM items
// (resources, joins, subqueries, table functions), DISTINCT ON through row_number(), set-returning functions
// of a select list as a join, every result column named as Postgres names it.
import type { FuncCall, Node, ResTarget, SelectStmt, SortBy } from '@pgsql/types';
import type { SqlType } from '../../catalog/types.js';
import { DoqlError } from '../../errors.js';
import type { PgTypeName } from '../../engine/types.js';
import { ExprEmitter, type Where } from './emit-expr.js';
import { wider, type IntWidth } from './expr-kinds.js';
import { planHiddenJoins, type HiddenJoins } from './hidden-joins.js';
import { columnName, columnPgType, columnType } from './result-columns.js';
import { AGGREGATES, FROM_FUNCTIONS, SELECT_LIST_FUNCTIONS } from './functions.js';
import { kindOf, lastName, names, quoteIdent, quoteString, unsupported, visit } from './nodes.js';

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
  /** The statement's own SELECT (not a subquery's): its numeric columns are shown with Postgres's digits. */
  private top?: SelectStmt;
  /** The top SELECT's items computed as exact numeric text, by position: ORDER BY reads their values instead. */
  private readonly numericItems = new Map<number, Node>();
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
      exprs.forEach((e, i) => {
        const kind = this.kinds.of(e);
        // A CASE or COALESCE of booleans is boolean (SQLite answers 1 or 0).
        if (kind === 'bool') this.shape.columnTypes[i] ??= 'BOOLEAN';
        // float8 is written as float8out writes it (1e+16), even when the value is a whole number.
        if (kind === 'float') this.shape.columnTypes[i] ??= 'REAL';
        // min(created_at), a CASE of times, `->`: the type decides the text a client reads.
        if (kind === 'timestamptz' || kind === 'timestamp' || kind === 'date' || kind === 'jsonb' || kind === 'json') this.shape.pgTypes[i] ??= kind;
      });
    }
    const plain = node.SelectStmt;
    this.deriveKinds(node);
    if (!exprs.some(isStar)) this.integerTypes(node.SelectStmt);
    this.refuseInexactNumerics(plain);
    if (!(plain.op && plain.op !== 'SETOP_NONE') && !plain.valuesLists?.length && !(plain.distinctClause?.length && Object.keys(plain.distinctClause[0]).length > 0)) {
      this.top = plain;
      this.targets(plain).forEach((item, i) => {
        if (isStar(item.node) || this.kinds.of(item.node) !== 'numeric') return;
        // sum(bigint) is numeric too, though SQLite's integer already is its value.
        if (exactAlready(item.node, this)) {
          this.shape.pgTypes[i] ??= 'numeric';
          return;
        }
        this.numericItems.set(i, item.node);
        // Its values are whole numbers (integers) or decimal text: the values say which, numeric the type.
        this.shape.columnTypes[i] = undefined;
        this.shape.pgTypes[i] = 'numeric';
      });
    }
    return this.select(node.SelectStmt);
  }

  /**
   * Integer columns as Postgres types them, from the tree rather than the values (`SELECT 1` is int4, `count(*)`
   * int8, also over no rows). Every member of a UNION and every VALUES row counts: `SELECT 1 UNION SELECT 2.5` is
   * numeric, `VALUES (1), (3000000000)` int8.
   */
  private integerTypes(s: SelectStmt): void {
    const rows: Node[][] = [];
    const collect = (m: SelectStmt | undefined): void => {
      if (!m) return;
      if (m.op && m.op !== 'SETOP_NONE') {
        collect(m.larg);
        collect(m.rarg);
      } else if (m.valuesLists?.length) {
        for (const row of m.valuesLists) rows.push('List' in row ? (row.List.items ?? []) : []);
      } else rows.push(this.targets(m).map((i) => i.node));
    };
    collect(s);
    rows[0]?.forEach((_, i) => {
      const widths = rows.map((r) => (r[i] && 'A_Const' in r[i] && r[i].A_Const.isnull ? null : this.kinds.width(r[i])));
      // A NULL takes the others' type; anything not an integer (a numeric, a text) decides otherwise.
      if (widths.some((w) => w === undefined) || widths.every((w) => w === null)) return;
      const width = widths.filter((w): w is IntWidth => w !== null).reduce(wider);
      this.shape.columnTypes[i] ??= 'INTEGER';
      if (width !== 'int8') this.shape.pgTypes[i] ??= width;
    });
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
    // HAVING without GROUP BY makes the whole input one group, in Postgres even when the select list has no
    // aggregate (`SELECT 1 HAVING false`, BI tools' probes); SQLite refuses a HAVING on such a query, so the
    // first item carries a count(*) that never changes its value and makes the query an aggregate one.
    // (Its columns can then only be aggregated: grouping.ts checks that, as Postgres does.)
    let oneGroup = s.havingClause !== undefined && !s.groupClause?.length && !items.some((i) => hasAggregate(i.node));
    return items
      .map((item) => {
        if (isStar(item.node)) return this.star(s, names((item.node as { ColumnRef: { fields?: Node[] } }).ColumnRef.fields));
        let sql: string;
        if (s === this.top && [...this.numericItems.values()].includes(item.node)) {
          // Postgres's numeric digits (50.00, 61.3333333333333333), computed exactly as text.
          this.found.pgFunctions = true;
          sql = `pg_text(${this.expr(item.node, { numericText: true })}, 'numeric_out')`;
        } else {
          // An untyped `$n` shown as it is is text, as Postgres resolves an unknown select-list item ('7' stays '7').
          if ('ParamRef' in item.node) this.kindParam(item.node.ParamRef.number ?? 0, 'text');
          sql = this.expr(item.node);
        }
        if (oneGroup) {
          oneGroup = false;
          sql = `CASE WHEN count(*) < 0 THEN NULL ELSE ${sql} END`;
        }
        return `${sql} AS ${quoteIdent(item.name)}`;
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
    const aggregated = items.some((i) => hasAggregate(i.node, true));
    if (s.groupClause?.length || s.havingClause || s.distinctClause?.length || s.windowClause?.length || aggregated) {
      throw new DoqlError('validation', `${what} in a select list with GROUP BY, DISTINCT, aggregates or windows is not supported by doql: put it in FROM (… , unnest(tags) AS t)`, { sqlState: '0A000' });
    }
    this.found.pgFunctions = true;
    const alias = quoteIdent(`_pg_srf${++this.counter}`);
    for (const c of joined) {
      // generate_subscripts(a, dim): arrays here have one dimension.
      const record = c.srf.record && Object.entries(c.srf.record).map(([field, column]) => `${quoteString(field)}, ${alias}.${quoteIdent(column)}`);
      const value =
        c.dim !== undefined
          ? `CASE WHEN CAST(${c.dim} AS INTEGER) = 1 THEN ${alias}.${c.srf.column} END`
          : record
            ? `pg_record(${record.join(', ')})`
            : `${alias}.${quoteIdent(c.srf.column)}`;
      this.replaced.set(c.f, value);
    }
    return `${joined[0].sql} AS ${alias}`;
  }

  /** The kinds of every subquery's and CTE's columns, innermost known first (sum(x) there is numeric here). */
  private deriveKinds(tree: Node): void {
    const queries: { names: string[]; items: Node[] }[] = [];
    visit(tree, (key, o) => {
      const q = key === 'CommonTableExpr' ? (o.ctequery as Node | undefined) : key === 'RangeSubselect' ? (o.subquery as Node | undefined) : undefined;
      if (!q || !('SelectStmt' in q) || (q.SelectStmt.op && q.SelectStmt.op !== 'SETOP_NONE')) return;
      const cols = names((key === 'CommonTableExpr' ? o.aliascolnames : (o.alias as { colnames?: Node[] } | undefined)?.colnames) as Node[] | undefined);
      const items = this.targets(q.SelectStmt);
      queries.push({ names: items.map((it, i) => cols[i] ?? it.name), items: items.map((it) => it.node) });
    });
    // `FROM generate_series(1, 5) AS g`: g is the series' one column, of the type its arguments give it.
    visit(tree, (key, o) => {
      if (key !== 'RangeFunction') return;
      const r = o as import('@pgsql/types').RangeFunction;
      const first = r.functions?.[0];
      const call = first && 'List' in first ? first.List.items?.[0] : undefined;
      if (!call || !('FuncCall' in call) || lastName(call.FuncCall.funcname).toLowerCase() !== 'generate_series' || r.ordinality) return;
      queries.push({ names: [names(r.alias?.colnames)[0] ?? r.alias?.aliasname ?? 'generate_series'], items: [call] });
    });
    const innermostFirst = [...queries].reverse();
    for (let pass = 0; pass < 2; pass++) {
      this.kinds.clearDerived();
      for (const q of innermostFirst) q.items.forEach((n, i) => !isStar(n) && this.kinds.derive(q.names[i], this.kinds.of(n), this.kinds.width(n)));
    }
  }

  /**
   * A numeric column computed in a subquery or CTE (an avg, a division, a decimal constant) reaches the result as
   * SQLite's double: doql cannot show Postgres's digits for it (423.2000000000000000), so it refuses rather than
   * answer with other text. Rounding it in the outer SELECT (round(x, 2)) or casting it (::int, ::float8) is fine.
   */
  private refuseInexactNumerics(s: SelectStmt): void {
    const inner: { names: string[]; items: Node[] }[] = [];
    for (const c of s.withClause?.ctes ?? []) {
      if (!('CommonTableExpr' in c) || !c.CommonTableExpr.ctequery || !('SelectStmt' in c.CommonTableExpr.ctequery)) continue;
      const items = this.targets(c.CommonTableExpr.ctequery.SelectStmt);
      const cols = names(c.CommonTableExpr.aliascolnames);
      inner.push({ names: items.map((it, i) => cols[i] ?? it.name), items: items.map((it) => it.node) });
    }
    for (const f of s.fromClause ?? []) {
      if (!('RangeSubselect' in f) || !f.RangeSubselect.subquery || !('SelectStmt' in f.RangeSubselect.subquery)) continue;
      const items = this.targets(f.RangeSubselect.subquery.SelectStmt);
      const cols = names(f.RangeSubselect.alias?.colnames);
      inner.push({ names: items.map((it, i) => cols[i] ?? it.name), items: items.map((it) => it.node) });
    }
    const risky = new Set<string>();
    for (const q of inner) q.items.forEach((n, i) => !isStar(n) && this.kinds.of(n) === 'numeric' && !exactAlready(n, this) && risky.add(q.names[i]));
    if (!risky.size) return;
    for (const item of s.op && s.op !== 'SETOP_NONE' ? [] : this.targets(s)) {
      if (shownExactly(item.node, this)) continue;
      let found: string | undefined;
      const walk = (v: unknown): void => {
        if (found || v === null || typeof v !== 'object') return;
        if (Array.isArray(v)) return v.forEach(walk);
        const o = v as Record<string, unknown>;
        if ('SubLink' in o) return;
        if ('ColumnRef' in o) {
          const f = names((o.ColumnRef as { fields?: Node[] }).fields);
          const last = f[f.length - 1];
          if (last === '*' || risky.has(last)) found = last === '*' ? [...risky][0] : last;
          return;
        }
        Object.values(o).forEach(walk);
      };
      walk(item.node);
      if (found) {
        throw unsupported(`showing the numeric column ${found} computed in a subquery or CTE`, `doql cannot give Postgres's digits for it there: compute it in the outer SELECT, or round it there (round(${found}, 2))`);
      }
    }
  }

  /** ORDER BY 2 or an output name of a numeric column shown as text: sort by its value, not its text. */
  protected override sortKey(node: Node | undefined, where: Where): string {
    if (this.top && this.numericItems.size && node) {
      const items = this.targets(this.top);
      let index = -1;
      if ('A_Const' in node && node.A_Const.ival !== undefined) index = (node.A_Const.ival.ival ?? 0) - 1;
      else if ('ColumnRef' in node) {
        const f = names(node.ColumnRef.fields);
        if (f.length === 1) index = items.findIndex((i) => i.name === f[0]);
      }
      if (this.numericItems.has(index)) return this.expr(this.numericItems.get(index), where);
    }
    return super.sortKey(node, where);
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

/**
 * A numeric column whose SQLite value already is Postgres's (an integer column, sum/min/max of integers): left as
 * a number rather than computed as text.
 */
function exactAlready(node: Node, emitter: SelectEmitter): boolean {
  if ('ColumnRef' in node) return true;
  if ('FuncCall' in node) {
    const name = lastName(node.FuncCall.funcname).toLowerCase();
    return ['sum', 'min', 'max'].includes(name) && emitter.kinds.of(node.FuncCall.args?.[0]) === 'int';
  }
  return false;
}

/** An item whose text does not depend on a numeric's digits: a boolean, a rounding to fixed digits, a cast to int or float8. */
function shownExactly(node: Node, emitter: SelectEmitter): boolean {
  const kind = emitter.kinds.of(node);
  if (kind === 'bool' || kind === 'int' || kind === 'float' || kind === 'timestamptz' || kind === 'date') return true;
  if ('FuncCall' in node) return ['round', 'trunc'].includes(lastName(node.FuncCall.funcname).toLowerCase()) && (node.FuncCall.args?.length ?? 0) === 2;
  if ('TypeCast' in node) return (node.TypeCast.typeName?.typmods?.length ?? 0) === 2;
  return false;
}

const isStar = (node: Node): boolean => 'ColumnRef' in node && lastName(node.ColumnRef.fields) === '*';

/** Calls in an expression, not counting those inside its subqueries (their select lists are their own). */
/** Whether an aggregate call (or, with `windows`, a window function) is in `node`, outside its subqueries. */
function hasAggregate(node: Node, windows = false): boolean {
  let found = false;
  visitOutsideSubqueries(node, (f) => {
    if (AGGREGATES.has(lastName(f.funcname).toLowerCase()) || (windows && f.over)) found = true;
  });
  return found;
}

function visitOutsideSubqueries(node: Node, fn: (f: FuncCall) => void): void {
  visit(node, (key, o) => key === 'FuncCall' && fn(o as FuncCall), { subqueries: false });
}

