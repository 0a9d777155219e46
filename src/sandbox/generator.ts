// Generates schema-valid, realistic values for any resolved schema: examples and the spec's vocabulary
// where they fit, enums, formats, bounds and patterns otherwise; arrays and recursion are capped.
// Schemas are compiled once into small closures so that seeding 100k rows stays fast.
import { singularWord } from '../catalog/naming-words.js';
import type { JsonSchema } from '../catalog/types.js';
import type { SchemaMode } from './openapi-schema.js';
import type { Rng } from './prng.js';
import { uuidFrom } from './prng.js';
import { sampleFromPattern } from './regex-sample.js';
import type { Vocabulary } from './vocabulary.js';

export interface GenContext {
  rng: Rng;
  /** Reference time (ms) for date-times: fixed for seeded data (determinism), the clock for created data. */
  now: number;
  /** Makes generated names unique within a run (`web-prod-17`). */
  serial: number;
}

type Gen = (ctx: GenContext) => unknown;

export interface GeneratorOptions {
  vocabulary?: Vocabulary;
  /** Below this depth only required properties are generated and arrays hold their minimum. */
  maxDepth?: number;
}

const NAME_WORDS = ['web', 'api', 'db', 'worker', 'cache', 'edge', 'build', 'batch', 'app', 'search', 'queue', 'proxy', 'auth', 'metrics'];
const NAME_SUFFIXES = ['prod', 'staging', 'dev', 'east', 'west', 'blue', 'green', 'canary'];
const TWO_YEARS_S = 2 * 365 * 86400;

const RE_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const RE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RE_IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** `nyc3` → `a9`, `s-1vcpu-1gb` → `a-9a-9a`: words shaped like an example look like what it names. */
export function wordShape(word: string): string {
  return word.replace(/[A-Za-z]+/g, 'a').replace(/\d+/g, '9');
}

/** The words shaped like the example (the example included), or all words when the example has no kin. */
export function likeExample(words: string[], example: string | undefined): string[] {
  if (example === undefined) return words;
  const shape = wordShape(example);
  const kin = words.filter((w) => wordShape(w) === shape);
  return kin.length ? kin : words;
}

function typeOf(s: JsonSchema): string | undefined {
  const t = Array.isArray(s.type) ? s.type.find((x: string) => x !== 'null') : s.type;
  if (typeof t === 'string') return t;
  if (s.properties || (s.additionalProperties && typeof s.additionalProperties === 'object')) return 'object';
  if (s.items) return 'array';
  if (typeof s.format === 'string') return s.format.startsWith('int') ? 'integer' : s.format === 'float' || s.format === 'double' ? 'number' : 'string';
  if (s.example !== undefined && s.example !== null) {
    if (Array.isArray(s.example)) return 'array';
    return typeof s.example === 'object' ? 'object' : typeof s.example;
  }
  return undefined;
}

/** A check for a candidate string against the schema's own string constraints. */
export function stringFits(s: JsonSchema): (v: string) => boolean {
  let re: RegExp | undefined;
  if (typeof s.pattern === 'string') {
    try {
      re = new RegExp(s.pattern);
    } catch {
      re = undefined; // a pattern JS cannot compile constrains nothing we can check
    }
  }
  const enumValues = Array.isArray(s.enum) ? new Set(s.enum) : undefined;
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
  const fmt = s.format;
  return (v) =>
    typeof v === 'string' &&
    v.length >= min &&
    v.length <= max &&
    (!re || re.test(v)) &&
    (!enumValues || enumValues.has(v)) &&
    (fmt !== 'date-time' || RE_DATE_TIME.test(v)) &&
    (fmt !== 'uuid' || RE_UUID.test(v)) &&
    (fmt !== 'ipv4' || RE_IPV4.test(v));
}

/** `image.slug` → `slug`: what the name-driven rules look at. */
function leafName(name: string | undefined): string | undefined {
  return name?.slice(name.lastIndexOf('.') + 1);
}

const singularName = (name: string | undefined): string | undefined => (name ? singularWord(name) : name);

export class DataGenerator {
  private readonly cache = new WeakMap<JsonSchema, Map<string, Gen>>();
  private readonly vocabulary: Vocabulary;
  private readonly maxDepth: number;

  constructor(options: GeneratorOptions = {}) {
    this.vocabulary = options.vocabulary ?? new Map();
    this.maxDepth = options.maxDepth ?? 7;
  }

  /** A value valid against `schema`. `name` is the property it is for (names drive realism). */
  generate(schema: JsonSchema | undefined, ctx: GenContext, mode: SchemaMode = 'response', name?: string): unknown {
    return this.compile(schema ?? {}, mode, 0, name)(ctx);
  }

