// What Postgres calls a select list's columns and the types their expressions fix, read from the tree:
// `count`, not `count(*)`; a comparison is boolean (SQLite answers 1 or 0); a cast to timestamptz is text
// in SQLite and timestamptz to wire clients.
import type { Node } from '@pgsql/types';
import type { SqlType } from '../../catalog/types.js';
import { castColumnName, castTarget } from '../../engine/pg-catalog-types.js';
import type { PgTypeName } from '../../engine/types.js';
import { COMPARISONS, intervalLiteral, isTimestamp, JSONB_OPERATORS, REGEX_OPERATORS, typeName } from './emit-expr.js';
import { FUNCTION_PG_TYPES, functionType } from './functions.js';
import { lastName, names } from './nodes.js';

/** The name Postgres gives an unaliased select-list expression (FigureColname). */
export function columnName(node: Node | undefined): string {
  return figure(node) ?? '?column?';
}

function figure(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if ('ColumnRef' in node) {
    const f = names(node.ColumnRef.fields);
    const last = f[f.length - 1];
    return last === '*' ? undefined : last;
  }
  if ('A_Indirection' in node) {
    const ind = node.A_Indirection.indirection ?? [];
    const last = ind[ind.length - 1];
    if (last && 'String' in last) return last.String.sval;
    return figure(node.A_Indirection.arg);
  }
  // A call is named after its function (`extract`, and `btrim` for trim(… FROM …), as in Postgres).
  if ('FuncCall' in node) return lastName(node.FuncCall.funcname);
  if ('A_Expr' in node) return node.A_Expr.kind === 'AEXPR_NULLIF' ? 'nullif' : undefined;
  if ('TypeCast' in node) {
    const inner = figure(node.TypeCast.arg);
    if (inner) return inner;
    const arg = node.TypeCast.arg;
    // `true`/`false` are bool casts in Postgres's own grammar.
    return castColumnName(typeName(node.TypeCast)) || (arg && 'A_Const' in arg && arg.A_Const.boolval ? 'bool' : undefined);
  }
  if ('A_Const' in node) return node.A_Const.boolval !== undefined ? 'bool' : undefined;
  if ('SetToDefault' in node) return 'default';
  if ('CaseExpr' in node) return 'case';
  if ('A_ArrayExpr' in node) return 'array';
  if ('RowExpr' in node) return 'row';
  if ('CoalesceExpr' in node) return 'coalesce';
  if ('MinMaxExpr' in node) return node.MinMaxExpr.op === 'IS_GREATEST' ? 'greatest' : 'least';
  if ('SQLValueFunction' in node) return (node.SQLValueFunction.op ?? '').replace(/^SVFOP_/, '').toLowerCase();
  if ('SubLink' in node) {
    const s = node.SubLink;
    if (s.subLinkType === 'EXISTS_SUBLINK') return 'exists';
    if (s.subLinkType === 'ARRAY_SUBLINK') return 'array';
    if (s.subLinkType === 'EXPR_SUBLINK' && s.subselect && 'SelectStmt' in s.subselect) {
      const first = s.subselect.SelectStmt.targetList?.[0];
      if (first && 'ResTarget' in first) return first.ResTarget.name ?? figure(first.ResTarget.val);
    }
    return undefined;
  }
  if ('CollateClause' in node) return figure(node.CollateClause.arg);
  return undefined;
}

/** The SQL type an expression fixes for its column (a comparison is boolean; SQLite gives 1 or 0). */
export function columnType(node: Node | undefined): SqlType | undefined {
  if (!node) return undefined;
  if ('A_Const' in node) return node.A_Const.boolval !== undefined ? 'BOOLEAN' : undefined;
  if ('BoolExpr' in node || 'NullTest' in node || 'BooleanTest' in node) return 'BOOLEAN';
  if ('A_Expr' in node) {
    const e = node.A_Expr;
    const op = lastName(e.name);
    if (e.kind === 'AEXPR_OP') return COMPARISONS.has(op) || REGEX_OPERATORS[op] || JSONB_OPERATORS.has(op) || op.includes('~~') ? 'BOOLEAN' : undefined;
    return e.kind === 'AEXPR_NULLIF' ? undefined : 'BOOLEAN';
  }
  if ('SubLink' in node) return node.SubLink.subLinkType === 'EXPR_SUBLINK' || node.SubLink.subLinkType === 'ARRAY_SUBLINK' ? undefined : 'BOOLEAN';
  if ('FuncCall' in node) return functionType(lastName(node.FuncCall.funcname).toLowerCase());
  if ('TypeCast' in node) {
    const base = typeName(node.TypeCast).replace(/\s*\(.*\)$/, '');
    if (base === 'date' || isTimestamp(base) || base.startsWith('timestamp')) return 'TEXT';
    if (base === 'numeric' || base === 'decimal') return 'REAL';
    const target = castTarget(base);
    if (target === 'ARRAY') return 'TEXT';
    if (target === 'REG') {
      const arg = node.TypeCast.arg;
      return arg && ('A_Const' in arg || 'ParamRef' in arg) ? 'INTEGER' : 'TEXT';
    }
    return target === 'UNKNOWN' ? undefined : target;
  }
  return undefined;
}

