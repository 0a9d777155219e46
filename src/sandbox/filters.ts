// Query filters a list operation defines that name a field of its rows: `name`, `type`, `region`
// compare for equality (objects by slug or name), `tag_name` matches rows whose `tags` contain it.
import type { JsonSchema } from '../catalog/types.js';
import type { Collection, Operation } from './model.js';
import type { Item } from './store.js';

export type RowFilter = (item: Item) => boolean;

/** Paging parameters are not filters. */
const NOT_FILTERS = new Set(['page', 'per_page', 'page_token']);

function matchesValue(value: unknown, wanted: string): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.some((v) => matchesValue(v, wanted));
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return o.slug !== undefined ? String(o.slug) === wanted : o.name !== undefined ? String(o.name) === wanted : false;
  }
  return String(value) === wanted;
}

/** The filters the request's query supplies; `names` lists the parameters that filtered. */
export function rowFilters(op: Operation, c: Collection, query: URLSearchParams): { filters: RowFilter[]; names: string[] } {
  const props = (c.itemSchema.properties ?? {}) as Record<string, JsonSchema>;
  const filters: RowFilter[] = [];
  const names: string[] = [];
  for (const p of op.method.params) {
    if (p.in !== 'query' || NOT_FILTERS.has(p.name)) continue;
    const wanted = query.get(p.name);
    if (wanted === null) continue;
    let field: string | undefined;
    if (props[p.name]) field = p.name;
    else {
      // `tag_name` filters on `tags`: the parameter names one element of an array field.
      const m = /^(.+)_name$/.exec(p.name);
      if (m && props[`${m[1]}s`]?.type === 'array') field = `${m[1]}s`;
    }
    if (!field) continue;
    const f = field;
    filters.push((item) => matchesValue(item[f], wanted));
    names.push(p.name);
  }
  return { filters, names };
}

/** Names of the query parameters that could filter this collection (for DELETE-by-filter messages). */
export function filterParamNames(op: Operation, c: Collection): string[] {
  const all = new URLSearchParams();
  for (const p of op.method.params) if (p.in === 'query' && !NOT_FILTERS.has(p.name)) all.set(p.name, '');
  return rowFilters(op, c, all).names;
}

/** Query values that select `item` (for sample requests against DELETE-by-filter operations). */
export function filtersSelecting(op: Operation, c: Collection, item: Item): Record<string, string> {
  const props = (c.itemSchema.properties ?? {}) as Record<string, JsonSchema>;
  const out: Record<string, string> = {};
  const scalar = (v: unknown): string | undefined => {
    if (Array.isArray(v)) return scalar(v[0]);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return scalar(o.slug ?? o.name);
    }
    return v === null || v === undefined ? undefined : String(v);
  };
  for (const p of op.method.params) {
    if (p.in !== 'query' || NOT_FILTERS.has(p.name)) continue;
    const m = /^(.+)_name$/.exec(p.name);
    const field = props[p.name] ? p.name : m && props[`${m[1]}s`] ? `${m[1]}s` : undefined;
    const v = field ? scalar(item[field]) : undefined;
    if (v !== undefined) out[p.name] = v;
  }
  return out;
}
