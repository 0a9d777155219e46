// The Postgres type an expression has, as far as the tree and the catalog tell: what decides how a value becomes
// text (`locked::text` is 'true', `created_at::text` is '2024-06-11 10:18:00+00'), whether `/` is numeric
// division, which round() is meant, and the digits a numeric column shows (its scale).
import type { Node } from '@pgsql/types';
import { lastName, names } from './nodes.js';
import type { Scope } from './scope.js';

/** A value's Postgres type family; undefined when the tree does not tell (a CTE's column, a parameter). */
export type Kind = 'int' | 'numeric' | 'float' | 'text' | 'bool' | 'timestamptz' | 'timestamp' | 'date' | 'jsonb' | 'json' | 'unknown';

/** Postgres's integer types: what an `int` kind is exactly (`1` is int4, `count(*)` int8, `::smallint` int2). */
export type IntWidth = 'int2' | 'int4' | 'int8';

const WIDTH_RANK: Record<IntWidth, number> = { int2: 0, int4: 1, int8: 2 };

/** The wider of two integer types: what `a + b`, a CASE or coalesce of them is. */
export function wider(a: IntWidth, b: IntWidth): IntWidth {
  return WIDTH_RANK[a] >= WIDTH_RANK[b] ? a : b;
}

/**
 * A numeric constant's type as Postgres's make_const gives it: an integer that fits in int4 is int4, in int8 int8,
 * anything else (a fraction, an exponent, more digits) numeric. The parser hands integers beyond int4, and
 * -2147483648, over as digits (`fval`).
 */
export function constantWidth(c: import('@pgsql/types').A_Const): IntWidth | 'numeric' | undefined {
  if (c.ival) return 'int4';
  if (!c.fval) return undefined;
  const text = c.fval.fval ?? '';
  if (!/^-?\d+$/.test(text)) return 'numeric';
  const n = BigInt(text);
  if (n >= -(2n ** 31n) && n < 2n ** 31n) return 'int4';
  return n >= -(2n ** 63n) && n < 2n ** 63n ? 'int8' : 'numeric';
}

/** A cast's integer type (`::int` int4), or undefined for other targets. */
export function castWidth(base: string): IntWidth | undefined {
  if (/^(int2|smallint)$/.test(base)) return 'int2';
  if (/^(int|int4|integer|serial)$/.test(base)) return 'int4';
  return /^(int8|bigint|bigserial)$/.test(base) ? 'int8' : undefined;
}

/** A cast's target type name (`int4`, `numeric`, `varchar`) as a kind. */
export function castKind(base: string): Kind | undefined {
  if (/^(int|int2|int4|int8|integer|smallint|bigint|serial|bigserial)$/.test(base)) return 'int';
  if (/^(numeric|decimal)$/.test(base)) return 'numeric';
  if (/^(float4|float8|real|double precision|float)$/.test(base)) return 'float';
  if (/^(text|varchar|character varying|char|character|bpchar|name|citext)$/.test(base)) return 'text';
  if (/^(bool|boolean)$/.test(base)) return 'bool';
  if (/^(timestamptz|timestamp with time zone)$/.test(base)) return 'timestamptz';
  if (/^(timestamp|timestamp without time zone)$/.test(base)) return 'timestamp';
  if (base === 'date') return 'date';
  if (base === 'jsonb' || base === 'json') return base;
  return undefined;
}

const TEXT_FUNCTIONS = new Set(
  'lower upper initcap concat concat_ws substr substring left right lpad rpad replace trim btrim ltrim rtrim to_char split_part string_agg md5 reverse repeat format regexp_replace translate chr quote_ident quote_literal array_to_string jsonb_typeof json_typeof'.split(' '),
);
const INT_FUNCTIONS = new Set('count length char_length character_length octet_length strpos position row_number rank dense_rank ntile array_length cardinality jsonb_array_length json_array_length'.split(' '));
const BOOL_FUNCTIONS = new Set('bool_or bool_and every starts_with'.split(' '));
/** Integer functions that return int4 (the others of INT_FUNCTIONS, count and the ranks, return int8). */
const INT4_FUNCTIONS = new Set('length char_length character_length octet_length strpos position ntile array_length cardinality jsonb_array_length json_array_length'.split(' '));
const FLOAT_FUNCTIONS = new Set('date_part percent_rank cume_dist percentile_cont power pow sqrt cbrt exp ln log10 random pi'.split(' '));
/** Functions whose result has their (first) argument's type. */
const SAME_AS_ARG = new Set('min max abs lag lead first_value last_value nth_value mode percentile_disc coalesce'.split(' '));

