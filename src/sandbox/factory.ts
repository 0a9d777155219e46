// Makes items: seeded ones (unique ids, settled statuses, cross-references to items that exist) and
// created ones (a request body merged into a generated item, kept valid against the item schema).
import { singularWord } from '../catalog/naming-words.js';
import type { JsonSchema } from '../catalog/types.js';
import type { DataGenerator, GenContext } from './generator.js';
import { isoSeconds, likeExample, stringFits } from './generator.js';
import { statusRule, setAtPath } from './lifecycle.js';
import type { StatusRule } from './lifecycle.js';
import type { Collection, SandboxModel } from './model.js';
import { stableStringify } from './model.js';
import type { Rng } from './prng.js';
import { hashString, rngFor, uuidFrom } from './prng.js';
import type { Bucket, Item, Store } from './store.js';
import { parentKeyOf } from './store.js';
import type { Validators } from './validation.js';
import { passes, topLevelField } from './validation.js';
import type { Vocabulary } from './vocabulary.js';

/** Seeded data is dated relative to this instant, not the clock, so a seed always gives the same bytes. */
export const SEED_EPOCH = Date.UTC(2025, 5, 1);

type Ref =
  | { kind: 'id'; prop: string; target: Collection; schema: JsonSchema }
  | { kind: 'ids'; prop: string; target: Collection; schema: JsonSchema }
  /** `mirror`: number fields the item repeats from the object (a droplet's `memory`, `vcpus`, `disk` are its size's). */
  | { kind: 'object'; prop: string; target: Collection; mirror: string[] }
  | { kind: 'slug'; prop: string; from: string; schema: JsonSchema };

