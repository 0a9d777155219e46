// Turns OpenAPI 3.0 schemas into JSON Schema that ajv understands, and makes the ajv instance that doql and
// its sandbox validate with: one place owns the dialect differences.
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';
import type { JsonSchema } from '../catalog/types.js';

/** `request` drops readOnly properties from `required`; `response` drops writeOnly ones (OpenAPI 3.0 §4.7.25). */
export type SchemaMode = 'request' | 'response';

/** OpenAPI formats ajv-formats does not know; numeric widths and opaque strings accept anything of their type. */
const PASS_FORMATS = ['int32', 'int64', 'uint32', 'uint64', 'float', 'double', 'byte', 'binary', 'password', 'cidr', 'string'];

// ajv-formats is CommonJS; under NodeNext its default import is the module object, whose `default` is the plugin.
const addFormats = ((formatsModule as unknown as { default?: FormatsPlugin }).default ?? formatsModule) as FormatsPlugin;

export function createAjv(): Ajv {
  const ajv = new Ajv({
    strict: false, // spec schemas carry x-* keys, `example`, `discriminator` without mapping, …
    allErrors: true, // report every problem at once
    validateSchema: false,
    unicodeRegExp: false, // spec patterns use escapes (`\:`) that the `u` flag rejects
    logger: false,
  });
  addFormats(ajv);
  for (const f of PASS_FORMATS) ajv.addFormat(f, true);
  return ajv;
}

/** A JSON Schema (draft-07) copy of an OpenAPI 3.0 schema. */
export function toJsonSchema(schema: JsonSchema, mode: SchemaMode): JsonSchema {
  return convert(schema, mode, 0);
}

function convert(schema: JsonSchema, mode: SchemaMode, depth: number): JsonSchema {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema) || depth > 64) return {};
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    switch (key) {
      case 'example':
      case 'examples':
      case 'discriminator':
      case 'nullable':
      case 'x-codeSamples':
        break;
      case 'properties': {
        const props: Record<string, JsonSchema> = {};
        for (const [name, sub] of Object.entries(value as Record<string, JsonSchema>)) props[name] = convert(sub, mode, depth + 1);
        out.properties = props;
        break;
      }
      case 'items':
      case 'additionalProperties':
      case 'not':
        out[key] = typeof value === 'object' && value !== null ? convert(value as JsonSchema, mode, depth + 1) : value;
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        out[key] = Array.isArray(value) ? value.map((v) => convert(v as JsonSchema, mode, depth + 1)) : value;
        break;
      default:
        out[key] = value;
    }
  }
  // OpenAPI 3.0 nullable: JSON Schema spells it as a `null` member of type (and of enum).
  if (schema.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  // OpenAPI 3.0 (draft-04) boolean exclusive bounds become draft-07 numbers.
  for (const [ex, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[ex] === 'boolean') {
      if (out[ex] && typeof out[bound] === 'number') {
        out[ex] = out[bound];
        delete out[bound];
      } else delete out[ex];
    }
  }
  if (Array.isArray(out.required) && out.properties) {
    const skip = mode === 'request' ? 'readOnly' : 'writeOnly';
    const props = schema.properties as Record<string, JsonSchema>;
    out.required = out.required.filter((name: string) => !props[name]?.[skip]);
    if (out.required.length === 0) delete out.required;
  }
  return out;
}

/** Compiles an OpenAPI schema; a schema ajv cannot compile validates nothing rather than crashing a request. */
export function compileSchema(ajv: Ajv, schema: JsonSchema, mode: SchemaMode): ValidateFunction {
  try {
    return ajv.compile(toJsonSchema(schema, mode));
  } catch {
    return ajv.compile({});
  }
}