  /** An object for `schema` without the properties in `omit` (the caller fills them: cross-references). */
  generateExcept(schema: JsonSchema, ctx: GenContext, omit: ReadonlySet<string>, mode: SchemaMode = 'response', name?: string): Record<string, unknown> {
    if (omit.size === 0 || !schema.properties) return this.generate(schema, ctx, mode, name) as Record<string, unknown>;
    const key = `except|${mode}|${name ?? ''}|${[...omit].sort().join(',')}`;
    let byKey = this.cache.get(schema);
    if (!byKey) this.cache.set(schema, (byKey = new Map()));
    let gen = byKey.get(key);
    if (!gen) {
      const skip = mode === 'request' ? 'readOnly' : 'writeOnly';
      const required = new Set<string>(schema.required ?? []);
      const props: [string, Gen | undefined][] = [];
      for (const [prop, sub] of Object.entries(schema.properties as Record<string, JsonSchema>)) {
        if (!sub || typeof sub !== 'object' || (sub[skip] && !required.has(prop))) continue;
        props.push([prop, omit.has(prop) ? undefined : this.compile(sub, mode, 1, name ? `${name}.${prop}` : prop)]);
      }
      gen = (c) => {
        const out: Record<string, unknown> = {};
        // Omitted properties keep their place (undefined) so the caller's values appear in schema order.
        for (const [name, g] of props) out[name] = g ? g(c) : undefined;
        return out;
      };
      byKey.set(key, gen);
    }
    return gen(ctx) as Record<string, unknown>;
  }

  /** Only the properties required by `schema` (for filling in envelopes around real rows). */
  generateRequired(schema: JsonSchema | undefined, ctx: GenContext, mode: SchemaMode = 'response', skip?: ReadonlySet<string>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const props = (schema?.properties ?? {}) as Record<string, JsonSchema>;
    for (const key of (schema?.required ?? []) as string[]) {
      if (!skip?.has(key)) out[key] = props[key] ? this.compile(props[key], mode, 1, key)(ctx) : plainString({}, key, ctx);
    }
    return out;
  }

  private compile(schema: JsonSchema, mode: SchemaMode, depth: number, name: string | undefined): Gen {
    let byKey = this.cache.get(schema);
    if (!byKey) this.cache.set(schema, (byKey = new Map()));
    const key = `${mode}|${depth}|${name ?? ''}`;
    let gen = byKey.get(key);
    if (!gen) {
      gen = this.build(schema, mode, depth, name);
      byKey.set(key, gen);
    }
    return gen;
  }

  private build(s: JsonSchema, mode: SchemaMode, depth: number, name: string | undefined): Gen {
    const base = this.buildNonNull(s, mode, depth, name);
    // Nullable fields are sometimes null, as the real API returns them.
    return s.nullable === true ? (ctx) => (ctx.rng.chance(0.08) ? null : base(ctx)) : base;
  }

  private buildNonNull(s: JsonSchema, mode: SchemaMode, depth: number, name: string | undefined): Gen {
    if (Array.isArray(s.enum)) {
      const values = s.enum.filter((v: unknown) => v !== null);
      if (values.length === 0) return () => null;
      return (ctx) => ctx.rng.pick(values);
    }
    switch (typeOf(s)) {
      case 'string':
        return this.stringGen(s, name);
      case 'integer':
        return numberGen(s, true);
      case 'number':
        return numberGen(s, false);
      case 'boolean':
        return (ctx) => ctx.rng.chance(0.5);
      case 'array':
        return this.arrayGen(s, mode, depth, name);
      case 'object':
        return this.objectGen(s, mode, depth, name);
      default:
        // An unconstrained schema (`{}`, or a recursion cut): any value is valid; an empty object reads best.
        return () => ({});
    }
  }

  private stringGen(s: JsonSchema, qualified: string | undefined): Gen {
    const fits = stringFits(s);
    const example = typeof s.example === 'string' ? s.example : undefined;
    const name = leafName(qualified);
    // Words learnt under the same parent (`image.slug`) first; any property's of that name (`slug`) otherwise.
    const learnt = (key: string | undefined): string[] => (key ? (this.vocabulary.get(key) ?? []) : []).filter((v) => fits(v));
    const words = qualified !== name && learnt(qualified).length ? learnt(qualified) : learnt(name);
    const pool = likeExample(
      [...new Set([example, ...words])].filter((v): v is string => typeof v === 'string' && fits(v)),
      example !== undefined && fits(example) ? example : undefined,
    );
    const fallback = (ctx: GenContext): string => {
      if (pool.length) return ctx.rng.pick(pool);
      if (typeof s.pattern === 'string') {
        const v = sampleFromPattern(s.pattern, ctx.rng);
        if (v !== undefined && fits(v)) return v;
      }
      return plainString(s, name, ctx);
    };
    const format = formatGen(s, example, name);
    if (format) {
      return (ctx) => {
        const v = format(ctx);
        return fits(v) ? v : fallback(ctx);
      };
    }
    if (name === 'name' || name === 'hostname') {
      return (ctx) => {
        const n = ++ctx.serial;
        const w = `${ctx.rng.pick(NAME_WORDS)}-${ctx.rng.pick(NAME_SUFFIXES)}`;
        for (const candidate of [`${w}-${n}`, `${w}-${n}.example.com`, `${w.replace('-', '')}${n}`]) if (fits(candidate)) return candidate;
        return fallback(ctx);
      };
    }
    return fallback;
  }

