// What buildRequest needs from the catalog besides the method: the body's schemas (to validate and convert values)
// and the spec's examples of plain string fields (for errors that show what to write).
import type { JsonSchema, Method, SchemaBundle } from '../../catalog/types.js';
import type { BodySchemas } from '../body-validation.js';
import type { WriteContext } from './context.js';

/**
 * The spec's example of a body field of `method` typed as a plain string, when the example is a word-like
 * value (a slug, id, name or address: `s-1vcpu-1gb`), not free text or JSON (a Kafka schema, user data).
 * Such a field refuses a JSON object or array. The schemas load only when this is asked.
 */
function stringExampleOf(ctx: WriteContext, method: Method): (field: string) => string | undefined {
  return (field) => {
    let request: JsonSchema | undefined;
    try {
      request = ctx.catalog.schemas().operations[method.operationId]?.request;
    } catch {
      return undefined;
    }
    const s = [request, ...((request?.allOf as JsonSchema[] | undefined) ?? [])].map((x) => x?.properties?.[field] as JsonSchema | undefined).find(Boolean);
    if (!s || s.oneOf || s.anyOf) return undefined;
    const types = (Array.isArray(s.type) ? s.type : [s.type]).filter((t: unknown) => t !== 'null');
    if (types.length !== 1 || types[0] !== 'string' || typeof s.example !== 'string') return undefined;
    return /^[\w.:/@+-]+$/.test(s.example) ? s.example : undefined;
  };
}

/** The operation's body schemas from the catalog's bundle; undefined when the bundle cannot be read. */
function bodySchemasOf(ctx: WriteContext, method: Method): BodySchemas | undefined {
  if (!method.body) return undefined;
  let bundle: SchemaBundle;
  try {
    bundle = ctx.catalog.schemas();
  } catch {
    return undefined;
  }
  const op = bundle.operations[method.operationId];
  if (!op?.request) return undefined;
  const variants = method.body.variants && op.requestVariants ? { meta: method.body.variants, schemas: op.requestVariants } : undefined;
  return { owner: bundle, operationId: method.operationId, request: op.request, ...(op.requestStrict ? { strict: op.requestStrict } : {}), ...(variants ? { variants } : {}) };
}

/** What buildRequest needs from the catalog besides the method. */
export function requestOptions(ctx: WriteContext, method: Method): { schemas?: BodySchemas; stringExample: (field: string) => string | undefined } {
  const schemas = bodySchemasOf(ctx, method);
  return { ...(schemas ? { schemas } : {}), stringExample: stringExampleOf(ctx, method) };
}
