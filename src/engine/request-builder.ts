// Builds a mutation's HTTP request from SQL values: `data__` columns become body fields (coerced by the
// schema's type), other columns path/query params. Validation gathers every problem before anything is sent.
import { DoqlError } from '../errors.js';
import type { BodyField, Method, Param, SchemaTypeName } from '../catalog/types.js';
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

function coerce(value: SqlValue, type: SchemaTypeName, name: string, problems: string[], stringExample?: () => string | undefined): unknown {
  if (value === null || value === undefined) return null;
  const v = typeof value === 'bigint' ? Number(value) : value;
  switch (type) {
    case 'integer':
    case 'number': {
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
      problems.push(`${name} must be a ${type}, got ${JSON.stringify(v)}`);
      return undefined;
    }
    case 'boolean': {
      if (typeof v === 'boolean') return v;
      if (v === 1 || v === 'true' || v === '1') return true;
      if (v === 0 || v === 'false' || v === '0') return false;
      problems.push(`${name} must be true or false, got ${JSON.stringify(v)}`);
      return undefined;
    }
    case 'array':
    case 'object': {
      if (typeof v !== 'string') {
        problems.push(`${name} must be JSON text (an ${type}), got ${JSON.stringify(v)}`);
        return undefined;
      }
      try {
        const parsed: unknown = JSON.parse(v);
        const ok = type === 'array' ? Array.isArray(parsed) : parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
        if (!ok) problems.push(`${name} must be a JSON ${type}, got ${v}`);
        return parsed;
      } catch {
        // A bare string for an array field (`'web'` for tags) is a common slip: say how to write it.
        problems.push(`${name} must be a JSON ${type}, e.g. '${type === 'array' ? '["a","b"]' : '{"key":"value"}'}', got ${JSON.stringify(v)}`);
        return undefined;
      }
    }
    default: {
      if (typeof v !== 'string') return String(v);
      // A JSON object for a field whose spec example is a word-like string (`data__size` given a droplet's
      // `size` column instead of a slug like "s-1vcpu-1gb"). Free-text fields (a Kafka schema) take JSON text.
      const container = stringExample ? jsonContainer(v) : undefined;
      const example = container ? stringExample!() : undefined;
      if (container && example !== undefined) {
        problems.push(`${name} must be a string like ${JSON.stringify(example)}, got a JSON ${container} ${v.length > 60 ? `${v.slice(0, 57)}...` : v}`);
        return undefined;
      }
      return v;
    }
  }
}

function paramValue(p: Param | undefined, value: SqlValue): string | number | boolean {
  const v = typeof value === 'bigint' ? Number(value) : value;
  if (p && (p.schemaType === 'integer' || p.schemaType === 'number') && typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v as string | number | boolean;
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
    partial?: boolean;
    /**
     * The spec's example of a body field typed as a plain string, when the field holds a word-like value (a
     * slug, id or name); asked only for values that are JSON objects or arrays, which such a field refuses.
     */
    stringExample?: (field: string) => string | undefined;
  } = {},
): PlannedRequest {
  const example = (field: string) => (options.stringExample ? () => options.stringExample!(field) : undefined);
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
  const pathValues: Record<string, unknown> = {};
  /** Body fields given a wrong value: already reported, so not also reported missing. */
  const wrong = new Set<string>();
  let headers: Record<string, string> | undefined;
  const query: Record<string, string | number | boolean> = {};
  for (const [key, raw] of Object.entries(values)) {
    if (key.startsWith('data__')) {
      const name = key.slice(6);
      const field = fields.get(name);
      if (!method.body) {
        problems.push(`${key}: ${method.name} takes no request body`);
        continue;
      }
      if (!field && fields.size > 0) {
        problems.push(`unknown field ${key} (fields of ${method.name}: ${[...fields.keys()].map((f) => `data__${f}`).join(', ')})`);
        continue;
      }
      const v = coerce(raw, field?.schemaType ?? 'string', key, problems, field ? example(name) : undefined);
      if (v === undefined) wrong.add(name);
      if (v === null && field && !field.nullable && raw === null) continue; // NULL means "leave out"
      if (v !== undefined) (body ??= {})[name] = v;
      continue;
    }
    const p = params.get(key);
    if (!p) {
      // A body field written without the prefix: accept it as a body field for EXEC-style ergonomics.
      if (fields.has(key)) {
        const v = coerce(raw, fields.get(key)!.schemaType, key, problems, example(key));
        if (v === undefined) wrong.add(key);
        if (v !== undefined && v !== null) (body ??= {})[key] = v;
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
  if (method.body && !options.partial) {
    for (const f of fields.values()) {
      if (f.required && !wrong.has(f.name) && (body === undefined || body[f.name] === undefined)) problems.push(`missing required field data__${f.name}`);
    }
  }
  if (method.body?.required && body === undefined && !options.partial) problems.push(`${method.name} needs a request body (data__ fields or @@json)`);
  if (problems.length) {
    throw new DoqlError('validation', `${resourceId}.${method.name}: ${problems.join('; ')}`, { sqlState: '22023' });
  }
  const path = fillPath(method.path, pathValues);
  // Creates of several rows share a path: the name tells them apart (in a partial failure, which ones were made).
  const named = typeof body?.name === 'string' && method.httpMethod.toUpperCase() === 'POST' ? ` (name ${body.name})` : '';
  const label = `${method.httpMethod.toUpperCase()} ${path}${named}`;
  return { method: method.httpMethod.toUpperCase(), path, query, ...(headers ? { headers } : {}), ...(body !== undefined ? { body } : {}), label };
}
