// Fits a stored value to one response's schema. An item is stored once but served by several
// operations (list, get, create) whose schemas can disagree; wherever a value does not fit the schema
// being answered, that part is regenerated from it. Copy-on-write: fitting values are returned as is.
import type { JsonSchema } from '../catalog/types.js';
import { stringFits } from './generator.js';

export type Regenerate = (schema: JsonSchema, name: string | undefined) => unknown;

const fitsCache = new WeakMap<JsonSchema, (v: string) => boolean>();
function fits(schema: JsonSchema, v: string): boolean {
  let f = fitsCache.get(schema);
  if (!f) fitsCache.set(schema, (f = stringFits(schema)));
  return f(v);
}

function typeOf(s: JsonSchema): string | undefined {
  const t = Array.isArray(s.type) ? s.type.find((x: string) => x !== 'null') : s.type;
  if (typeof t === 'string') return t;
  if (s.properties) return 'object';
  if (s.items) return 'array';
  return undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function repair(value: unknown, schema: JsonSchema | undefined, regen: Regenerate, name?: string, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || depth > 24) return value;
  const t = typeOf(schema);
  if (value === null) return schema.nullable || (t === undefined && !schema.enum) ? value : regen(schema, name);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return regen(schema, name);
  switch (t) {
    case 'string':
      return typeof value === 'string' && fits(schema, value) ? value : regen(schema, name);
    case 'integer':
    case 'number': {
      const ok =
        typeof value === 'number' &&
        (t === 'number' || Number.isInteger(value)) &&
        (typeof schema.minimum !== 'number' || value >= schema.minimum) &&
        (typeof schema.maximum !== 'number' || value <= schema.maximum);
      return ok ? value : regen(schema, name);
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : regen(schema, name);
    case 'array': {
      if (!Array.isArray(value)) return regen(schema, name);
      let out: unknown[] | undefined;
      value.forEach((v, i) => {
        const r = repair(v, schema.items as JsonSchema | undefined, regen, name, depth + 1);
        if (r !== v) (out ??= [...value])[i] = r;
      });
      return out ?? value;
    }
    case 'object': {
      if (!isPlainObject(value)) return regen(schema, name);
      const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
      let out: Record<string, unknown> | undefined;
      for (const [k, sub] of Object.entries(props)) {
        const v = value[k];
        if (v === undefined) continue;
        const r = repair(v, sub, regen, k, depth + 1);
        if (r !== v) (out ??= { ...value })[k] = r;
      }
      for (const k of (schema.required ?? []) as string[]) {
        if (value[k] === undefined) (out ??= { ...value })[k] = regen(props[k] ?? { type: 'string' }, k);
      }
      return out ?? value;
    }
    default:
      return value;
  }
}
