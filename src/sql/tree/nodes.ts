// Small readers over libpg-query's syntax tree (one-key objects: `{ ColumnRef: {...} }`): a node's kind,
// the strings of a name list, a visitor over every nested node. Shared by the SELECT translator's modules.
import type { Node } from '@pgsql/types';
import { DoqlError } from '../../errors.js';

export type { Node };

/** The kind of a node (`ColumnRef`, `A_Expr`, …). */
export function kindOf(node: Node): string {
  return Object.keys(node)[0] ?? '';
}

/** The strings of a name list (`[{ String: { sval: 'pg_catalog' } }, { String: { sval: 'int4' } }]`). */
export function names(list: Node[] | undefined): string[] {
  return (list ?? []).map((n) => ('String' in n ? (n.String.sval ?? '') : 'A_Star' in n ? '*' : ''));
}

/** The last name of a list, the one that names the thing (`pg_catalog.int4` → `int4`). */
export function lastName(list: Node[] | undefined): string {
  const all = names(list);
  return all[all.length - 1] ?? '';
}

/**
 * Every object nested in a tree, depth first (nodes and the plain structs inside them). With `subqueries: false`
 * it does not look into subqueries (SubLinks), which are SELECT levels of their own.
 */
export function visit(tree: unknown, fn: (key: string, value: Record<string, unknown>) => void, options: { subqueries?: boolean } = {}): void {
  const skip = options.subqueries === false;
  const walk = (v: unknown, key: string): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, key);
      return;
    }
    if (v === null || typeof v !== 'object' || (skip && key === 'SubLink')) return;
    const o = v as Record<string, unknown>;
    fn(key, o);
    for (const [k, x] of Object.entries(o)) walk(x, k);
  };
  walk(tree, '');
}

/** An error for a Postgres construct doql does not translate: raised before any request is sent. */
export function unsupported(construct: string, hint?: string): DoqlError {
  return new DoqlError('validation', `${construct} is not supported by doql${hint ? `: ${hint}` : ''}`, { sqlState: '0A000' });
}

/** An identifier for SQLite, always quoted (so `default` and other keywords are names). */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A string literal for SQLite. */
export const quoteString = (value: string): string => `'${value.replace(/'/g, "''")}'`;
