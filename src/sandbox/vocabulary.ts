// Realistic words for generated data: every string example and enum value the spec gives a property
// name (`region` → nyc3, ams3, …; `size_slug` → s-1vcpu-1gb, …), gathered once per catalog.
import type { JsonSchema, SchemaBundle } from '../catalog/types.js';

/** property name → distinct sample strings, in first-seen order. */
export type Vocabulary = Map<string, string[]>;

const MAX_WORDS = 64;
const MAX_WORD_LENGTH = 80;

export function buildVocabulary(bundle: SchemaBundle): Vocabulary {
  const vocab: Vocabulary = new Map();
  const seen = new WeakSet<object>();
  const add = (name: string, value: unknown): void => {
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_WORD_LENGTH || value.trim() !== value) return;
    let words = vocab.get(name);
    if (!words) vocab.set(name, (words = []));
    if (words.length < MAX_WORDS && !words.includes(value)) words.push(value);
  };
  const walk = (schema: JsonSchema | undefined, depth: number): void => {
    if (!schema || typeof schema !== 'object' || seen.has(schema) || depth > 16) return;
    seen.add(schema);
    const props = schema.properties as Record<string, JsonSchema> | undefined;
    if (props) {
      for (const [name, sub] of Object.entries(props)) {
        if (!sub || typeof sub !== 'object') continue;
        const isString = sub.type === 'string' || (sub.type === undefined && typeof sub.example === 'string');
        if (isString) {
          if (Array.isArray(sub.enum)) for (const v of sub.enum) add(name, v);
          add(name, sub.example);
        } else if (sub.type === 'array' && sub.items?.type === 'string') {
          // `regions: ["nyc1", "sfo3"]` teaches what a `region` looks like.
          const singular = name.endsWith('s') ? name.slice(0, -1) : name;
          if (Array.isArray(sub.items.enum)) for (const v of sub.items.enum) add(singular, v);
          if (Array.isArray(sub.example)) for (const v of sub.example) add(singular, v);
        }
        walk(sub, depth + 1);
      }
    }
    if (schema.items) walk(schema.items as JsonSchema, depth + 1);
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, depth + 1);
  };
  for (const op of Object.values(bundle.operations)) {
    walk(op.response, 0);
    walk(op.request, 0);
  }
  return vocab;
}
