// Resolves `$ref`s (JSON pointers, with `~1` and percent escapes) and flattens allOf/oneOf/anyOf,
// so each operation gets a concrete schema. Recursive schemas are cut where they recur.
import { DoqlError } from '../errors.js';
import type { JsonSchema } from './types.js';

type Json = unknown;

/** Follows a local JSON pointer (`#/paths/~1v2~1databases~1%7Bid%7D/get/parameters/0`). */
export function resolvePointer(root: Json, ref: string, file: string): Json {
  if (!ref.startsWith('#')) {
    throw new DoqlError('spec', `${file}: external $ref ${ref} is not supported (bundle the spec into one file)`);
  }
  const tokens = ref
    .slice(1)
    .split('/')
    .slice(1)
    .map((t) => {
      let s = t;
      try {
        s = decodeURIComponent(t);
      } catch {
        // A token with a stray `%` is taken literally.
      }
      return s.replace(/~1/g, '/').replace(/~0/g, '~');
    });
  let node: Json = root;
  for (const token of tokens) {
    if (node !== null && typeof node === 'object' && Object.prototype.hasOwnProperty.call(node, token)) {
      node = (node as Record<string, Json>)[token];
    } else {
      throw new DoqlError('spec', `${file}: cannot resolve $ref ${ref} (no "${token}")`);
    }
  }
  return node;
}

/** Resolves a node that may be a `$ref` (chains followed), without descending into it. */
export function derefShallow(root: Json, node: Json, file: string): Json {
  let current = node;
  const seen = new Set<string>();
  while (current !== null && typeof current === 'object' && typeof (current as { $ref?: unknown }).$ref === 'string') {
    const ref = (current as { $ref: string }).$ref;
    if (seen.has(ref)) throw new DoqlError('spec', `${file}: $ref cycle at ${ref}`);
    seen.add(ref);
    current = resolvePointer(root, ref, file);
  }
  return current;
}

const MAX_DEPTH = 12;

/**
 * Produces a self-contained schema: refs inlined, allOf merged, oneOf/anyOf turned into the union of
 * their properties (required = what every branch requires). Recursion is cut with `{}` (any value).
 */
export class SchemaResolver {
  private readonly memo = new Map<string, JsonSchema>();

  /**
   * `keepChoices` keeps oneOf/anyOf as they are (each branch resolved) instead of flattening them: a schema
   * to validate a request by, where one of the forms must match.
   */
  constructor(
    private readonly root: Json,
    private readonly file: string,
    private readonly options: { keepChoices?: boolean } = {},
  ) {}

  resolve(node: Json): JsonSchema {
    return this.walk(node, [], 0);
  }

  private walk(node: Json, stack: string[], depth: number): JsonSchema {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return {};
    const obj = node as JsonSchema;
    if (typeof obj.$ref === 'string') {
      const ref = obj.$ref;
      if (stack.includes(ref) || depth > MAX_DEPTH) return { description: 'recursive' };
      const cached = this.memo.get(ref);
      if (cached) return cached;
      const target = resolvePointer(this.root, ref, this.file);
      const out = this.walk(target, [...stack, ref], depth + 1);
      // Only memoise results computed outside any cycle context, so a cut never leaks elsewhere.
      if (stack.length === 0) this.memo.set(ref, out);
      return out;
    }
    if (depth > MAX_DEPTH) return {};
    let out: JsonSchema = {};
    for (const [key, value] of Object.entries(obj)) {
      if (key === 'allOf' || key === 'oneOf' || key === 'anyOf') continue;
      if (key === 'properties' && value && typeof value === 'object') {
        const props: Record<string, JsonSchema> = {};
        // Bundlers sometimes point a whole properties map at another one: `"properties": {"$ref": "…/properties"}`.
        let map = value as Record<string, Json>;
        if (typeof map.$ref === 'string' && Object.keys(map).length === 1) {
          map = derefShallow(this.root, map, this.file) as Record<string, Json>;
        }
        for (const [name, sub] of Object.entries(map ?? {})) props[name] = this.walk(sub, stack, depth + 1);
        out.properties = props;
      } else if (key === 'items') {
        out.items = this.walk(value, stack, depth + 1);
      } else if (key === 'additionalProperties' && value && typeof value === 'object') {
        out.additionalProperties = this.walk(value, stack, depth + 1);
      } else if (key === 'example' || key === 'examples' || key === 'x-codeSamples') {
        // Examples are kept (the sandbox seeds from them) but not walked.
        out[key] = value;
      } else {
        out[key] = value;
      }
    }
    if (Array.isArray(obj.allOf)) {
      for (const part of obj.allOf) out = mergeSchemas(out, this.walk(part, stack, depth + 1), 'all');
    }
    for (const key of ['oneOf', 'anyOf'] as const) {
      if (Array.isArray(obj[key])) {
        const branches = (obj[key] as Json[]).map((b) => this.walk(b, stack, depth + 1));
        if (this.options.keepChoices) out[key] = branches;
        else out = mergeSchemas(out, unionSchemas(branches), 'all');
      }
    }
    return fieldsUnderItems(out);
  }
}

