// Postgres clients send `$n` values as untyped text, and Postgres types each one from what it is compared with.
// SQLite's virtual-table columns have no declared types, so doql does the same: a placeholder compared with a
// known column (`name = $1`, `$2 < size_gigabytes`, `region IN ($3, $4)`) takes that column's kind, found in
// the syntax tree (sql/tree/emit-expr.ts) from the kinds here.
import type { Resource } from '../catalog/types.js';
import { PARAM_SUFFIX } from './method-choice.js';

export type ParamKind = 'text' | 'number';

/** Column (and parameter) kinds by lower-case name; a name two resources type differently is left out. */
export function kindsByName(resources: Resource[]): Map<string, ParamKind> {
  const kinds = new Map<string, ParamKind | null>();
  const add = (name: string, kind: ParamKind): void => {
    const key = name.toLowerCase();
    const seen = kinds.get(key);
    kinds.set(key, seen === undefined || seen === kind ? kind : null);
  };
  for (const r of resources) {
    for (const c of r.columns) add(c.name, c.sqlType === 'TEXT' || c.sqlType === 'JSON' ? 'text' : 'number');
    for (const m of r.methods) {
      for (const p of m.params) {
        const kind: ParamKind = p.schemaType === 'integer' || p.schemaType === 'number' || p.schemaType === 'boolean' ? 'number' : 'text';
        add(p.name, kind);
        add(`${p.name}${PARAM_SUFFIX}`, kind);
      }
    }
  }
  return new Map([...kinds].filter((e): e is [string, ParamKind] => e[1] !== null));
}
