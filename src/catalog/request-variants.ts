// The forms of a request body whose schema is a oneOf/anyOf of objects (a droplet create takes `name`, or `names`
// for several): each form resolved on its own, so its required fields are known. The flattened schema the rest of
// the catalog uses keeps only what every form requires.
import { derefShallow, type SchemaResolver } from './ref-resolver.js';
import type { BodyVariants, JsonSchema } from './types.js';

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The top-level oneOf/anyOf of a body schema, directly or in one of its allOf parts, and the rest of the schema. */
function splitBranches(root: Json, schema: Json, file: string): { kind: 'oneOf' | 'anyOf'; branches: Json[]; base: Json[] } | undefined {
  const s = derefShallow(root, schema, file);
  if (!isObject(s)) return undefined;
  for (const kind of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(s[kind])) {
      const rest = { ...s };
      delete rest[kind];
      return { kind, branches: s[kind] as Json[], base: [rest] };
    }
  }
  if (!Array.isArray(s.allOf)) return undefined;
  const parts = s.allOf as Json[];
  for (let i = 0; i < parts.length; i++) {
    const inner = splitBranches(root, parts[i], file);
    if (!inner) continue;
    const rest = { ...s };
    delete rest.allOf;
    return { kind: inner.kind, branches: inner.branches, base: [rest, ...parts.filter((_, j) => j !== i), ...inner.base] };
  }
  return undefined;
}

function isObjectSchema(s: JsonSchema): boolean {
  return Boolean(s.properties) || s.type === 'object' || Array.isArray(s.required);
}

/**
 * Each form of the body, resolved (the schema around the oneOf merged into it), or undefined when the body is
 * not a choice of object forms or every form requires the same fields (then the flattened schema says it all).
 */
export function requestVariants(
  root: Json,
  schema: Json,
  resolver: SchemaResolver,
  file: string,
): { variants: BodyVariants; schemas: JsonSchema[] } | undefined {
  const split = splitBranches(root, schema, file);
  if (!split || split.branches.length < 2) return undefined;
  const schemas = split.branches.map((b) => resolver.resolve({ allOf: [...split.base, b] }));
  if (!schemas.every(isObjectSchema)) return undefined;
  const forms = split.branches.map((b, i) => {
    const s = schemas[i];
    const props = (s.properties ?? {}) as Record<string, JsonSchema>;
    const title = isObject(derefShallow(root, b, file)) ? (derefShallow(root, b, file) as Record<string, Json>).title : undefined;
    return {
      ...(typeof title === 'string' ? { title } : {}),
      required: (Array.isArray(s.required) ? (s.required as string[]) : []).filter((r) => !props[r]?.readOnly),
      fields: Object.keys(props).filter((k) => !props[k]?.readOnly),
    };
  });
  const key = (r: string[]): string => [...r].sort().join(',');
  if (new Set(forms.map((f) => key(f.required))).size < 2) return undefined;
  return { variants: { kind: split.kind, forms }, schemas };
}
