// schemas.json with shared schemas written once: the resolver gives every use of a `$ref` the same object,
// and plain JSON would copy it at each use (6 MB for today's spec). Reading restores the sharing too, so
// caches keyed by schema object (the sandbox's vocabulary and generators) see one schema, not hundreds.
import type { SchemaBundle } from './types.js';

/** The key of a placeholder for a shared schema: `{"$doqlShared": 3}` is the fourth entry of `shared`. */
const MARK = '$doqlShared';

interface SchemaFile {
  format: 'doql-schemas-shared';
  shared: unknown[];
  bundle: unknown;
}

/** Objects met more than once in `root` (by identity), the ones worth a placeholder. */
function repeated(root: unknown): Set<object> {
  const seen = new Set<object>();
  const twice = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (seen.has(node)) {
      twice.add(node);
      continue;
    }
    seen.add(node);
    for (const v of Array.isArray(node) ? node : Object.values(node)) stack.push(v);
  }
  return twice;
}

export function encodeSchemas(bundle: SchemaBundle): string {
  const many = repeated(bundle);
  const ids = new Map<object, number>();
  const shared: unknown[] = [];
  const encode = (node: unknown, top = false): unknown => {
    if (node === null || typeof node !== 'object') return node;
    if (!top && many.has(node) && !Array.isArray(node)) {
      let id = ids.get(node);
      if (id === undefined) {
        id = shared.length;
        ids.set(node, id);
        shared.push(undefined); // reserved before encoding its inside, so nested shares get later ids
        shared[id] = encode(node, true);
      }
      return { [MARK]: id };
    }
    if (Array.isArray(node)) return node.map((v) => encode(v));
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, encode(v)]));
  };
  const file: SchemaFile = { format: 'doql-schemas-shared', shared, bundle: encode(bundle, true) };
  return JSON.stringify(file);
}

/** Parses schemas.json, shared or plain (catalogs pulled by older versions). */
export function decodeSchemas(text: string): SchemaBundle {
  const parsed = JSON.parse(text) as SchemaFile | SchemaBundle;
  if ((parsed as SchemaFile).format !== 'doql-schemas-shared') return parsed as SchemaBundle;
  const { shared } = parsed as SchemaFile;
  const done = new Map<number, unknown>();
  const decode = (node: unknown): unknown => {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = decode(node[i]);
      return node;
    }
    const obj = node as Record<string, unknown>;
    const id = obj[MARK];
    if (typeof id === 'number' && Object.keys(obj).length === 1) {
      let value = done.get(id);
      if (value === undefined) {
        value = shared[id];
        done.set(id, value); // set first: decoding it in place then reuses the same object
        decode(value);
      }
      return value;
    }
    for (const k of Object.keys(obj)) obj[k] = decode(obj[k]);
    return obj;
  };
  return decode((parsed as SchemaFile).bundle) as SchemaBundle;
}