type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | undefined;
const typeOf = (s: JsonSchema | undefined): JsonType => (s ? (Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type) : undefined);
const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export class ItemFactory {
  private readonly refs = new Map<string, Ref[]>();
  private readonly rules = new Map<string, StatusRule | undefined>();
  /** The collection each singular names (`vpc` → /v2/vpcs), top-level ones only, shortest path first. */
  private readonly bySingular = new Map<string, Collection>();
  /** Randomness for created data: one deterministic stream per sandbox, advanced by requests. */
  runtimeRng: Rng;
  private serial = 0;

  constructor(
    private readonly model: SandboxModel,
    private readonly generator: DataGenerator,
    private readonly vocabulary: Vocabulary,
    private readonly store: Store,
    private readonly validators: Validators,
    public seed: number,
    private readonly counts: Map<string, number>,
    private readonly idOffset = 0,
  ) {
    this.runtimeRng = rngFor(seed, 'runtime');
    const top = model.ordered.filter((c) => c.paramCount === 0 && c.idField).sort((a, b) => a.shape.length - b.shape.length);
    for (const c of top) if (!this.bySingular.has(c.singular)) this.bySingular.set(c.singular, c);
  }

  /** `generation` counts processes that continued a saved state: each gets its own random stream. */
  reseed(seed: number, generation = 0): void {
    this.seed = seed;
    this.runtimeRng = rngFor(seed, 'runtime', String(generation));
    this.serial = 0;
  }

  statusRule(c: Collection): StatusRule | undefined {
    if (!this.rules.has(c.shape)) this.rules.set(c.shape, statusRule(c.itemSchema));
    return this.rules.get(c.shape);
  }

  /** Seeds every top-level collection, then points cross-references at the items that now exist. */
  seedTopLevel(): void {
    // Collections others refer to (regions, sizes, vpcs) first, so that referrers can skip generating
    // what the references will fill.
    const top = this.model.ordered.filter((c) => c.paramCount === 0);
    const referrers = new Set(top.filter((c) => this.refsFor(c).some((r) => r.kind === 'object')));
    for (const c of top) if (!referrers.has(c)) this.store.setItems(c, [], this.seedItems(c, [], false));
    for (const c of referrers) this.store.setItems(c, [], this.seedItems(c, [], true));
    for (const c of top) {
      const rng = rngFor(this.seed, 'refs', c.shape);
      for (const item of this.store.bucket(c, []).items) this.applyRefs(c, item, rng);
    }
  }

  /** The seeded items of one bucket (lazily for children: deterministic in seed, path and parent). */
  seedItems(c: Collection, parentValues: string[], withRefs = true): Item[] {
    const pk = parentKeyOf(parentValues);
    const rng = rngFor(this.seed, 'bucket', c.shape, pk);
    const n = this.counts.get(c.shape) ?? (c.paramCount === 0 ? rng.int(3, 5) : rng.int(1, 3));
    const ctx: GenContext = { rng, now: SEED_EPOCH, serial: 0 };
    const used = new Set<string>();
    // Top-level integer ids count up from a per-collection base; child buckets get a hashed base.
    const intBase =
      c.paramCount === 0 ? 10_000_000 + (hashString(c.shape) % 1000) * 1_000_000 + this.idOffset : 100_000_000 + (hashString(`${c.shape}|${pk}`) % 8_000_000) * 100;
    const rule = this.statusRule(c);
    const parent = c.parent && parentValues.length ? { c: c.parent, id: parentValues[parentValues.length - 1] } : undefined;
    const items: Item[] = [];
    // Properties cross-references will fill (a droplet's region, size, image) are not generated first.
    const omit = new Set(
      withRefs ? this.refsFor(c).filter((r) => r.kind === 'object' && this.store.peek(r.target, [])?.items.length).map((r) => r.prop) : [],
    );
    for (let i = 0; i < n; i++) {
      const item = this.generator.generateExcept(c.itemSchema, ctx, omit, 'response', c.singular);
      if (c.idField) {
        const id = this.uniqueId(c, ctx, used, intBase + i);
        if (id === undefined) continue;
        item[c.idField] = id;
        used.add(String(id));
      }
      if (rule && rng.chance(0.9)) setAtPath(item, rule.path, rule.final);
      if (parent && c.isActions) this.linkAction(item, c, parent.c, parent.id);
      if (withRefs) this.applyRefs(c, item, rng);
      items.push(item);
    }
    return items;
  }

  /** A new item from a request body: generated, then the body's fields merged in (kept valid). */
  createItem(c: Collection, bucket: Bucket, body: Record<string, unknown>, now: number): { item: Item; conflict?: string } {
    const ctx: GenContext = { rng: this.runtimeRng, now, serial: ++this.serial * 1000 };
    const item = this.generator.generate(c.itemSchema, ctx, 'response', c.singular) as Item;
    if (c.idField) {
      const given = body[c.idField];
      if (given !== undefined && given !== null && typeof given !== 'object') {
        if (bucket.index.has(String(given))) return { item, conflict: `${c.idField} ${String(given)} already exists` };
        item[c.idField] = given;
      } else {
        const id = this.uniqueId(c, ctx, bucket.index, undefined);
        if (id !== undefined) item[c.idField] = id;
      }
    }
    // Emptied before the references are filled: those objects (a droplet's size) are shared stored items,
    // whose counts (`gpu_info.count`) are theirs, not what the new item holds.
    startEmpty(c, item);
    this.applyRefs(c, item, this.runtimeRng);
    this.merge(c, item, body, c.idField);
    for (const f of ['created_at', 'updated_at']) {
      const s = c.itemSchema.properties?.[f] as JsonSchema | undefined;
      if (s && typeOf(s) === 'string' && (s.format === 'date-time' || typeof item[f] === 'string')) item[f] = isoSeconds(now);
    }
    return { item };
  }

  /**
   * Merges request fields into an item where the item schema has them (`region: "nyc3"` sets
   * `region.slug`, `size` also sets `size_slug`, `volumes` sets `volume_ids`); any field that would make
   * the item invalid is put back.
   */
  merge(c: Collection, item: Item, body: Record<string, unknown>, keep?: string): void {
    this.mergeFields(c, item, body, keep);
    this.store.touch(item);
  }

  private mergeFields(c: Collection, item: Item, body: Record<string, unknown>, keep?: string): void {
    const props = (c.itemSchema.properties ?? {}) as Record<string, JsonSchema>;
    const before = new Map<string, unknown>();
    const set = (k: string, v: unknown): void => {
      if (k === keep && item[k] !== undefined) return;
      if (!before.has(k)) before.set(k, item[k] === undefined ? undefined : structuredClone(item[k]));
      item[k] = v;
    };
    for (const [k, v] of Object.entries(body)) {
      if (v === undefined) continue;
      const target = props[k];
      if (target) {
        const current = item[k];
        if (isPlainObject(current) && isPlainObject(v)) set(k, deepMerge(structuredClone(current), v));
        else if (isPlainObject(current) && typeof v === 'string' && ('slug' in current || 'name' in current)) {
          // `size: "s-1vcpu-1gb"` names an item that exists (a size): the item takes it whole, and its numbers.
          const ref = this.refsFor(c).find((r): r is Extract<Ref, { kind: 'object' }> => r.kind === 'object' && r.prop === k);
          const named = ref && this.store.peek(ref.target, [])?.items.find((t) => t.slug === v || t[ref.target.idField as string] === v);
          if (ref && named) {
            set(k, named);
            for (const f of ref.mirror) if (typeof named[f] === 'number' && fitsNumber(props[f], named[f])) set(f, named[f]);
          } else set(k, { ...current, ...('slug' in current ? { slug: v } : { name: v }) });
        } else set(k, structuredClone(v));
      }
      if (typeof v === 'string' && props[`${k}_slug`]) set(`${k}_slug`, v);
      const single = singularWord(k);
      if (Array.isArray(v) && single !== k && props[`${single}_ids`] && !props[k]) set(`${single}_ids`, structuredClone(v));
    }
    if (before.size === 0) return;
    const validate = this.validators.get(`item:${c.shape}`, c.itemSchema, 'response');
    for (let round = 0; round < 4 && !passes(validate, item); round++) {
      const bad = new Set((validate.errors ?? []).map(topLevelField).filter((f): f is string => f !== undefined && before.has(f)));
      if (bad.size === 0) break;
      for (const f of bad) {
        const old = before.get(f);
        if (old === undefined) delete item[f];
        else item[f] = old;
        before.delete(f);
      }
    }
  }

  /** Points an action at the item it acts on. */
  linkAction(action: Item, actions: Collection, parent: Collection, parentId: string): void {
    const props = (actions.itemSchema.properties ?? {}) as Record<string, JsonSchema>;
    if (props.resource_type) action.resource_type = parent.singular;
    if (props.resource_id) {
      const t = typeOf(props.resource_id);
      const n = Number(parentId);
      if ((t === 'integer' || t === 'number') && Number.isFinite(n)) action.resource_id = n;
      else if (t === 'string') action.resource_id = parentId;
      else if (props.resource_id.nullable) action.resource_id = null;
    }
  }

  private uniqueId(c: Collection, ctx: GenContext, used: { has(key: string): boolean; readonly size: number }, intId: number | undefined): unknown {
    const field = c.idField as string;
    const schema = (c.itemSchema.properties?.[field] ?? {}) as JsonSchema;
    const t = typeOf(schema);
    if (t === 'integer' || t === 'number') {
      if (intId !== undefined) return intId;
      while (used.has(String(this.store.nextInt))) this.store.nextInt++;
      return this.store.nextInt++;
    }
    const fits = stringFits(schema);
    if (schema.format === 'uuid' || field === 'uuid' || (field === 'id' && !schema.pattern && !schema.enum)) {
      for (let tries = 0; tries < 4; tries++) {
        const v = uuidFrom(ctx.rng);
        if (fits(v) && !used.has(v)) return v;
      }
    }
    // Realistic ids from the spec's words for this kind of thing (`region` → nyc3, ams3, …).
    const example = typeof schema.example === 'string' ? schema.example : undefined;
    for (const source of [[c.singular, `${c.singular}_slug`], field !== 'name' ? [field] : []]) {
      const words = likeExample(
        source.flatMap((w) => this.vocabulary.get(w) ?? []).filter((w) => fits(w)),
        example,
      ).filter((w) => !used.has(w));
      if (words.length) return ctx.rng.pick(words);
    }
    for (let tries = 0; tries < 12; tries++) {
      const v = this.generator.generate(schema, ctx, 'response', field);
      if (v !== null && v !== undefined && !used.has(String(v))) return v;
      if (typeof v === 'string') {
        const alt = `${v}-${used.size + tries + 1}`;
        if (fits(alt) && !used.has(alt)) return alt;
      }
    }
    return undefined;
  }

  private refsFor(c: Collection): Ref[] {
    let refs = this.refs.get(c.shape);
    if (refs) return refs;
    refs = [];
    const props = (c.itemSchema.properties ?? {}) as Record<string, JsonSchema>;
    for (const [prop, schema] of Object.entries(props)) {
      if (prop === c.idField) continue;
      const t = typeOf(schema);
      let m: RegExpExecArray | null;
      const idTypeOf = (target: Collection): JsonType => typeOf(target.itemSchema.properties?.[target.idField as string]);
      if ((t === 'string' || t === 'integer') && (m = /^(.+)_(id|uuid)$/.exec(prop))) {
        const target = this.bySingular.get(m[1]);
        if (target && target !== c && idTypeOf(target) === t) refs.push({ kind: 'id', prop, target, schema });
      } else if (t === 'array' && (m = /^(.+)_(ids|uuids)$/.exec(prop))) {
        const target = this.bySingular.get(m[1]);
        if (target && target !== c && idTypeOf(target) === typeOf(schema.items)) refs.push({ kind: 'ids', prop, target, schema });
      } else if (t === 'array' && typeOf(schema.items) === 'string') {
        const target = this.bySingular.get(singularWord(prop));
        if (target && target !== c && idTypeOf(target) === 'string' && target.idField === 'name') refs.push({ kind: 'ids', prop, target, schema });
      } else if (t === 'string') {
        const target = this.bySingular.get(prop);
        if (target && target !== c && idTypeOf(target) === 'string') refs.push({ kind: 'id', prop, target, schema });
      } else if (t === 'object') {
        const target = this.bySingular.get(prop);
        if (target && target !== c && sameShape(schema, target.itemSchema)) refs.push({ kind: 'object', prop, target, mirror: mirroredNumbers(c, target) });
      }
    }
    for (const [prop, schema] of Object.entries(props)) {
      const m = /^(.+)_slug$/.exec(prop);
      if (m && typeOf(schema) === 'string' && props[m[1]]?.properties?.slug) refs.push({ kind: 'slug', prop, from: m[1], schema });
    }
    this.refs.set(c.shape, refs);
    return refs;
  }

  /** Cross-references: `vpc_uuid` names a VPC that exists, `region` is one of the regions, tags exist. */
  applyRefs(c: Collection, item: Item, rng: Rng): void {
    for (const ref of this.refsFor(c)) {
      if (ref.kind === 'slug') {
        const from = item[ref.from];
        if (isPlainObject(from) && typeof from.slug === 'string' && stringFits(ref.schema)(from.slug)) item[ref.prop] = from.slug;
        continue;
      }
      const targets = this.store.peek(ref.target, [])?.items;
      if (!targets || targets.length === 0) continue;
      const field = ref.target.idField as string;
      if (ref.kind === 'object') {
        // Shared, not copied: nested objects are never changed in place (merges copy before writing),
        // and 100k droplets then hold a handful of region objects between them.
        item[ref.prop] = rng.pick(targets);
        mirror(item, ref, props(c));
      } else if (ref.kind === 'id') {
        if (item[ref.prop] === null) continue; // a nullable reference left empty stays empty
        const v = rng.pick(targets)[field];
        if (typeof v !== 'string' || stringFits(ref.schema)(v)) item[ref.prop] = v;
      } else {
        const min = typeof ref.schema.minItems === 'number' ? ref.schema.minItems : 0;
        const max = Math.min(typeof ref.schema.maxItems === 'number' ? ref.schema.maxItems : 2, targets.length, 2);
        if (max < min) continue;
        const fits = stringFits(ref.schema.items ?? {});
        const picked = new Set<unknown>();
        for (let n = rng.int(min, max), tries = 0; picked.size < n && tries < 8; tries++) {
          const v = rng.pick(targets)[field];
          if (typeof v !== 'string' || fits(v)) picked.add(v);
        }
        item[ref.prop] = [...picked];
      }
    }
    this.store.touch(item);
  }
}

