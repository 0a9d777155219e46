// Builds a mutation's HTTP request from SQL values: `data__` columns (and @@json) become the body, converted to
// the types the body's schema wants, other columns path/query/header params. Validation by the spec's schema
// gathers every problem before anything is sent.
import { DoqlError } from '../errors.js';
import type { BodyField, JsonSchema, Method, Param } from '../catalog/types.js';
import { coerceValue, wantedTypes, type Coercion } from './body-coercion.js';
import { validateBody, type BodySchemas } from './body-validation.js';
import { fillPath } from './fetcher.js';

export interface PlannedRequest {
  method: string;
  path: string;
  query: Record<string, string | number | boolean>;
  /** Header params the operation defines (`X-Dangerous: true`). */
  headers?: Record<string, string>;
  body?: unknown;
  /** What the request is for, shown in confirmations and dry runs. */
  label: string;
}

type SqlValue = string | number | bigint | boolean | null | undefined;

/** A JSON object or array written as text (`'{"slug":"s-1vcpu-1gb"}'`, or a JSON column of another table). */
function jsonContainer(v: string): 'object' | 'array' | undefined {
  if (!/^\s*[[{]/.test(v)) return undefined;
  try {
    const parsed: unknown = JSON.parse(v);
    return Array.isArray(parsed) ? 'array' : parsed !== null && typeof parsed === 'object' ? 'object' : undefined;
  } catch {
    return undefined;
  }
}

function paramValue(p: Param | undefined, value: SqlValue): string | number | boolean {
  const v = typeof value === 'bigint' ? Number(value) : value;
  if (p && (p.schemaType === 'integer' || p.schemaType === 'number') && typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v as string | number | boolean;
}

/** The body schema when the catalog's schema bundle is not at hand: the top-level fields the catalog knows. */
function fieldsSchema(method: Method): JsonSchema {
  const fields = method.body?.fields ?? [];
  const properties: Record<string, JsonSchema> = {};
  for (const f of fields) {
    properties[f.name] = { type: f.schemaType, ...(f.nullable ? { nullable: true } : {}), ...(f.enum ? { enum: f.enum } : {}) };
  }
  const required = fields.filter((f) => f.required).map((f) => f.name);
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}

/**
 * Turns named values into a request for `method`; `values` keys are `data__field` or param names.
 * `json` is a whole body from `@@json`, merged under explicit data__ fields.
 */
export function buildRequest(
  resourceId: string,
  method: Method,
  values: Record<string, SqlValue>,
  options: {
    json?: string;
    /** The operation's body schemas from the spec; without them, the catalog's top-level fields. */
    schemas?: BodySchemas;
    /**
     * The spec's example of a body field typed as a plain string, when the field holds a word-like value (a
     * slug, id or name); asked only for values that are JSON objects or arrays, which such a field refuses.
     */
    stringExample?: (field: string) => string | undefined;
  } = {},
): PlannedRequest {
  const problems: string[] = [];
  const fields = new Map<string, BodyField>((method.body?.fields ?? []).map((f) => [f.name, f]));
  const params = new Map<string, Param>(method.params.map((p) => [p.name, p]));
  let body: Record<string, unknown> | undefined;
  if (options.json !== undefined) {
    try {
      const parsed: unknown = JSON.parse(options.json);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) problems.push('@@json must be a JSON object');
      else body = parsed as Record<string, unknown>;
    } catch (err) {
      problems.push(`@@json is not valid JSON: ${(err as Error).message}`);
    }
  }
  const fromJson = body !== undefined;
  /** Body fields the statement named as columns (`data__name`, or `name` in an EXEC): named so in errors. */
  const columns = new Map<string, string>();
  const coercion: Coercion = { problems: [], failed: [] };
  const pathValues: Record<string, unknown> = {};
  let headers: Record<string, string> | undefined;
  const query: Record<string, string | number | boolean> = {};
  const setField = (name: string, raw: SqlValue, label: string): void => {
    columns.set(name, label);
    const field = fields.get(name);
    if (raw === null || raw === undefined) {
      // NULL means "leave it out", unless the field takes null (a domain record's priority).
      if (field?.nullable || options.schemas?.request.properties?.[name]?.nullable) (body ??= {})[name] = null;
      return;
    }
    const example = field?.schemaType === 'string' && typeof raw === 'string' && jsonContainer(raw) ? options.stringExample?.(name) : undefined;
    if (example !== undefined) {
      const container = jsonContainer(raw as string);
      problems.push(`${label} must be a string like ${JSON.stringify(example)}, got a JSON ${container} ${(raw as string).length > 60 ? `${(raw as string).slice(0, 57)}...` : raw}`);
      coercion.failed.push(`/${name}`);
    }
    (body ??= {})[name] = raw;
  };
  for (const [key, raw] of Object.entries(values)) {
    if (key.startsWith('data__')) {
      const name = key.slice(6);
      if (!method.body) {
        problems.push(`${key}: ${method.name} takes no request body`);
        continue;
      }
      if (!fields.has(name) && fields.size > 0) {
        problems.push(`unknown field ${key} (fields of ${method.name}: ${[...fields.keys()].map((f) => `data__${f}`).join(', ')})`);
        continue;
      }
      setField(name, raw, key);
      continue;
    }
    const p = params.get(key);
    if (!p) {
      // A body field written without the prefix: accept it as a body field for EXEC-style ergonomics.
      if (fields.has(key)) {
        setField(key, raw, key);
        continue;
      }
      problems.push(`unknown column ${key} (params of ${method.name}: ${[...params.keys()].join(', ') || 'none'}; body fields take the data__ prefix)`);
      continue;
    }
    if (raw === null || raw === undefined) continue;
    if (p.in === 'path') pathValues[key] = paramValue(p, raw);
    else if (p.in === 'header') (headers ??= {})[key] = String(typeof raw === 'bigint' ? Number(raw) : raw);
    else query[key] = paramValue(p, raw);
  }
  for (const r of method.requiredParams) {
    if (pathValues[r] === undefined && query[r] === undefined && headers?.[r] === undefined) problems.push(`missing required param ${r}`);
  }
  // A field inside @@json is named as the JSON names it; any other as a data__ column.
  const top = (field: string): string => columns.get(field) ?? (fromJson ? field : `data__${field}`);
  if (method.body) {
    const schemas: BodySchemas = options.schemas ?? { owner: method, operationId: method.operationId, request: fieldsSchema(method) };
    if (body) {
      const props = (schemas.request.properties ?? {}) as Record<string, JsonSchema>;
      for (const [k, v] of Object.entries(body)) {
        // An empty text for a field that takes no text is no value: a template's unset placeholder (`'{{ tags }}'`,
        // `"tags": "{{ tags }}"` in @@json).
        const wanted = wantedTypes(props[k]);
        if (v === '' && wanted.size > 0 && !wanted.has('string')) {
          delete body[k];
          continue;
        }
        if (coercion.failed.includes(`/${k}`)) continue;
        body[k] = coerceValue(v, props[k], top(k), `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, coercion);
      }
    }
    problems.push(...coercion.problems);
    if (body !== undefined || method.body.required) {
      problems.push(...validateBody(body ?? {}, schemas, { top, failed: coercion.failed }));
    }
  }
  if (problems.length) {
    throw new DoqlError('validation', `${resourceId}.${method.name}: ${problems.join('; ')}`, { sqlState: '22023' });
  }
  const path = fillPath(method.path, pathValues);
  // Creates of several rows share a path: the name tells them apart (in a partial failure, which ones were made).
  const named = typeof body?.name === 'string' && method.httpMethod.toUpperCase() === 'POST' ? ` (name ${body.name})` : '';
  const label = `${method.httpMethod.toUpperCase()} ${path}${named}`;
  return { method: method.httpMethod.toUpperCase(), path, query, ...(headers ? { headers } : {}), ...(body !== undefined ? { body } : {}), label };
}
