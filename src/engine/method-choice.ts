// Picks the SELECT method a query can use from the parameters its WHERE/join supplies (Steampipe's Get-vs-List):
// the most specific method whose required params are all given; otherwise one clear error.
import { DoqlError } from '../errors.js';
import type { Method, Resource } from '../catalog/types.js';

export function selectMethods(resource: Resource): Method[] {
  return resource.methods.filter((m) => m.verb === 'select');
}

/** Hidden parameter columns of a resource's table: every select method's params, minus names that are real columns. */
export function tableParameters(resource: Resource): string[] {
  const columns = new Set(resource.columns.map((c) => c.name));
  const required: string[] = [];
  const optional: string[] = [];
  for (const m of selectMethods(resource)) {
    for (const p of m.params) {
      if (columns.has(p.name) || required.includes(p.name) || optional.includes(p.name)) continue;
      (m.requiredParams.includes(p.name) ? required : optional).push(p.name);
    }
  }
  for (const r of required) {
    const i = optional.indexOf(r);
    if (i >= 0) optional.splice(i, 1);
  }
  // SQLite virtual tables in better-sqlite3 take at most 32 parameters: required ones first.
  return [...required, ...optional].slice(0, 32);
}

export function chooseSelectMethod(resource: Resource, supplied: ReadonlySet<string>): Method {
  const methods = selectMethods(resource);
  if (methods.length === 0) {
    const verbs = [...new Set(resource.methods.map((m) => m.verb))].join(', ');
    throw new DoqlError('not_found', `${resource.id} cannot be selected from (it supports ${verbs || 'no methods'})`, {
      hint: `see SHOW METHODS IN ${resource.id}`,
      sqlState: '42809',
    });
  }
  const usable = methods.filter((m) => m.requiredParams.every((p) => supplied.has(p)));
  if (usable.length) {
    // Most required params first; then a list (paginated) over a single get; then spec order.
    return usable.sort((a, b) => b.requiredParams.length - a.requiredParams.length || Number(b.returnsList) - Number(a.returnsList))[0];
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
