// Turns the values a statement gives for a request body into the JSON types the body's schema wants, at every
// depth: StackQL's docs quote arrays and objects (`"droplet_ids": "[1, 2]"`), SQL has no booleans (1/0), and a
// number comes as text from a template. A value that does not parse as the wanted type is a problem, named.
import type { JsonSchema } from '../catalog/types.js';

type Wanted = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null';

/** Where a value is, as the user wrote it: `data__spec`, then `.services`, `[0]`, `.name`. */
export type FieldPath = string;

export interface Coercion {
  /** One line per value that could not be made what the schema wants. */
  problems: string[];
  /** Paths (JSON pointers, `/spec/services/0`) of the values that failed: the validator's errors there repeat them. */
  failed: string[];
}

/** The JSON types a schema accepts; empty when it says nothing (any value). */
export function wantedTypes(schema: JsonSchema | undefined): Set<Wanted> {
  const out = new Set<Wanted>();
  if (!schema || typeof schema !== 'object') return out;
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  for (const t of types) if (typeof t === 'string') out.add(t as Wanted);
  if (!types.length) {
    if (schema.properties || (schema.additionalProperties && typeof schema.additionalProperties === 'object')) out.add('object');
    else if (schema.items) out.add('array');
    else if (Array.isArray(schema.enum)) for (const v of schema.enum) out.add(v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as Wanted));
  }
  if (out.size && schema.nullable === true) out.add('null');
  return out;
}

function kindOf(v: unknown): Wanted {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as Wanted;
}

function accepts(wanted: Set<Wanted>, v: unknown): boolean {
  const k = kindOf(v);
  return wanted.has(k) || (k === 'integer' && wanted.has('number'));
}

function describe(wanted: Set<Wanted>): string {
  const w = [...wanted].filter((t) => t !== 'null');
  if (w.length === 1) {
    switch (w[0]) {
      case 'boolean':
        return 'true or false';
      case 'array':
        return `a JSON array, e.g. '["a","b"]'`;
      case 'object':
        return `a JSON object, e.g. '{"key":"value"}'`;
      case 'integer':
        return 'an integer';
      default:
        return `a ${w[0]}`;
    }
  }
  return w.join(' or ');
}

/** A string read as the wanted type, or undefined when it is not one. */
function parseText(text: string, wanted: Set<Wanted>): { value: unknown } | undefined {
  const t = text.trim();
  if (wanted.has('null') && t === 'null') return { value: null };
  if (wanted.has('boolean')) {
    if (/^(true|t|1)$/i.test(t)) return { value: true };
    if (/^(false|f|0)$/i.test(t)) return { value: false };
  }
  if ((wanted.has('integer') || wanted.has('number')) && /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return { value: Number(t) };
  if ((wanted.has('array') || wanted.has('object')) && /^[[{]/.test(t)) {
    try {
      const parsed: unknown = JSON.parse(t);
      if (accepts(wanted, parsed)) return { value: parsed };
    } catch {
      // not JSON: reported by the caller
    }
  }
  return undefined;
}

function childPath(path: FieldPath, key: string | number): FieldPath {
  return typeof key === 'number' ? `${path}[${key}]` : `${path}.${key}`;
}

function childSchema(schema: JsonSchema | undefined, key: string): JsonSchema | undefined {
  const props = schema?.properties as Record<string, JsonSchema> | undefined;
  if (props && Object.prototype.hasOwnProperty.call(props, key)) return props[key];
  const extra = schema?.additionalProperties;
  return extra && typeof extra === 'object' ? (extra as JsonSchema) : undefined;
}

/**
 * The value as the schema wants it. `path` names it for the user, `pointer` for the validator. A value that
 * cannot be converted is returned unchanged, with a problem recorded.
 */
export function coerceValue(value: unknown, schema: JsonSchema | undefined, path: FieldPath, pointer: string, out: Coercion): unknown {
  let v = value;
  if (typeof v === 'bigint') v = Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v === undefined || v === null) return v;
  const wanted = wantedTypes(schema);
  if (wanted.size && !accepts(wanted, v)) {
    if (typeof v === 'string') {
      const parsed = parseText(v, wanted);
      if (!parsed) {
        out.problems.push(`${path} must be ${describe(wanted)}, got ${JSON.stringify(v)}`);
        out.failed.push(pointer);
        return v;
      }
      v = parsed.value;
    } else if (typeof v === 'number' && wanted.has('boolean') && (v === 0 || v === 1)) {
      v = v === 1; // SQLite's booleans
    } else if ((typeof v === 'number' || typeof v === 'boolean') && wanted.has('string')) {
      v = String(v);
    }
  }
  if (Array.isArray(v)) {
    const items = schema?.items as JsonSchema | undefined;
    return items ? v.map((x, i) => coerceValue(x, items, childPath(path, i), `${pointer}/${i}`, out)) : v;
  }
  if (v !== null && typeof v === 'object') {
    const obj: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      obj[k] = coerceValue(x, childSchema(schema, k), childPath(path, k), `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
    }
    return obj;
  }
  return v;
}