/**
 * A new item has nothing yet: lists of other things it holds (`backup_ids`, `snapshot_ids`) are empty, and
 * counts of what it holds (a new tag's `resources.droplets.count`) are 0, where the schema allows it.
 */
function startEmpty(c: Collection, item: Item): void {
  for (const [f, schema] of Object.entries(props(c))) {
    if (typeOf(schema) === 'array' && /_ids$/.test(f) && !(typeof schema.minItems === 'number' && schema.minItems > 0)) item[f] = [];
  }
  const zeroCounts = (v: unknown, schema: JsonSchema | undefined, depth: number): void => {
    if (!isPlainObject(v) || !schema || depth > 4) return;
    const ps = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const [k, sub] of Object.entries(v)) {
      const s = ps[k];
      if (k === 'count' && typeof sub === 'number' && s && (typeOf(s) === 'integer' || typeOf(s) === 'number') && !(typeof s.minimum === 'number' && s.minimum > 0)) v[k] = 0;
      else zeroCounts(sub, s, depth + 1);
    }
  };
  zeroCounts(item, c.itemSchema, 0);
}

const props = (c: Collection): Record<string, JsonSchema> => (c.itemSchema.properties ?? {}) as Record<string, JsonSchema>;

const fitsNumber = (schema: JsonSchema | undefined, v: number): boolean =>
  schema !== undefined && (typeOf(schema) === 'number' || (typeOf(schema) === 'integer' && Number.isInteger(v)));