/**
 * `{type: object, items: {properties: …}}` (an object whose fields the spec wrote under `items`, which JSON
 * Schema ignores for objects) means an object with those fields: the API answers an object
 * (`{"service_key": {"value": …, "created_at": …}}`), so its rows get the columns and the sandbox the data.
 */
function fieldsUnderItems(schema: JsonSchema): JsonSchema {
  const items = schema.items as JsonSchema | undefined;
  if (schema.type !== 'object' || schema.properties || schema.additionalProperties !== undefined || !items?.properties) return schema;
  const { items: _items, ...rest } = schema;
  return { ...rest, properties: items.properties, ...(items.required ? { required: items.required } : {}) };
}

/** allOf merge: properties and required lists combine; scalar keywords: the first one set wins. */
function mergeSchemas(a: JsonSchema, b: JsonSchema, _mode: 'all'): JsonSchema {
  const out: JsonSchema = { ...b, ...a };
  if (a.properties || b.properties) out.properties = { ...(b.properties ?? {}), ...(a.properties ?? {}) };
  if (a.properties && b.properties) {
    for (const k of Object.keys(a.properties)) {
      if (b.properties[k]) out.properties[k] = mergeSchemas(a.properties[k], b.properties[k], 'all');
    }
  }
  if (a.required || b.required) out.required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
  if (!out.type && (out.properties || a.type === 'object' || b.type === 'object')) out.type = 'object';
  return out;
}

/** oneOf/anyOf: the union of the branches' properties; required only what all branches require. */
function unionSchemas(branches: JsonSchema[]): JsonSchema {
  if (branches.length === 0) return {};
  // Branches that only add `required` (`anyOf: [{required: [a]}, {required: [b]}]`) are object branches too.
  const objects = branches.filter((b) => b.properties || b.type === 'object' || Array.isArray(b.required));
  if (objects.length === 0) {
    // Scalars of several types: keep a type only when all branches agree.
    const types = new Set(branches.map((b) => b.type));
    const first = { ...branches[0] };
    if (types.size !== 1) delete first.type;
    return first;
  }
  const properties: Record<string, JsonSchema> = {};
  for (const b of objects) {
    for (const [k, v] of Object.entries(b.properties ?? {})) {
      properties[k] = properties[k] ? mergeSchemas(properties[k], v as JsonSchema, 'all') : (v as JsonSchema);
    }
  }
  let required: string[] = objects[0].required ?? [];
  for (const b of objects.slice(1)) required = required.filter((r) => (b.required ?? []).includes(r));
  const out: JsonSchema = { type: 'object', properties };
  if (required.length) out.required = required;
  const desc = objects.find((b) => b.description)?.description;
  if (desc) out.description = desc;
  return out;
}
