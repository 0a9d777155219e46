// Picks the method a statement can use from the parameters it supplies (Steampipe's Get-vs-List), for every verb:
// the most specific method whose required params are all given; otherwise one clear error.
import { DoqlError } from '../errors.js';
import type { Method, Resource } from '../catalog/types.js';

export function selectMethods(resource: Resource): Method[] {
  return methodsOf(resource, 'select');
}

export function methodsOf(resource: Resource, verb: Method['verb']): Method[] {
  return resource.methods.filter((m) => m.verb === verb);
}

/** The methods whose required params are all supplied, the most specific (most required params) first. */
export function usableMethods(methods: readonly Method[], supplied: ReadonlySet<string>): Method[] {
  return methods.filter((m) => m.requiredParams.every((p) => supplied.has(p))).sort((a, b) => b.requiredParams.length - a.requiredParams.length);
}

/** A write's method for the params its statement supplies (INSERT's columns, a WHERE's equalities): the most specific usable. */
export function chooseMethod(methods: readonly Method[], supplied: ReadonlySet<string>): Method | undefined {
  return usableMethods(methods, supplied)[0];
}

/** The method that changes one row at a time when a WHERE picks the rows: the one addressing the deepest item path. */
export function itemMethod(methods: readonly Method[]): Method | undefined {
  const depth = (m: Method): number => (m.path.match(/\{[^}]+\}/g) ?? []).length;
  return [...methods].sort((a, b) => depth(b) - depth(a))[0];
}

/** Suffix of the hidden column that carries a required param whose name is also a real column. */
export const PARAM_SUFFIX = '$p';

/**
 * Required params that share a name with a real column (`subject_name` of kafka schemas, `id` of apps).
 * Their hidden column is `name$p`; the SQL rewriter sends `name = …` in WHERE/ON there.
 */
export function collidingParams(resource: Resource): Set<string> {
  const columns = new Set(resource.columns.map((c) => c.name));
  const out = new Set<string>();
  for (const m of selectMethods(resource)) for (const p of m.requiredParams) if (columns.has(p)) out.add(p);
  return out;
}

/**
 * Hidden parameter columns of a resource's table: every select method's params. An optional param named
 * like a real column is left out (the column filters locally); a required one is renamed `name$p`.
 */
export function tableParameters(resource: Resource): string[] {
  const columns = new Set(resource.columns.map((c) => c.name));
  const colliding = collidingParams(resource);
  const required: string[] = [];
  const optional: string[] = [];
  for (const m of selectMethods(resource)) {
    for (const p of m.params) {
      const hidden = colliding.has(p.name) ? `${p.name}${PARAM_SUFFIX}` : p.name;
      if ((columns.has(p.name) && !colliding.has(p.name)) || required.includes(hidden) || optional.includes(hidden)) continue;
      (m.requiredParams.includes(p.name) ? required : optional).push(hidden);
    }
  }
  for (const r of required) {
    const i = optional.indexOf(r);
    if (i >= 0) optional.splice(i, 1);
  }
  // SQLite virtual tables in better-sqlite3 take at most 32 parameters: required ones first.
  return [...required, ...optional].slice(0, 32);
}

/** Paging params pin a page of a list; they never make a get's single row wrong. */
const PAGING = new Set(['page', 'per_page']);

export function chooseSelectMethod(resource: Resource, supplied: ReadonlySet<string>): Method {
  const methods = selectMethods(resource);
  if (methods.length === 0) {
    const verbs = [...new Set(resource.methods.map((m) => m.verb))].join(', ');
    throw new DoqlError('not_found', `${resource.id} cannot be selected from (it supports ${verbs || 'no methods'})`, {
      hint: `see SHOW METHODS IN ${resource.id}`,
      sqlState: '42809',
    });
  }
  const usable = usableMethods(methods, supplied);
  if (usable.length) {
    // Most required params first; then a list (paginated) over a single get; then spec order.
    usable.sort((a, b) => b.requiredParams.length - a.requiredParams.length || Number(b.returnsList) - Number(a.returnsList));
    // A supplied param the method would not send is a WHERE condition silently dropped (`droplet_id = 1 AND
    // tag_name = 'x'` would return droplet 1 untagged): take a method that sends them all, or say so.
    // Paging params are exempt: they select no rows of a single object.
    const ignored = (m: Method): string[] => [...supplied].filter((p) => !PAGING.has(p) && !m.params.some((x) => x.name === p));
    const complete = usable.find((m) => ignored(m).length === 0);
    if (complete) return complete;
    const best = usable[0];
    const used = [...supplied].filter((p) => best.params.some((x) => x.name === p));
    throw new DoqlError(
      'validation',
      `${resource.id} cannot filter by ${ignored(best).join(' and ')} together with ${used.join(' and ')}: no API call takes them all; leave one out`,
      { sqlState: '0A000' },
    );
  }
  throw missingParamsError(resource, supplied);
}

/** `digitalocean.databases.backups needs database_cluster_uuid: add WHERE … or join it to a table that has it`. */
export function missingParamsError(resource: Resource, supplied: ReadonlySet<string>): DoqlError {
  const methods = selectMethods(resource);
  const missingFor = (m: Method): string[] => m.requiredParams.filter((p) => !supplied.has(p));
  const best = [...methods].sort((a, b) => missingFor(a).length - missingFor(b).length || Number(b.returnsList) - Number(a.returnsList))[0];
  const missing = missingFor(best);
  const where = missing.map((p) => `${p} = '…'`).join(' AND ');
  return new DoqlError(
    'missing_param',
    `${resource.id} needs ${missing.join(' and ')}: add WHERE ${where} or join it to a table that has it`,
    { sqlState: '42P02' },
  );
}