/** Number fields an item and the objects it refers to both have (not ids): the item repeats the object's values. */
function mirroredNumbers(c: Collection, target: Collection): string[] {
  const theirs = props(target);
  return Object.entries(props(c))
    .filter(([f, s]) => f !== c.idField && f !== target.idField && f !== 'id' && (typeOf(s) === 'integer' || typeOf(s) === 'number'))
    .filter(([f]) => {
      const t = typeOf(theirs[f]);
      return t === 'integer' || t === 'number';
    })
    .map(([f]) => f);
}

function mirror(item: Item, ref: Extract<Ref, { kind: 'object' }>, schema: Record<string, JsonSchema>): void {
  const from = item[ref.prop];
  if (!isPlainObject(from)) return;
  for (const f of ref.mirror) {
    const v = from[f];
    if (typeof v === 'number' && fitsNumber(schema[f], v)) item[f] = v;
  }
}

/** Words about a schema, not its shape: a droplet's `image` says "The Droplet's image" and is still an image. */
const DOC_KEYWORDS = new Set(['description', 'title', 'example', 'examples']);

function shapeOnly(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOnly);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !DOC_KEYWORDS.has(k)).map(([k, v]) => [k, shapeOnly(v)]));
}

function sameShape(a: JsonSchema, b: JsonSchema): boolean {
  return a === b || stableStringify(shapeOnly(a)) === stableStringify(shapeOnly(b));
}

function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(patch)) {
    const cur = target[k];
    target[k] = isPlainObject(cur) && isPlainObject(v) ? deepMerge(cur, v) : structuredClone(v);
  }
  return target;
}
