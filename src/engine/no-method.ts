// The error for a verb a resource has no method for (`UPDATE digitalocean.compute.droplets`): which verbs it has,
// the EXEC actions that change it (methods of any resource under its item path, `POST /v2/droplets/{id}/actions`),
// and an example EXEC built from the statement's own values.
import { DoqlError } from '../errors.js';
import type { Catalog, Method, Resource } from '../catalog/types.js';

export interface Attempt {
  /** SET columns with their values when they are literals (`data__name` → `web-2`). */
  set?: { column: string; value?: string | number | null }[];
  /** WHERE equalities (`droplet_id` → 1). */
  where?: Map<string, string | number | null>;
}

const CHANGING = new Set(['post', 'put', 'patch']);

/** Methods that change `resource` without being its own INSERT/UPDATE/REPLACE/DELETE: its EXECs, and actions under its items. */
function actionsOn(catalog: Catalog, resource: Resource): { resource: Resource; method: Method }[] {
  const itemPaths = [...new Set(resource.methods.map((m) => m.path).filter((p) => p.endsWith('}')))];
  const out: { resource: Resource; method: Method }[] = resource.methods.filter((m) => m.verb === 'exec' && CHANGING.has(m.httpMethod)).map((method) => ({ resource, method }));
  for (const service of Object.values(catalog.services)) {
    for (const other of Object.values(service.resources)) {
      if (other === resource) continue;
      for (const method of other.methods) {
        if (CHANGING.has(method.httpMethod) && itemPaths.some((p) => method.path.startsWith(`${p}/`))) out.push({ resource: other, method });
      }
    }
  }
  return out;
}

function bodyFields(m: Method): string[] {
  return [...new Set([...(m.body?.fields.map((f) => f.name) ?? []), ...(m.body?.variants?.forms.flatMap((f) => f.fields) ?? [])])];
}

function literal(v: string | number | null | undefined): string {
  return v === undefined || v === null ? "'…'" : typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`;
}

/** `EXEC svc.res.method @p = 1 @@json = '{"type": "rename", "name": "web-2"}'` for what the statement tried. */
function example(target: { resource: Resource; method: Method }, setFields: { name: string; value?: string | number | null }[], where: Map<string, string | number | null>): string {
  const { method } = target;
  const params = method.requiredParams.map((p) => `@${p} = ${literal(where.get(p) ?? undefined)}`);
  const names = setFields.map((f) => f.name);
  const form = method.body?.variants?.forms.find((f) => names.length && names.every((n) => f.fields.includes(n)));
  const required = form?.required ?? method.body?.fields.filter((f) => f.required).map((f) => f.name) ?? [];
  const json: Record<string, unknown> = {};
  for (const r of required) {
    const field = method.body?.fields.find((f) => f.name === r);
    // An action's `type`: the value named like the field being changed (`rename` for name, `resize` for size).
    const named = field?.enum?.find((e) => typeof e === 'string' && names.some((n) => e.toLowerCase().includes(n.toLowerCase())));
    json[r] = named ?? (field?.enum ? `<${field.enum.slice(0, 6).join('|')}${field.enum.length > 6 ? '|…' : ''}>` : '…');
  }
  for (const f of setFields) json[f.name] = f.value ?? '…';
  const body = method.body ? ` @@json = '${JSON.stringify(json).replace(/'/g, "''")}'` : '';
  return `EXEC ${target.resource.id}.${method.name} ${params.join(' ')}${body}`.replace(/\s+/g, ' ').trim();
}

export function noMethodError(catalog: Catalog, resource: Resource, verb: string, attempt: Attempt = {}): DoqlError {
  const verbs = [...new Set(resource.methods.map((m) => m.verb.toUpperCase()))].join(', ');
  const setFields = (attempt.set ?? []).filter((s) => s.column.startsWith('data__')).map((s) => ({ name: s.column.slice(6), value: s.value }));
  const names = setFields.map((f) => f.name);
  const actions = actionsOn(catalog, resource).sort((a, b) => {
    const fit = (x: Method): number => names.filter((n) => bodyFields(x).includes(n)).length;
    return fit(b.method) - fit(a.method) || a.method.path.length - b.method.path.length;
  });
  let message = `${resource.id} has no ${verb.toUpperCase()} method (it supports ${verbs})`;
  if (actions.length) {
    const shown = actions.slice(0, 5).map((a) => `${a.resource.id}.${a.method.name} (${a.method.httpMethod.toUpperCase()} ${a.method.path})`);
    message += `; it is changed by EXEC of ${shown.join(', ')}${actions.length > 5 ? `, and ${actions.length - 5} more` : ''}; e.g. ${example(actions[0], setFields, attempt.where ?? new Map())}`;
  }
  const first = actions[0]?.resource ?? resource;
  return new DoqlError('not_found', message, { hint: `see SHOW METHODS IN ${first.id}`, sqlState: '42809' });
}
