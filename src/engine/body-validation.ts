// Validates a request body by the operation's own schema from the spec (ajv): nested objects, enums, formats,
// bounds, and the required fields of the form (oneOf/anyOf branch) the given fields select. Every problem is
// reported at once, each naming the field as the statement wrote it (`data__region`, `data__spec.name`).
import type { ErrorObject, ValidateFunction } from 'ajv';
import { compileSchema, createAjv } from '../catalog/openapi-ajv.js';
import type { BodyVariants, JsonSchema, SchemaBundle } from '../catalog/types.js';

/** Compiled validators per schema bundle (one per catalog), by operationId and form. */
const compiled = new WeakMap<SchemaBundle | JsonSchema, { ajv: ReturnType<typeof createAjv>; byKey: Map<string, ValidateFunction> }>();

/**
 * A nested oneOf checked as anyOf: the spec's forms often overlap (a snapshot action is a generic action plus an
 * optional `name`), so "exactly one" would refuse bodies DigitalOcean accepts. Top-level forms that the given
 * fields select more than one of are still refused (validateBody).
 */
function oneOfAsAnyOf(schema: unknown, depth = 0): unknown {
  if (schema === null || typeof schema !== 'object' || depth > 64) return schema;
  if (Array.isArray(schema)) return schema.map((x) => oneOfAsAnyOf(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema as Record<string, unknown>)) {
    if (k === 'example' || k === 'examples') out[k] = v;
    else out[k === 'oneOf' && !('anyOf' in schema) ? 'anyOf' : k] = oneOfAsAnyOf(v, depth + 1);
  }
  return out;
}

function validator(owner: SchemaBundle | JsonSchema, key: string, schema: JsonSchema): ValidateFunction {
  let c = compiled.get(owner);
  if (!c) compiled.set(owner, (c = { ajv: createAjv(), byKey: new Map() }));
  let v = c.byKey.get(key);
  if (!v) c.byKey.set(key, (v = compileSchema(c.ajv, oneOfAsAnyOf(schema) as JsonSchema, 'request')));
  return v;
}

export interface BodySchemas {
  /** Owner of the compiled validators' cache (the catalog's schema bundle). */
  owner: SchemaBundle | JsonSchema;
  operationId: string;
  /** The flattened body schema (every form's fields; what all forms require): values are converted by it. */
  request: JsonSchema;
  /** The body schema with its nested oneOf/anyOf as the spec writes them, when it has any: validated by it. */
  strict?: JsonSchema;
  /** Each form's own schema, when the body is a oneOf/anyOf of object forms. */
  variants?: { meta: BodyVariants; schemas: JsonSchema[] };
}

export interface Naming {
  /** The name of a top-level field as the statement gave it (`data__name`, or `name` inside @@json). */
  top(field: string): string;
  /** JSON pointers whose values already failed to convert: the validator would say the same again. */
  failed: string[];
}

function unescape(seg: string): string {
  return seg.replace(/~1/g, '/').replace(/~0/g, '~');
}

function userPath(pointer: string, naming: Naming): string {
  const segs = pointer.split('/').slice(1).map(unescape);
  if (!segs.length) return 'the body';
  return segs.slice(1).reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : `${acc}.${s}`), naming.top(segs[0]));
}

function valueAt(body: unknown, pointer: string): unknown {
  let v = body;
  for (const seg of pointer.split('/').slice(1).map(unescape)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * A nested oneOf/anyOf that no branch matched reports every branch's errors: keep only the errors of the branch
 * that came closest (fewest errors), as a user who meant one form needs to hear about that form.
 */
function closestBranches(errors: ErrorObject[]): ErrorObject[] {
  let kept = errors;
  const choices = errors
    .filter((e) => (e.keyword === 'oneOf' || e.keyword === 'anyOf') && !Array.isArray((e.params as { passingSchemas?: unknown }).passingSchemas))
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const c of choices) {
    const prefix = `${c.schemaPath}/`;
    const byBranch = new Map<string, ErrorObject[]>();
    for (const e of kept) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const branch = e.schemaPath.slice(prefix.length).split('/')[0];
      byBranch.set(branch, [...(byBranch.get(branch) ?? []), e]);
    }
    if (byBranch.size < 2) continue;
    const best = [...byBranch.values()].sort((a, b) => a.length - b.length)[0];
    kept = kept.filter((e) => !e.schemaPath.startsWith(prefix) || best.includes(e));
  }
  return kept;
}

