// Fits a stored value to one response's schema. An item is stored once but served by several
// operations (list, get, create) whose schemas can disagree; wherever a value does not fit the schema
// being answered, that part is regenerated from it. Copy-on-write: fitting values are returned as is.
import type { JsonSchema } from '../catalog/types.js';
import { stringFits } from './generator.js';

export type Regenerate = (schema: JsonSchema, name: string | undefined) => unknown;

/** What repair reads of a schema, worked out once per schema: a listing repairs thousands of rows against the same few. */
interface Plan {
  type: string | undefined;
  /** Whether null is served as is. */
  nullOk: boolean;
  enumValues: unknown[] | undefined;
  /** Made on first use, as building a pattern matcher can be costly. */
  fits?: (v: string) => boolean;
  minimum: number | undefined;
  maximum: number | undefined;
  items: JsonSchema | undefined;
  props: Record<string, JsonSchema>;
  /** Parallel: the declared properties and their schemas (no Object.entries garbage per value). */
  keys: string[];
  subs: JsonSchema[];
  required: string[];
}

const plans = new WeakMap<JsonSchema, Plan>();
function planOf(schema: JsonSchema): Plan {
  let plan = plans.get(schema);
  if (plan) return plan;
  const type = schemaType(schema);
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  plan = {
    type,
    nullOk: Boolean(schema.nullable || (type === undefined && !schema.enum)),
    enumValues: Array.isArray(schema.enum) ? schema.enum : undefined,
    minimum: typeof schema.minimum === 'number' ? schema.minimum : undefined,
    maximum: typeof schema.maximum === 'number' ? schema.maximum : undefined,
    items: schema.items as JsonSchema | undefined,
    props,
    keys: Object.keys(props),
    subs: Object.values(props),
    required: (schema.required ?? []) as string[],
  };
  plans.set(schema, plan);
  return plan;
}

/** The JSON type a schema describes (the non-null one of a type list), as repair decides it. */
export function schemaType(s: JsonSchema): string | undefined {
  const t = Array.isArray(s.type) ? s.type.find((x: string) => x !== 'null') : s.type;
  if (typeof t === 'string') return t;
  if (s.properties) return 'object';
  if (s.items) return 'array';
  return undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function repair(value: unknown, schema: JsonSchema | undefined, regen: Regenerate, name?: string, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || depth > 24) return value;
  const plan = planOf(schema);
  const t = plan.type;
  if (value === null) return plan.nullOk ? value : regen(schema, name);
  if (plan.enumValues && !plan.enumValues.includes(value)) return regen(schema, name);
  switch (t) {
    case 'string':
      return typeof value === 'string' && (plan.fits ??= stringFits(schema))(value) ? value : regen(schema, name);
    case 'integer':
    case 'number': {
      const ok =
        typeof value === 'number' &&
        (t === 'number' || Number.isInteger(value)) &&
        (plan.minimum === undefined || value >= plan.minimum) &&
        (plan.maximum === undefined || value <= plan.maximum);
      return ok ? value : regen(schema, name);
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : regen(schema, name);
    case 'array': {
      if (!Array.isArray(value)) return regen(schema, name);
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) continue; // a hole: forEach-like, as holes are not values
        const v: unknown = value[i];
        const r = repair(v, plan.items, regen, name, depth + 1);
        if (r !== v) (out ??= [...value])[i] = r;
      }
      return out ?? value;
    }
    case 'object': {
      if (!isPlainObject(value)) return regen(schema, name);
      let out: Record<string, unknown> | undefined;
      const { keys, subs } = plan;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        const v = value[k];
        if (v === undefined) continue;
        const r = repair(v, subs[i], regen, k, depth + 1);
        if (r !== v) (out ??= { ...value })[k] = r;
      }
      for (const k of plan.required) {
        if (value[k] === undefined) (out ??= { ...value })[k] = regen(plan.props[k] ?? { type: 'string' }, k);
      }
      return out ?? value;
    }
    default:
      return value;
  }
}
