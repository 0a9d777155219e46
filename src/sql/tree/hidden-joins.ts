// Comparisons between two tables' hidden columns (the account `context`, API parameters): which side SQLite
// must read first. A virtual table takes a hidden column's `=` only from a table read before it (better-sqlite3's
// xBestIndex refuses any plan that leaves one unusable), and `x.h = y.h` offers neither first, so SQLite finds
// "no query solution". Per SELECT level, the tables are put in an order every other pushed value allows (a
// parameter's `=` with another table's column, the two sides of a LEFT JOIN), tables whose compared hidden
// columns are already given first (a parameter's value before all; `WHERE s.context = 'a'` makes s lead, so
// the other side reads account a alone), then FROM order. The side read first is emitted `+x.h`: the same
// value, but never a constraint (SQLite's documented way to keep a term from an index), so the other table is
// read once per value it gives. USING on hidden columns becomes that ON; an enclosing query's column is read first.
import type { A_Expr, JoinExpr, Node, RangeVar, ResTarget, SelectStmt } from '@pgsql/types';
import { CONTEXT_COLUMN } from '../../engine/accounts.js';
import { COMPARISONS } from './emit-expr.js';
import { lastName, names, visit } from './nodes.js';
import type { Scope } from './scope.js';

/** The operands of a comparison written `+x`: `left`/`right` (the side read first), `both` (neither is pushed). */
export type PlusSide = 'left' | 'right' | 'both';

/** A table of one SELECT level: a resource, or a subquery / CTE whose output columns may be hidden columns. */
interface Ref {
  /** Lower-cased; `spelled` as the statement wrote it. */
  alias: string;
  spelled: string;
  /** A resource's id (for `digitalocean.svc.res.col` references). */
  id?: string;
  /** Whether `column` is hidden; an `=` also counts a parameter named like a real column (its hidden `name$p`). */
  hidden(column: string, equality: boolean): boolean;
  has(column: string): boolean;
}

/** `t.h = <value>`: h of ref t takes its value from the refs `from` (none: a constant, a template value, `$1`). */
interface Binding {
  ref: number;
  column: string;
  from: number[];
}

interface Pair {
  expr: A_Expr;
  left: { ref: number; column: string };
  right: { ref: number; column: string };
  equality: boolean;
}

/** What the emitter does differently for a statement's joins on hidden columns. */
export interface HiddenJoins {
  /** The comparisons (any level) whose operands are written `+x`, by node. */
  plusSides: Map<A_Expr, PlusSide>;
  /**
   * `JOIN … USING (context)` on hidden columns, as the ON it stands for (SQLite's own USING compares the two
   * columns where no side can be written `+x`).
   */
  using: Map<JoinExpr, Node>;
  /** Per SELECT level, what an unqualified name of such a USING column reads (`"d"."context"`), as fields. */
  merged: Map<SelectStmt, Map<string, string[][]>>;
}

export function planHiddenJoins(tree: Node, scope: Scope): HiddenJoins {
  const out: HiddenJoins = { plusSides: new Map(), using: new Map(), merged: new Map() };
  const ctes = new Map<string, Node>();
  visit(tree, (key, o) => {
    if (key === 'CommonTableExpr' && typeof o.ctename === 'string' && o.ctequery) ctes.set(o.ctename, o.ctequery as Node);
  });
  const planner = new LevelPlanner(scope, ctes);
  visit(tree, (key, o) => {
    // A set operation's members are SelectStmts too (visited under larg/rarg, which JoinExpr also has).
    if (key === 'SelectStmt' || ((key === 'larg' || key === 'rarg') && ('targetList' in o || 'op' in o))) planner.plan(o as SelectStmt, out);
  });
  return out;
}

const columnRef = (alias: string, column: string): Node => ({ ColumnRef: { fields: [{ String: { sval: alias } }, { String: { sval: column } }] } });

class LevelPlanner {
  /** CTEs whose outputs are being read (a recursive CTE names itself). */
  private readonly reading = new Set<string>();

  constructor(
    private readonly scope: Scope,
    private readonly ctes: Map<string, Node>,
  ) {}

