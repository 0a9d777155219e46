// List bodies as JSON bytes assembled from cached row texts (see row-texts.ts). The bytes are what
// JSON.stringify gives for the body `repair` would have built: same keys, same order, same text.
import type { JsonSchema } from '../catalog/types.js';
import type { Regenerate } from './repair.js';
import { schemaType } from './repair.js';
import type { RowTexts } from './row-texts.js';

/**
 * `JSON.stringify(repair(rows, schema, regen, name))` as UTF-8, or undefined when the schema is not a
 * plain array of row schemas (the caller then repairs and stringifies the value itself).
 */
export function rowsJson(texts: RowTexts, schema: JsonSchema | undefined, name: string | undefined, rows: readonly unknown[], regen: Regenerate): Buffer | undefined {
  // What repair does with an array at depth 0: checks an enum, then (type array) fits each element to `items`.
  if (!schema || typeof schema !== 'object' || Array.isArray(schema.enum) || schemaType(schema) !== 'array') return undefined;
  const items = schema.items as JsonSchema | undefined;
  if (!items || typeof items !== 'object' || Array.isArray(items)) return undefined;
  return texts.arrayJson(rows, items, name, regen);
}

/**
 * `JSON.stringify(body)` as UTF-8 in pieces, with the value at `key` replaced by the JSON text `raw`:
 * the pieces are written as they are, so a cached page is never copied.
 */
export function objectJsonWith(body: Record<string, unknown>, key: string, raw: Buffer): Buffer[] {
  // Members as JSON.stringify writes them (undefined values left out); the key's member ends at its colon.
  const members: string[] = [];
  let at = -1;
  for (const k of Object.keys(body)) {
    const text = k === key ? '' : JSON.stringify(body[k]);
    if (text === undefined) continue;
    if (k === key) at = members.length;
    members.push(`${JSON.stringify(k)}:${text}`);
  }
  if (at < 0) return [Buffer.from(`{${members.join(',')}}`)];
  const before = `{${members.slice(0, at + 1).join(',')}`;
  const after = members.slice(at + 1).map((m) => `,${m}`).join('');
  return [Buffer.from(before), raw, Buffer.from(`${after}}`)];
}