export class KindReader {
  /** Kinds of the columns subqueries and CTEs produce, by name (undefined where two disagree). */
  readonly derived = new Map<string, Kind | undefined>();
  /** The integer types of those of them that are integers (undefined where two disagree). */
  private readonly derivedWidths = new Map<string, IntWidth | undefined>();

  constructor(private readonly scope: Scope) {}

  /** Records a subquery's or CTE's output column. */
  derive(name: string, kind: Kind | undefined, width?: IntWidth): void {
    this.derivedWidths.set(name, this.derived.has(name) && this.derivedWidths.get(name) !== width ? undefined : width);
    this.derived.set(name, this.derived.has(name) && this.derived.get(name) !== kind ? undefined : kind);
  }

  /** Forgets the derived columns (before they are read again, innermost query first). */
  clearDerived(): void {
    this.derived.clear();
    this.derivedWidths.clear();
  }

  /**
   * The integer type of an expression of kind `int`, as Postgres resolves it: constants and `::int` are int4,
   * arithmetic takes the wider side, a resource's integer columns are bigint. Undefined for other kinds.
   */
  width(node: Node | undefined): IntWidth | undefined {
    if (!node || this.of(node) !== 'int') return undefined;
    return this.intWidth(node) ?? 'int8';
  }

  private intWidth(node: Node): IntWidth | undefined {
    if ('A_Const' in node) {
      const w = constantWidth(node.A_Const);
      return w === 'numeric' ? undefined : w;
    }
    if ('ColumnRef' in node) {
      const fields = names(node.ColumnRef.fields);
      const last = fields[fields.length - 1];
      return this.derived.has(last) && this.scope.schemaType(fields) === undefined ? this.derivedWidths.get(last) : 'int8';
    }
    if ('TypeCast' in node) return castWidth(castBase(node));
    if ('SubLink' in node) return this.widest(subqueryValues(node.SubLink));
    if ('A_Expr' in node) {
      const e = node.A_Expr;
      if (e.kind === 'AEXPR_NULLIF') return this.width(e.lexpr);
      // `-x` is x's type; an untyped literal ('2') takes the other side's.
      return this.widest([e.lexpr, e.rexpr]);
    }
    if ('CaseExpr' in node) return this.widest([...(node.CaseExpr.args ?? []).map((w) => ('CaseWhen' in w ? w.CaseWhen.result : undefined)), node.CaseExpr.defresult]);
    if ('CoalesceExpr' in node) return this.widest(node.CoalesceExpr.args ?? []);
    if ('FuncCall' in node) {
      const f = node.FuncCall;
      const name = lastName(f.funcname).toLowerCase();
      if (INT4_FUNCTIONS.has(name)) return 'int4';
      // sum of int2 or int4 is int8 (of int8, numeric: see call()).
      if (name === 'sum' || INT_FUNCTIONS.has(name)) return 'int8';
      if (name === 'coalesce' || name === 'mod' || name === 'generate_series') return this.widest(f.args ?? []);
      if (SAME_AS_ARG.has(name)) return this.width(name === 'mode' || name === 'percentile_disc' ? sortNode(f) : f.args?.[0]);
    }
    return undefined;
  }

  /** The widest integer type among branches or operands that are integers. */
  private widest(nodes: (Node | undefined)[]): IntWidth | undefined {
    const widths = nodes.map((n) => this.width(n)).filter((w): w is IntWidth => w !== undefined);
    return widths.length ? widths.reduce(wider) : undefined;
  }