  plan(s: SelectStmt, out: HiddenJoins): void {
    if (!s.fromClause?.length || (s.op && s.op !== 'SETOP_NONE')) return;
    const refs: Ref[] = [];
    /** [left refs, right refs] of each outer join: SQLite reads the left ones first. */
    const outer: [number[], number[]][] = [];
    const quals: Node[] = [];
    let rightOrFull = false;
    const collect = (n: Node): number[] => {
      if ('RangeVar' in n) {
        const ref = this.rangeRef(n.RangeVar);
        return ref ? [refs.push(ref) - 1] : [];
      }
      if ('RangeSubselect' in n) {
        const r = n.RangeSubselect;
        const alias = r.alias?.aliasname;
        if (!alias || !r.subquery || r.alias?.colnames?.length) return [];
        return [refs.push(this.queryRef(alias, r.subquery)) - 1];
      }
      if ('JoinExpr' in n) {
        const j = n.JoinExpr;
        const left = j.larg ? collect(j.larg) : [];
        const right = j.rarg ? collect(j.rarg) : [];
        if (j.jointype && j.jointype !== 'JOIN_INNER') outer.push([left, right]);
        if (j.jointype === 'JOIN_RIGHT' || j.jointype === 'JOIN_FULL') rightOrFull = true;
        if (j.quals) quals.push(j.quals);
        const using = j.isNatural ? undefined : this.usingOn(j, refs, left, right);
        if (using) {
          quals.push(using.on);
          out.using.set(j, using.on);
          let merged = out.merged.get(s);
          if (!merged) out.merged.set(s, (merged = new Map()));
          for (const [name, fields] of using.merged) merged.set(name, fields);
        }
        return [...left, ...right];
      }
      return [];
    };
    for (const item of s.fromClause) collect(item);
    if (!refs.length) return;
    if (s.whereClause) quals.push(s.whereClause);
    // An unqualified name a USING merged reads the side it stands for (not for FULL JOIN: either side).
    const merged = out.merged.get(s);
    const fieldsOf = (fields: string[]): string[] => {
      const m = fields.length === 1 ? merged?.get(fields[0]) : undefined;
      return m?.length === 1 ? m[0] : fields;
    };

    const resolve = (node: Node | undefined, equality: boolean): { ref: number; column: string } | undefined => {
      if (!node || !('ColumnRef' in node)) return undefined;
      const at = this.resolve(refs, fieldsOf(names(node.ColumnRef.fields)));
      return at && refs[at.ref].hidden(at.column, equality) ? at : undefined;
    };
    const pairs: Pair[] = [];
    for (const q of quals) {
      walkOutsideSubqueries(q, (e) => {
        const op = lastName(e.name);
        if (e.kind !== 'AEXPR_OP' || !COMPARISONS.has(op)) return;
        const equality = op === '=';
        const left = resolve(e.lexpr, equality);
        const right = resolve(e.rexpr, equality);
        if (left && right && left.ref !== right.ref) pairs.push({ expr: e, left, right, equality });
        // An enclosing query's hidden column (`EXISTS (… WHERE s.context = d.context)`) is read first: SQLite may
        // make the subquery a join, where d.context would otherwise be a constraint only s could give.
        else if (left && !right && this.outerHidden(refs, e.rexpr)) out.plusSides.set(e, equality ? 'right' : 'both');
        else if (right && !left && this.outerHidden(refs, e.lexpr)) out.plusSides.set(e, equality ? 'left' : 'both');
      });
    }
    if (!pairs.length) return;

    const bindings: Binding[] = [];
    for (const term of quals.flatMap(conjuncts)) {
      if (!('A_Expr' in term)) continue;
      const e = term.A_Expr;
      if (pairs.some((p) => p.expr === e)) continue;
      const isIn = e.kind === 'AEXPR_IN';
      if (!isIn && (e.kind !== 'AEXPR_OP' || lastName(e.name) !== '=')) continue;
      for (const [side, other] of isIn ? ([[e.lexpr, e.rexpr]] as const) : ([[e.lexpr, e.rexpr], [e.rexpr, e.lexpr]] as const)) {
        const at = resolve(side, true);
        if (at) bindings.push({ ...at, from: this.refsIn(refs, other).filter((r) => r !== at.ref) });
      }
    }

    // Each table after the tables it must follow; among those that may come next, the one whose compared hidden
    // columns are given best, the first in FROM order on a tie.
    const before = refs.map(() => new Set<number>());
    for (const b of bindings) for (const f of b.from) before[b.ref].add(f);
    for (const [left, right] of outer) for (const r of right) for (const l of left) before[r].add(l);
    const position = new Map<number, number>();
    const placed = (r: number): boolean => position.has(r);
    const compared = (r: number): string[] =>
      pairs.filter((p) => p.equality).flatMap((p) => [p.left, p.right].filter((x) => x.ref === r).map((x) => x.column));
    const given = (r: number, column: string): boolean =>
      bindings.some((b) => b.ref === r && b.column === column && b.from.every(placed)) ||
      pairs.some(
        (p) => p.equality && ((p.left.ref === r && p.left.column === column && placed(p.right.ref)) || (p.right.ref === r && p.right.column === column && placed(p.left.ref))),
      );
    while (position.size < refs.length) {
      const open = refs.map((_, i) => i).filter((i) => !placed(i));
      const ready = open.filter((i) => [...before[i]].every(placed));
      const candidates = ready.length ? ready : open;
      // A parameter left without a value fails (or reads everything); an account left open only reads them all.
      const cost = (i: number): number => {
        const open = compared(i).filter((c) => !given(i, c));
        return (open.some((c) => c !== CONTEXT_COLUMN) ? 2 : 0) + (open.includes(CONTEXT_COLUMN) ? 1 : 0);
      };
      const next = candidates.reduce((best, i) => (cost(i) < cost(best) ? i : best));
      position.set(next, position.size);
    }
    // The side read later follows the first, unless a value of its own (`s.context = 'b'`) already narrows it:
    // then neither side is pushed, and that value alone chooses what the later table reads.
    const constant = (x: { ref: number; column: string }): boolean => bindings.some((b) => b.ref === x.ref && b.column === x.column && b.from.length === 0);
    for (const p of pairs) {
      const leftFirst = position.get(p.left.ref)! < position.get(p.right.ref)!;
      // SQLite finds a RIGHT or FULL JOIN's unmatched rows by rowid, which a virtual table restarts on each
      // read: a table read once per value of another would have its rows taken for unmatched ones.
      if (!p.equality || rightOrFull || constant(leftFirst ? p.right : p.left)) out.plusSides.set(p.expr, 'both');
      else out.plusSides.set(p.expr, leftFirst ? 'left' : 'right');
    }
  }