  private arrayGen(s: JsonSchema, mode: SchemaMode, depth: number, name: string | undefined): Gen {
    const itemSchema = (s.items ?? {}) as JsonSchema;
    const item = this.compile(itemSchema, mode, depth + 1, singularName(leafName(name)));
    const min = typeof s.minItems === 'number' ? s.minItems : 0;
    const max = typeof s.maxItems === 'number' ? s.maxItems : Infinity;
    const itemType = typeOf(itemSchema);
    const scalarItems = itemType === 'string' || itemType === 'integer' || itemType === 'number';
    const fitsItem = itemType === 'string' ? stringFits(itemSchema) : (v: unknown) => typeof v === 'number';
    const example =
      scalarItems && !itemSchema.enum && Array.isArray(s.example) && s.example.length >= min && s.example.length <= max && s.example.every((v: unknown) => fitsItem(v as string))
        ? (s.example as unknown[])
        : undefined;
    const hi = Math.max(min, Math.min(max, depth <= 2 ? 3 : depth <= 4 ? 1 : 0));
    const lo = Math.min(hi, Math.max(min, depth <= 1 ? 1 : 0));
    return (ctx) => {
      if (example && ctx.rng.chance(0.5)) return [...example];
      const n = ctx.rng.int(lo, hi);
      const out: unknown[] = [];
      const seen = s.uniqueItems ? new Set<string>() : undefined;
      for (let tries = 0; out.length < n && tries < n * 4 + 4; tries++) {
        const v = item(ctx);
        if (seen) {
          const k = JSON.stringify(v);
          if (seen.has(k)) continue;
          seen.add(k);
        }
        out.push(v);
      }
      return out;
    };
  }

  /** `name`: the property this object is for; its properties are named `name.key` (see stringGen). */
  private objectGen(s: JsonSchema, mode: SchemaMode, depth: number, name?: string): Gen {
    const own = leafName(name);
    const required = new Set<string>(Array.isArray(s.required) ? s.required : []);
    const skip = mode === 'request' ? 'readOnly' : 'writeOnly';
    const deep = depth >= this.maxDepth;
    const props: [string, Gen][] = [];
    for (const [key, sub] of Object.entries((s.properties ?? {}) as Record<string, JsonSchema>)) {
      if (!sub || typeof sub !== 'object') continue;
      if (sub[skip] && !required.has(key)) continue;
      if (deep && !required.has(key)) continue;
      props.push([key, this.compile(sub, mode, depth + 1, own ? `${own}.${key}` : key)]);
    }
    // Specs sometimes require a property they never describe (`required: [method]`): any value satisfies it.
    const described = new Set(props.map(([key]) => key));
    for (const key of required) if (!described.has(key) && !(s.properties?.[key])) props.push([key, (ctx) => plainString({}, key, ctx)]);
    const addl = s.additionalProperties;
    let extra: Gen | undefined;
    if (props.length === 0 && !deep) {
      if (addl && typeof addl === 'object' && Object.keys(addl).length > 0) {
        const value = this.compile(addl as JsonSchema, mode, depth + 1, undefined);
        const keys = s.example && typeof s.example === 'object' && !Array.isArray(s.example) ? Object.keys(s.example) : [];
        extra = (ctx) => {
          const o: Record<string, unknown> = {};
          const n = ctx.rng.int(1, 2);
          for (let i = 0; i < n; i++) o[keys[i] ?? `key_${i + 1}`] = value(ctx);
          return o;
        };
      } else if (addl !== false && s.example && typeof s.example === 'object' && !Array.isArray(s.example)) {
        const example = JSON.stringify(s.example);
        extra = () => JSON.parse(example) as unknown;
      }
    }
    return (ctx) => {
      if (extra) return extra(ctx);
      const o: Record<string, unknown> = {};
      for (const [key, gen] of props) o[key] = gen(ctx);
      return o;
    };
  }
}

