// Validates request bodies against the operation's request schema (ajv), and keeps stored items
// schema-valid when request fields are merged into them. Messages name the offending fields.
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { JsonSchema } from '../catalog/types.js';
import type { SchemaMode } from './openapi-schema.js';
import { compileSchema, createAjv } from './openapi-schema.js';

export class Validators {
  private readonly ajv: Ajv = createAjv();
  private readonly cache = new Map<string, ValidateFunction>();

  /** A compiled validator, cached by `key` (operationId, collection shape, …). */
  get(key: string, schema: JsonSchema, mode: SchemaMode): ValidateFunction {
    const k = `${mode}:${key}`;
    let v = this.cache.get(k);
    if (!v) {
      v = compileSchema(this.ajv, schema, mode);
      this.cache.set(k, v);
    }
    return v;
  }
}

/** A plain boolean check: ajv's type guard would narrow the value to `never` in a retry loop. */
export function passes(validate: ValidateFunction, value: unknown): boolean {
  return validate(value) === true;
}

function fieldOf(e: ErrorObject): string {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return path ? `${path}.${missing}` : missing;
  }
  return path || 'body';
}

/** `name is required; size must be string`: every problem, each naming its field. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const e of errors ?? []) {
    const field = fieldOf(e);
    let text: string;
    if (e.keyword === 'required') text = `${field} is required`;
    else if (e.keyword === 'enum') text = `${field} must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    else text = `${field} ${e.message ?? 'is invalid'}`;
    if (!seen.has(text)) {
      seen.add(text);
      parts.push(text);
    }
  }
  return parts.slice(0, 10).join('; ') || 'the request body is invalid';
}

/** The top-level property an error is about (`/size/slug` → `size`). */
export function topLevelField(e: ErrorObject): string | undefined {
  const first = e.instancePath.split('/')[1];
  if (first) return first.replace(/~1/g, '/').replace(/~0/g, '~');
  if (e.keyword === 'required') return (e.params as { missingProperty: string }).missingProperty;
  return undefined;
}