  /**
   * `l JOIN r USING (c, …)` where every c is a hidden column of the one table on each side that has it: the ON
   * comparing them, and what an unqualified c then reads (the left side's; the right's for RIGHT JOIN; either
   * for FULL JOIN, as Postgres's merged column).
   */
  private usingOn(j: JoinExpr, refs: Ref[], left: number[], right: number[]): { on: Node; merged: Map<string, string[][]> } | undefined {
    const columns = names(j.usingClause);
    if (!columns.length) return undefined;
    const only = (side: number[], c: string): Ref | undefined => {
      const having = side.filter((i) => refs[i].has(c));
      return having.length === 1 && refs[having[0]].hidden(c, true) ? refs[having[0]] : undefined;
    };
    const sides = columns.map((c) => ({ c, l: only(left, c), r: only(right, c) }));
    if (sides.some((x) => !x.l || !x.r)) return undefined;
    const terms: Node[] = sides.map((x) => ({
      A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }], lexpr: columnRef(x.l!.spelled, x.c), rexpr: columnRef(x.r!.spelled, x.c) },
    }));
    const on: Node = terms.length === 1 ? terms[0] : { BoolExpr: { boolop: 'AND_EXPR', args: terms } };
    const merged = new Map(
      sides.map((x) => {
        const l = [x.l!.spelled, x.c];
        const r = [x.r!.spelled, x.c];
        return [x.c, j.jointype === 'JOIN_RIGHT' ? [r] : j.jointype === 'JOIN_FULL' ? [l, r] : [l]];
      }),
    );
    return { on, merged };
  }

  /** A RangeVar's table: a resource, or a CTE. */
  private rangeRef(rv: RangeVar): Ref | undefined {
    const spelled = rv.alias?.aliasname ?? rv.relname ?? '';
    const alias = spelled.toLowerCase();
    const id = this.scope.resourceOf(rv);
    if (id) {
      const shape = this.scope.info.shape(id);
      const colliding = this.scope.info.colliding(id);
      const hidden = (c: string, equality: boolean): boolean => c === CONTEXT_COLUMN || Boolean(shape?.params.has(c)) || (equality && colliding.has(c));
      return { alias, spelled, id, hidden, has: (c) => hidden(c, true) || Boolean(shape?.columns.has(c)) };
    }
    const cte = !rv.schemaname && !rv.catalogname && rv.relname ? this.ctes.get(rv.relname) : undefined;
    if (!cte || rv.alias?.colnames?.length || this.reading.has(rv.relname!)) return undefined;
    this.reading.add(rv.relname!);
    try {
      return this.queryRef(spelled, cte);
    } finally {
      this.reading.delete(rv.relname!);
    }
  }

  /**
   * A subquery's table: an output that is a bare hidden column of one of its own tables stays that hidden column
   * when SQLite flattens the subquery into the outer query, so it counts as hidden here.
   */
  private queryRef(alias: string, query: Node): Ref {
    const outputs = new Map<string, boolean>();
    const s = 'SelectStmt' in query ? query.SelectStmt : undefined;
    if (s && (!s.op || s.op === 'SETOP_NONE') && s.fromClause?.length) {
      const inner: Ref[] = [];
      for (const item of s.fromClause) {
        if ('RangeVar' in item) {
          const ref = this.rangeRef(item.RangeVar);
          if (ref) inner.push(ref);
        } else if ('RangeSubselect' in item && item.RangeSubselect.alias?.aliasname && item.RangeSubselect.subquery) {
          inner.push(this.queryRef(item.RangeSubselect.alias.aliasname, item.RangeSubselect.subquery));
        }
      }
      for (const t of s.targetList ?? []) {
        const r = (t as { ResTarget: ResTarget }).ResTarget;
        if (!r?.val || !('ColumnRef' in r.val)) continue;
        const fields = names(r.val.ColumnRef.fields);
        const name = r.name ?? fields[fields.length - 1];
        const at = this.resolve(inner, fields);
        outputs.set(name, Boolean(at && inner[at.ref].hidden(at.column, false)));
      }
    }
    return { alias: alias.toLowerCase(), spelled: alias, hidden: (c) => outputs.get(c) === true, has: (c) => outputs.has(c) };
  }

  /** `q.c` where q is no table of this level but a resource of the statement that has c hidden. */
  private outerHidden(refs: Ref[], node: Node | undefined): boolean {
    if (!node || !('ColumnRef' in node)) return false;
    const fields = names(node.ColumnRef.fields);
    if (fields.length !== 2 || refs.some((r) => r.alias === fields[0].toLowerCase())) return false;
    const id = this.scope.resourceOfQualifier([fields[0]]);
    const shape = id ? this.scope.info.shape(id) : undefined;
    return Boolean(id && (fields[1] === CONTEXT_COLUMN || shape?.params.has(fields[1]) || this.scope.info.colliding(id).has(fields[1])));
  }

  /** The table of this level a column reference names, and the column. */
  private resolve(refs: Ref[], fields: string[]): { ref: number; column: string } | undefined {
    const column = fields[fields.length - 1];
    if (!column || column === '*') return undefined;
    let matches: number[];
    if (fields.length === 1) matches = refs.flatMap((r, i) => (r.has(column) ? [i] : []));
    else if (fields.length === 2) matches = refs.flatMap((r, i) => (r.alias === fields[0].toLowerCase() ? [i] : []));
    else {
      const id = this.scope.resourceOfQualifier(fields.slice(0, -1));
      matches = refs.flatMap((r, i) => (id && r.id === id ? [i] : []));
    }
    return matches.length === 1 ? { ref: matches[0], column } : undefined;
  }

  /** The tables of this level an expression reads (its subqueries' outer references included). */
  private refsIn(refs: Ref[], node: Node | undefined): number[] {
    const found = new Set<number>();
    visit(node, (key, o) => {
      if (key !== 'ColumnRef') return;
      const at = this.resolve(refs, names(o.fields as Node[]));
      if (at) found.add(at.ref);
    });
    return [...found];
  }
}

/** The terms of an AND. */
function conjuncts(node: Node): Node[] {
  if ('BoolExpr' in node && node.BoolExpr.boolop === 'AND_EXPR') return (node.BoolExpr.args ?? []).flatMap(conjuncts);
  return [node];
}

/** Every A_Expr of an expression, not looking into its subqueries (they are levels of their own). */
function walkOutsideSubqueries(node: Node, fn: (e: A_Expr) => void): void {
  visit(node, (key, o) => key === 'A_Expr' && fn(o as A_Expr), { subqueries: false });
}