function numberGen(s: JsonSchema, integer: boolean): Gen {
  let lo = typeof s.minimum === 'number' ? s.minimum : undefined;
  let hi = typeof s.maximum === 'number' ? s.maximum : undefined;
  const step = integer ? 1 : 0.01;
  if (s.exclusiveMinimum === true && lo !== undefined) lo += step;
  if (typeof s.exclusiveMinimum === 'number') lo = s.exclusiveMinimum + step;
  if (s.exclusiveMaximum === true && hi !== undefined) hi -= step;
  if (typeof s.exclusiveMaximum === 'number') hi = s.exclusiveMaximum - step;
  const example = typeof s.example === 'number' ? s.example : undefined;
  // Values around the example look like the real thing (a 25 GB disk, a price of 6.00).
  if (lo === undefined) lo = example !== undefined && example > 0 ? Math.floor(example / 2) : example !== undefined ? example * 2 : 0;
  if (hi === undefined) hi = example !== undefined && example > 0 ? Math.ceil(example * 1.5) + 1 : lo + 1000;
  if (hi < lo) hi = lo;
  const multipleOf = typeof s.multipleOf === 'number' && s.multipleOf > 0 ? s.multipleOf : undefined;
  const min = lo;
  const max = hi;
  const exampleFits = example !== undefined && example >= min && example <= max && (!integer || Number.isInteger(example)) && !multipleOf;
  return (ctx) => {
    if (exampleFits && ctx.rng.chance(0.3)) return example;
    if (multipleOf) {
      const k = ctx.rng.int(Math.ceil(min / multipleOf), Math.max(Math.ceil(min / multipleOf), Math.floor(max / multipleOf)));
      return integer ? Math.round(k * multipleOf) : k * multipleOf;
    }
    if (integer) return ctx.rng.int(Math.ceil(min), Math.max(Math.ceil(min), Math.floor(max)));
    const v = Math.round((min + ctx.rng.next() * (max - min)) * 100) / 100;
    return Math.min(max, Math.max(min, v));
  };
}

/** A generator for strings whose format (declared, or evident from the example) says what they look like. */
function formatGen(s: JsonSchema, example: string | undefined, name: string | undefined): ((ctx: GenContext) => string) | undefined {
  let format: string | undefined = typeof s.format === 'string' ? s.format : undefined;
  if (!format && example) {
    if (RE_DATE_TIME.test(example)) format = 'date-time';
    else if (RE_UUID.test(example)) format = 'uuid';
    else if (RE_IPV4.test(example) && example.split('.').every((p) => Number(p) < 256)) format = 'ipv4';
  }
  switch (format) {
    case 'date-time':
      return (ctx) => isoSeconds(ctx.now - ctx.rng.int(0, TWO_YEARS_S) * 1000);
    case 'date':
      return (ctx) => isoSeconds(ctx.now - ctx.rng.int(0, TWO_YEARS_S) * 1000).slice(0, 10);
    case 'time':
      return (ctx) => `${String(ctx.rng.int(0, 23)).padStart(2, '0')}:${String(ctx.rng.int(0, 59)).padStart(2, '0')}:00Z`;
    case 'uuid':
      return (ctx) => uuidFrom(ctx.rng);
    case 'ipv4':
      return (ctx) => `${ctx.rng.pick([104, 138, 159, 167, 10])}.${ctx.rng.int(0, 255)}.${ctx.rng.int(0, 255)}.${ctx.rng.int(1, 254)}`;
    case 'ipv6':
      return (ctx) => `2604:a880:${ctx.rng.int(0, 0xffff).toString(16)}:${ctx.rng.int(0, 0xffff).toString(16)}::${ctx.rng.int(1, 0xfff).toString(16)}`;
    case 'cidr':
      return (ctx) => `10.${ctx.rng.int(0, 255)}.${ctx.rng.int(0, 15) * 16}.0/20`;
    case 'email':
      return (ctx) => `${ctx.rng.pick(['sammy', 'ops', 'dev', 'admin'])}${ctx.rng.int(1, 999)}@example.com`;
    case 'uri':
    case 'url':
      return example && /^https?:\/\//.test(example) ? () => example : (ctx) => `https://example.com/${name ?? 'resource'}/${ctx.rng.int(1, 99999)}`;
    case 'hostname':
      return (ctx) => `${ctx.rng.pick(NAME_WORDS)}-${ctx.rng.int(1, 999)}.example.com`;
    case 'byte':
      return (ctx) => Buffer.from(`doql-${ctx.rng.int(0, 1e6)}`).toString('base64');
    default:
      return undefined;
  }
}

function plainString(s: JsonSchema, name: string | undefined, ctx: GenContext): string {
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : 64;
  let v = `${(name ?? 'value').replace(/[^A-Za-z0-9_-]/g, '')}-${ctx.rng.int(0, 0xfffff).toString(16)}`;
  if (v.length > max) v = v.slice(0, max);
  while (v.length < min) v += 'x';
  return v;
}
