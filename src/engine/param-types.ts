// Postgres clients send `$n` values as untyped text, and Postgres types each one from what it is compared with.
// SQLite's virtual-table columns have no declared types, so doql does the same here: a placeholder compared
// with a known column (`name = $1`, `$2 < size_gigabytes`, `region IN ($3, $4)`) takes that column's type.
import type { Resource } from '../catalog/types.js';
import { identValue, significant, tokenize, type Token } from '../sql/lexer.js';
import { PARAM_SUFFIX } from './method-choice.js';

export type ParamKind = 'text' | 'number';

const COMPARISONS = new Set(['=', '==', '!=', '<>', '<', '<=', '>', '>=']);
const WORD_COMPARISONS = new Set(['LIKE', 'GLOB', 'IS']);

const isComparison = (t: Token | undefined): boolean =>
  t !== undefined && (COMPARISONS.has(t.text) || (t.kind === 'word' && WORD_COMPARISONS.has(t.text.toUpperCase())));
const isName = (t: Token | undefined): t is Token => t !== undefined && (t.kind === 'word' || t.kind === 'quoted');

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

/** The column a placeholder at index k is compared with, or undefined. */
function comparedName(toks: Token[], k: number): Token | undefined {
  // `col = ?1`, `t.col <> ?1`
  if (isComparison(toks[k - 1]) && isName(toks[k - 2])) return toks[k - 2];
  // `?1 = col`, `?1 = t.col`
  if (isComparison(toks[k + 1]) && isName(toks[k + 2])) return toks[k + 3]?.text === '.' && isName(toks[k + 4]) ? toks[k + 4] : toks[k + 2];
  // `col [NOT] IN (?1, 'x', ?2)`
  let j = k - 1;
  while (j >= 0 && (toks[j].text === ',' || toks[j].kind === 'param' || toks[j].kind === 'string' || toks[j].kind === 'number')) j--;
  if (toks[j]?.text !== '(' || toks[j - 1]?.kind !== 'word' || toks[j - 1].text.toUpperCase() !== 'IN') return undefined;
  const before = toks[j - 2]?.kind === 'word' && toks[j - 2].text.toUpperCase() === 'NOT' ? j - 3 : j - 2;
  return isName(toks[before]) ? toks[before] : undefined;
}

/**
 * The kind of each numbered placeholder (`?1` after rewriting) that the statement compares with a column of
 * its resources; placeholders compared with columns of different kinds, or with nothing known, are left out.
 */
export function placeholderKinds(sql: string, resources: Resource[]): Map<number, ParamKind> {
  const out = new Map<number, ParamKind | null>();
  if (!resources.length) return new Map();
  const kinds = kindsByName(resources);
  const toks = significant(tokenize(sql));
  toks.forEach((t, k) => {
    if (t.kind !== 'param' || !/^\?\d+$/.test(t.text)) return;
    const name = comparedName(toks, k);
    const kind = name && kinds.get(identValue(name).toLowerCase());
    if (!kind) return;
    const n = Number(t.text.slice(1));
    const seen = out.get(n);
    out.set(n, seen === undefined || seen === kind ? kind : null);
  });
  return new Map([...out].filter((e): e is [number, ParamKind] => e[1] !== null));
}