  of(node: Node | undefined): Kind | undefined {
    if (!node) return undefined;
    if ('A_Const' in node) {
      const c = node.A_Const;
      if (c.isnull) return undefined;
      if (c.ival || c.fval) return constantWidth(c) === 'numeric' ? 'numeric' : 'int';
      if (c.boolval) return 'bool';
      return 'unknown';
    }
    if ('ColumnRef' in node) return this.column(names(node.ColumnRef.fields));
    if ('TypeCast' in node) return castKind(castBase(node));
    if ('BoolExpr' in node || 'NullTest' in node || 'BooleanTest' in node) return 'bool';
    if ('SubLink' in node) {
      const s = node.SubLink;
      if (s.subLinkType !== 'EXPR_SUBLINK') return s.subLinkType === 'ARRAY_SUBLINK' ? undefined : 'bool';
      const kinds = new Set(subqueryValues(s).map((v) => this.of(v)));
      return kinds.size === 1 ? [...kinds][0] : undefined;
    }
    if ('A_Expr' in node) return this.aExpr(node.A_Expr);
    if ('CaseExpr' in node) {
      const results = [...(node.CaseExpr.args ?? []).map((w) => ('CaseWhen' in w ? w.CaseWhen.result : undefined)), node.CaseExpr.defresult];
      return this.common(results);
    }
    if ('CoalesceExpr' in node) return this.common(node.CoalesceExpr.args ?? []);
    if ('SQLValueFunction' in node) {
      const op = node.SQLValueFunction.op;
      return op === 'SVFOP_CURRENT_DATE' ? 'date' : op === 'SVFOP_CURRENT_TIMESTAMP' || op === 'SVFOP_LOCALTIMESTAMP' ? 'timestamptz' : 'text';
    }
    if ('FuncCall' in node) return this.call(node.FuncCall);
    return undefined;
  }

  /** The kind several branches share (CASE, COALESCE): the first one known, numeric over int. */
  private common(nodes: (Node | undefined)[]): Kind | undefined {
    const kinds = nodes.map((n) => this.of(n)).filter((k): k is Kind => k !== undefined && k !== 'unknown');
    if (kinds.includes('float')) return 'float';
    if (kinds.includes('numeric')) return 'numeric';
    return kinds[0] ?? (nodes.some((n) => this.of(n) === 'unknown') ? 'text' : undefined);
  }

  column(fields: string[]): Kind | undefined {
    const last = fields[fields.length - 1];
    if (this.derived.has(last) && this.scope.schemaType(fields) === undefined) return this.derived.get(last);
    const pg = this.scope.pgType(fields);
    if (pg === 'timestamptz' || pg === 'timestamp' || pg === 'date') return pg;
    if (pg === 'numeric') return 'numeric';
    switch (this.scope.schemaType(fields)) {
      case 'integer':
        return 'int';
      case 'number':
        return 'float';
      case 'boolean':
        return 'bool';
      case 'string':
        return 'text';
      case 'object':
      case 'array':
        return 'jsonb';
      default:
        return undefined;
    }
  }

  private aExpr(e: import('@pgsql/types').A_Expr): Kind | undefined {
    if (e.kind === 'AEXPR_NULLIF') return this.of(e.lexpr);
    if (e.kind !== 'AEXPR_OP') return 'bool';
    const op = lastName(e.name);
    if (['=', '<>', '!=', '<', '<=', '>', '>=', '~', '!~', '~*', '!~*', '~~', '!~~', '~~*', '!~~*', '@>', '<@', '?', '?|', '?&'].includes(op)) return 'bool';
    if (op === '->>' || op === '#>>') return 'text';
    if (op === '->' || op === '#>') return this.of(e.lexpr) === 'json' ? 'json' : 'jsonb';
    if (op === '||') return this.of(e.lexpr) === 'jsonb' && this.of(e.rexpr) === 'jsonb' ? 'jsonb' : 'text';
    if (['+', '-', '*', '/', '%', '^'].includes(op)) {
      const a = e.lexpr ? this.of(e.lexpr) : 'int';
      const b = this.of(e.rexpr);
      if (op === '^') return a === 'numeric' || b === 'numeric' ? 'numeric' : 'float';
      // date ± integer is a date; a time ± interval keeps its type (a date's becomes a timestamp).
      if (a === 'date' && b === 'int') return 'date';
      if (a === 'timestamptz' || a === 'timestamp' || a === 'date') return a === 'date' ? 'timestamp' : a;
      if (a === 'float' || b === 'float') return 'float';
      if (a === 'numeric' || b === 'numeric') return 'numeric';
      if (a === 'int' && b === 'int') return 'int';
      // 'unknown' literals take the other side's type.
      if (a === 'int' && b === 'unknown') return 'int';
      if (b === 'int' && a === 'unknown') return 'int';
      return undefined;
    }
    return undefined;
  }

