// Example statements for one method, with `{{ name }}` placeholders a user fills with --var or .set.
import type { BodyField, Method, Resource } from '../catalog/types.js';
import { insertTemplates } from '../engine/catalog-statements.js';

const UNQUOTED = new Set(['integer', 'number', 'boolean']);
/** In an @@json document, objects and arrays are JSON the user writes in place of the placeholder. */
const JSON_BARE = new Set([...UNQUOTED, 'object', 'array']);

/** A body value placeholder: numbers and booleans bare, everything else quoted (as SHOW INSERT INTO does). */
function bodyValue(f: BodyField): string {
  return UNQUOTED.has(f.schemaType) ? `{{ ${f.name} }}` : `'{{ ${f.name} }}'`;
}

/** `WHERE a = '{{ a }}'\nAND b = '{{ b }}'` for the given params; empty when there are none. */
function whereLines(params: string[], required: boolean): string[] {
  const mark = required ? ' /* required */' : '';
  return params.map((p, i) => `${i === 0 ? 'WHERE' : 'AND'} ${p} = '{{ ${p} }}'${mark}`);
}

/** Ends a statement: the `;` joins the last line, as in the StackQL docs' SELECT examples. */
function finish(lines: string[]): string {
  return `${lines.join('\n')};`;
}

export function selectExample(resource: Resource, method: Method): string {
  const fields = resource.columns.filter((c) => !c.envelope);
  const cols = fields.length ? fields.map((c) => c.name).join(',\n') : '*';
  return finish(['SELECT', cols, `FROM ${resource.id}`, ...whereLines(method.requiredParams, false)]);
}

/** The template `SHOW INSERT INTO` prints, for this one method (of a body with several forms, the first). */
export function insertExample(resource: Resource, method: Method): string {
  // An INSERT names at least one column; a create that takes no body and no parameter is called with EXEC.
  if (!method.body?.fields.length && !method.requiredParams.length) return execExample(resource, method);
  return insertTemplates({ ...resource, methods: [method] }, false)[0];
}

export function updateExample(resource: Resource, method: Method): string {
  const fields = method.body?.fields ?? [];
  // UPDATE/REPLACE need a SET item; a method without a body is called with EXEC instead.
  if (!fields.length) return execExample(resource, method);
  const set = fields.map((f) => `data__${f.name} = ${bodyValue(f)}${f.required ? ' /* required */' : ''}`).join(',\n');
  return finish([`${method.verb.toUpperCase()} ${resource.id}`, 'SET', set, ...whereLines(method.requiredParams, true)]);
}

export function deleteExample(resource: Resource, method: Method): string {
  return finish([`DELETE FROM ${resource.id}`, ...whereLines(method.requiredParams, true)]);
}

export function execExample(resource: Resource, method: Method): string {
  const args = method.requiredParams.map((p) => `@${p} = '{{ ${p} }}'`);
  const fields = method.body?.fields ?? [];
  if (fields.length) {
    const json = fields.map((f) => `"${f.name}": ${JSON_BARE.has(f.schemaType) ? `{{ ${f.name} }}` : `"{{ ${f.name} }}"`}`).join(', ');
    args.push(`@@json = '{ ${json} }'`);
  }
  return finish([`EXEC ${resource.id}.${method.name}`, ...args]);
}

export const EXAMPLES: Record<Method['verb'], (resource: Resource, method: Method) => string> = {
  select: selectExample,
  insert: insertExample,
  update: updateExample,
  replace: updateExample,
  delete: deleteExample,
  exec: execExample,
};
