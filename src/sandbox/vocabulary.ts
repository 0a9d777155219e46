// Realistic words for generated data: every string example and enum value the spec gives a property
// name (`region` → nyc3, ams3, …; `size_slug` → s-1vcpu-1gb, …), gathered once per catalog.
import type { JsonSchema, SchemaBundle } from '../catalog/types.js';

/** property name → distinct sample strings, in first-seen order. */
export type Vocabulary = Map<string, string[]>;

const MAX_WORDS = 64;
const MAX_WORD_LENGTH = 80;

export function buildVocabulary(bundle: SchemaBundle): Vocabulary {
  const vocab: Vocabulary = new Map();
  const seen = new WeakMap<object, Set<string>>();
  const add = (name: string, value: unknown): void => {
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_WORD_LENGTH || value.trim() !== value) return;
    let words = vocab.get(name);
    if (!words) vocab.set(name, (words = []));
    if (words.length < MAX_WORDS && !words.includes(value)) words.push(value);
  };
  /** `parent` is the property holding this schema (`image`), so that `image.slug` learns apart from `region.slug`. */
  const walk = (schema: JsonSchema | undefined, depth: number, parent?: string): void => {
    if (!schema || typeof schema !== 'object' || depth > 16) return;
    // A schema is walked once per parent name: `slug` under `image` and under `region` teach different words.
    const key = `${parent ?? ''}`;
    let parents = seen.get(schema);
    if (!parents) seen.set(schema, (parents = new Set()));
    if (parents.has(key)) return;
    parents.add(key);
    const props = schema.properties as Record<string, JsonSchema> | undefined;
    if (props) {
      for (const [name, sub] of Object.entries(props)) {
        if (!sub || typeof sub !== 'object') continue;
        const both = (v: unknown, n = name): void => {
          add(n, v);
          if (parent) add(`${parent}.${n}`, v);
        };
        const isString = sub.type === 'string' || (sub.type === undefined && typeof sub.example === 'string');
        if (isString) {
          if (Array.isArray(sub.enum)) for (const v of sub.enum) both(v);
          both(sub.example);
        } else if (sub.type === 'array' && sub.items?.type === 'string') {
          // `regions: ["nyc1", "sfo3"]` teaches what a `region` looks like.
          const singular = name.endsWith('s') ? name.slice(0, -1) : name;
          if (Array.isArray(sub.items.enum)) for (const v of sub.items.enum) both(v, singular);
          if (Array.isArray(sub.example)) for (const v of sub.example) both(v, singular);
        }
        walk(sub, depth + 1, sub.type === 'array' ? (name.endsWith('s') ? name.slice(0, -1) : name) : name);
      }
    }
    if (schema.items) walk(schema.items as JsonSchema, depth + 1, parent);
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, depth + 1);
  };
  for (const op of Object.values(bundle.operations)) {
    walk(op.response, 0);
    walk(op.request, 0);
  }
  return vocab;
}