  private call(f: import('@pgsql/types').FuncCall): Kind | undefined {
    const name = lastName(f.funcname).toLowerCase();
    const first = f.args?.[0];
    if (TEXT_FUNCTIONS.has(name)) return 'text';
    if (INT_FUNCTIONS.has(name)) return 'int';
    if (BOOL_FUNCTIONS.has(name)) return 'bool';
    if (FLOAT_FUNCTIONS.has(name)) return 'float';
    if (SAME_AS_ARG.has(name)) return name === 'coalesce' ? this.common(f.args ?? []) : this.of(name === 'mode' || name === 'percentile_disc' ? sortNode(f) : first);
    switch (name) {
      case 'sum': {
        // sum of int2 or int4 is int8; of int8, numeric.
        const k = this.of(first);
        if (k === 'int' && this.width(first) !== 'int8') return 'int';
        return k === 'float' ? 'float' : k === 'int' || k === 'numeric' ? 'numeric' : undefined;
      }
      case 'avg': {
        const k = this.of(first);
        return k === 'float' ? 'float' : k === 'int' || k === 'numeric' ? 'numeric' : undefined;
      }
      case 'round':
      case 'trunc':
      case 'ceil':
      case 'ceiling':
      case 'floor': {
        // Of an integer, the one-argument forms are float8's (float8 is the preferred numeric type); round(int, 2) is numeric's.
        const k = this.of(first);
        if (k === 'int' && (f.args?.length ?? 0) < 2) return 'float';
        return k === 'float' ? 'float' : k === 'int' || k === 'numeric' ? 'numeric' : undefined;
      }
      case 'generate_series': {
        const kinds = new Set((f.args ?? []).map((a) => this.of(a)));
        return kinds.size === 1 && kinds.has('int') ? 'int' : undefined;
      }
      case 'mod':
        return this.of(first) === 'numeric' || this.of(f.args?.[1]) === 'numeric' ? 'numeric' : 'int';
      case 'sign': {
        // sign(int) is float8's, as round(int) is.
        const k = this.of(first);
        return k === 'numeric' ? 'numeric' : k === 'int' || k === 'float' ? 'float' : undefined;
      }
      case 'extract':
        return 'numeric';
      case 'now':
      case 'date_trunc':
      case 'to_timestamp':
      case 'statement_timestamp':
      case 'transaction_timestamp':
      case 'clock_timestamp':
        return 'timestamptz';
      case 'json_agg':
      case 'json_build_object':
      case 'json_build_array':
      case 'to_json':
      case 'json_object_agg':
        return 'json';
      case 'jsonb_agg':
      case 'jsonb_build_object':
      case 'jsonb_build_array':
      case 'to_jsonb':
      case 'jsonb_object_agg':
      case 'jsonb_extract_path':
        return 'jsonb';
      default:
        return undefined;
    }
  }
}

/** A cast's base type name: `numeric(10,2)` → `numeric`, `pg_catalog.int4` → `int4`. */
export function castBase(node: Node & { TypeCast: object }): string {
  const c = (node as { TypeCast: import('@pgsql/types').TypeCast }).TypeCast;
  const parts = names(c.typeName?.names);
  if (c.typeName?.arrayBounds?.length) return 'array';
  return (parts[0] === 'pg_catalog' ? parts.slice(1) : parts).join('.').toLowerCase();
}

/** The type modifiers of a cast (`numeric(10,2)` → [10, 2], `varchar(5)` → [5]), when they are integer constants. */
export function castModifiers(c: import('@pgsql/types').TypeCast): number[] {
  return (c.typeName?.typmods ?? []).map((m) => ('A_Const' in m && m.A_Const.ival ? (m.A_Const.ival.ival ?? 0) : NaN));
}

/** What a scalar subquery's members give: the first select-list item of each (of every side of a UNION). */
function subqueryValues(s: import('@pgsql/types').SubLink): (Node | undefined)[] {
  const out: (Node | undefined)[] = [];
  const walk = (sel: import('@pgsql/types').SelectStmt | undefined): void => {
    if (!sel) return;
    if (sel.op && sel.op !== 'SETOP_NONE') {
      walk(sel.larg);
      walk(sel.rarg);
      return;
    }
    const first = sel.targetList?.[0];
    out.push(first && 'ResTarget' in first ? first.ResTarget.val : undefined);
  };
  walk(s.subselect && 'SelectStmt' in s.subselect ? s.subselect.SelectStmt : undefined);
  return out;
}

function sortNode(f: import('@pgsql/types').FuncCall): Node | undefined {
  const s = f.agg_order?.[0];
  return s && 'SortBy' in s ? s.SortBy.node : undefined;
}