/** The Postgres type an expression fixes beyond its SQL type: a cast's, a known function's. */
export function columnPgType(node: Node | undefined): PgTypeName | undefined {
  if (!node) return undefined;
  if ('TypeCast' in node) {
    const base = typeName(node.TypeCast).replace(/\s*\(.*\)$/, '');
    if (base === 'date') return 'date';
    if (base === 'timestamptz' || base === 'timestamp with time zone') return 'timestamptz';
    if (base === 'timestamp' || base === 'timestamp without time zone') return 'timestamp';
    if (base === 'numeric' || base === 'decimal') return 'numeric';
    if (base === 'json' || base === 'jsonb') return base;
    return undefined;
  }
  if ('A_ArrayExpr' in node) return arrayPgType(node.A_ArrayExpr.elements ?? []);
  if ('FuncCall' in node && !node.FuncCall.over) return FUNCTION_PG_TYPES[lastName(node.FuncCall.funcname).toLowerCase()];
  if ('SQLValueFunction' in node) {
    const op = node.SQLValueFunction.op;
    return op === 'SVFOP_CURRENT_TIMESTAMP' ? 'timestamptz' : op === 'SVFOP_CURRENT_DATE' ? 'date' : undefined;
  }
  if ('A_Expr' in node && intervalLiteral(node.A_Expr.rexpr) !== undefined) return 'timestamptz';
  return undefined;
}

const INT4_MAX = 2 ** 31 - 1;
const INT4_MIN = -(2 ** 31);

/**
 * ARRAY[…]'s type from its elements, as Postgres resolves it: integer literals make int4[] (int8[] once one is
 * beyond int4, or a cast says bigint), strings and text casts text[]. Anything else (columns, numerics, booleans,
 * whose text forms differ) keeps the text type, whose value is still the array's text form (`{a,b}`).
 */
function arrayPgType(elements: Node[]): PgTypeName | undefined {
  if (!elements.length) return undefined; // ARRAY[] needs a cast in Postgres
  // A NULL element takes the others' type.
  const kinds = new Set(elements.filter((e) => !('A_Const' in e && e.A_Const.isnull)).map(elementKind));
  if (!kinds.size) return undefined;
  if (kinds.size !== 1 && !(kinds.size === 2 && kinds.has('int4') && kinds.has('int8'))) return undefined;
  if (kinds.has('int8')) return '_int8';
  if (kinds.has('int4')) return '_int4';
  return kinds.has('text') ? '_text' : undefined;
}

function elementKind(node: Node): 'int4' | 'int8' | 'text' | undefined {
  if ('A_Const' in node) {
    const c = node.A_Const;
    if (c.ival !== undefined) return c.ival.ival === undefined || (c.ival.ival >= INT4_MIN && c.ival.ival <= INT4_MAX) ? 'int4' : 'int8';
    // Integers beyond int4 arrive as their digits (fval) when they do not fit; a decimal point makes a numeric.
    if (c.fval !== undefined) return /^-?\d+$/.test(c.fval.fval ?? '') ? 'int8' : undefined;
    if (c.sval !== undefined) return 'text';
    return undefined;
  }
  if ('TypeCast' in node) {
    const base = typeName(node.TypeCast).replace(/\s*\(.*\)$/, '');
    if (base === 'int' || base === 'int4' || base === 'integer' || base === 'int2' || base === 'smallint') return 'int4';
    if (base === 'int8' || base === 'bigint') return 'int8';
    if (base === 'text' || base === 'varchar' || base === 'character varying') return 'text';
  }
  return undefined;
}