/** One line per ajv error, named as the user wrote the field; errors under a value that failed to convert are dropped. */
function describeErrors(all: ErrorObject[], body: unknown, naming: Naming): { missing: string[]; other: string[] } {
  const errors = closestBranches(all);
  const missing: string[] = [];
  const other: string[] = [];
  const seen = new Set<string>();
  const under = (p: string): boolean => naming.failed.some((f) => p === f || p.startsWith(`${f}/`));
  for (const e of errors) {
    if (under(e.instancePath)) continue;
    const path = userPath(e.instancePath, naming);
    const got = `, got ${shown(valueAt(body, e.instancePath))}`;
    let line: string;
    let isMissing = false;
    switch (e.keyword) {
      case 'required': {
        const prop = (e.params as { missingProperty: string }).missingProperty;
        const ptr = `${e.instancePath}/${prop.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (under(ptr)) continue;
        line = `missing required field ${userPath(ptr, naming)}`;
        isMissing = true;
        break;
      }
      case 'enum':
        line = `${path} must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}${got}`;
        break;
      case 'type':
        line = `${path} must be ${String((e.params as { type: string }).type).replace(/,/g, ' or ')}${got}`;
        break;
      case 'format':
        line = `${path} must be a valid ${(e.params as { format: string }).format}${got}`;
        break;
      case 'additionalProperties': {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        line = e.instancePath ? `${path} has no field ${extra}` : `unknown field ${naming.top(extra)}`;
        break;
      }
      case 'oneOf': {
        const passing = (e.params as { passingSchemas?: number[] | null }).passingSchemas;
        if (!Array.isArray(passing)) continue; // the closest branch's own errors say what is wrong
        line = `${path} matches more than one of its forms (${passing.map((i) => i + 1).join(' and ')}); give the fields of one`;
        break;
      }
      case 'anyOf':
      case 'if':
        continue; // the branches' own errors say what is wrong
      default:
        line = `${path} ${e.message ?? 'is invalid'}${['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'multipleOf', 'const'].includes(e.keyword) ? got : ''}`;
    }
    if (seen.has(line)) continue;
    seen.add(line);
    (isMissing ? missing : other).push(line);
  }
  return { missing, other };
}

function formLabel(meta: BodyVariants, i: number, naming: Naming): string {
  const f = meta.forms[i];
  const title = f.title ? `"${f.title}"` : `form ${i + 1}`;
  return `${title} (${f.required.map((r) => naming.top(r)).join(', ') || 'no required fields'})`;
}

/**
 * Problems of `body` by the schema, at once: field errors first, then missing required fields. For a body of
 * several forms, the form the given fields select is checked (fields only it has, then fewest errors).
 */
export function validateBody(body: Record<string, unknown>, schemas: BodySchemas, naming: Naming): string[] {
  const { variants } = schemas;
  if (!variants || variants.schemas.length !== variants.meta.forms.length) {
    const validate = validator(schemas.owner, schemas.operationId, schemas.strict ?? schemas.request);
    if (validate(body)) return [];
    const { missing, other } = describeErrors(validate.errors ?? [], body, naming);
    return [...other, ...missing];
  }
  const { meta } = variants;
  const results = variants.schemas.map((s, i) => {
    const validate = validator(schemas.owner, `${schemas.operationId}#${i}`, s);
    const ok = validate(body) === true;
    return { ok, ...describeErrors(ok ? [] : (validate.errors ?? []), body, naming) };
  });
  const passing = results.flatMap((r, i) => (r.ok ? [i] : []));
  const given = Object.keys(body);
  // Fields that tell the forms apart: in some forms, not all.
  const distinctive = (i: number): number => given.filter((g) => meta.forms[i].fields.includes(g) && !meta.forms.every((f) => f.fields.includes(g))).length;
  if (meta.kind === 'oneOf' && passing.length > 1) {
    // Only forms the given fields select count as a clash (the spec's forms often overlap).
    const selected = passing.filter((i) => distinctive(i) > 0);
    if (selected.length > 1) {
      return [`the body matches more than one of its forms: ${selected.map((i) => formLabel(meta, i, naming)).join(', ')}; give the fields of one`];
    }
    return [];
  }
  if (passing.length) return [];
  const order = results
    .map((r, i) => ({ i, score: distinctive(i), errors: r.missing.length + r.other.length }))
    .sort((a, b) => b.score - a.score || a.errors - b.errors || a.i - b.i);
  const best = results[order[0].i];
  const problems = [...best.other, ...best.missing];
  // Name the forms when a missing field is one some forms do without (`name`, or `names` for several).
  const formSpecific = meta.forms.flatMap((f) => f.required).filter((r) => !meta.forms.every((f) => f.required.includes(r)));
  if (best.missing.some((line) => formSpecific.some((r) => line === `missing required field ${naming.top(r)}`))) {
    problems.push(`the body takes ${meta.kind === 'oneOf' ? 'one' : 'at least one'} of these forms: ${meta.forms.map((_, i) => formLabel(meta, i, naming)).join(' or ')}`);
  }
  return problems;
}
