// Compiles an OpenAPI 3 spec into the doql catalog (services → resources → methods, columns, params)
// and a bundle of resolved request/response schemas. Strict: what it cannot compile, it says.
import { createRequire } from 'node:module';
import { DoqlError } from '../errors.js';
import { Namer } from './naming.js';
import type { OperationRef } from './naming.js';
import { derefShallow, SchemaResolver } from './ref-resolver.js';
import { assignParamColumns } from './param-columns.js';
import { requestVariants } from './request-variants.js';
import { assertRefsResolve } from './spec-validate.js';
import type {
  BodyField,
  Catalog,
  Column,
  HttpMethod,
  JsonSchema,
  Method,
  Param,
  Resource,
  SchemaBundle,
  SchemaTypeName,
  SqlType,
} from './types.js';

const HTTP_METHODS: HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete', 'head'];
/** Properties of a list response that are paging envelope, not rows. */
const ENVELOPE_KEYS = new Set(['links', 'meta']);

export interface CompileResult {
  catalog: Catalog;
  schemas: SchemaBundle;
}

export interface CompileOptions {
  /** Named in every error message. */
  file: string;
  /** Recorded in the catalog: a path, URL or package name. */
  source: string;
}

type Json = unknown;
type JsonObject = Record<string, Json>;

function isObject(v: Json): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Checks that a parsed document is an OpenAPI 3 spec with paths. */
export function assertOpenApi3(doc: Json, file: string): asserts doc is JsonObject {
  if (!isObject(doc)) throw new DoqlError('spec', `${file}: not an OpenAPI document (expected a JSON or YAML object)`);
  const version = doc.openapi;
  if (typeof version !== 'string' || !version.startsWith('3.')) {
    const swagger = typeof doc.swagger === 'string' ? ` (it is Swagger ${doc.swagger})` : '';
    throw new DoqlError('spec', `${file}: not an OpenAPI 3 spec${swagger}: "openapi" must be 3.x`);
  }
  if (!isObject(doc.paths) || Object.keys(doc.paths).length === 0) {
    throw new DoqlError('spec', `${file}: the spec has no paths`);
  }
}

export function schemaTypeOf(schema: JsonSchema | undefined): SchemaTypeName {
  if (!schema) return 'string';
  const t = Array.isArray(schema.type) ? schema.type.find((x: string) => x !== 'null') : schema.type;
  if (t === 'string' || t === 'number' || t === 'integer' || t === 'boolean' || t === 'object' || t === 'array') return t;
  if (schema.properties || schema.additionalProperties) return 'object';
  if (schema.items) return 'array';
  return 'string';
}

export function sqlTypeOf(schema: JsonSchema | undefined): SqlType {
  const t = schemaTypeOf(schema);
  switch (t) {
    case 'integer':
      return 'INTEGER';
    case 'number':
      return 'REAL';
    case 'boolean':
      return 'BOOLEAN';
    case 'object':
    case 'array':
      return 'JSON';
    default:
      // A schema with no type at all (any value) is kept as JSON text so nothing is lost.
      return schema && schema.type === undefined && !schema.enum && !schema.format && Object.keys(schema).length <= 2 && !schema.description
        ? 'JSON'
        : 'TEXT';
  }
}

function oneLine(text: unknown): string {
  return typeof text === 'string' ? text.replace(/\s+/g, ' ').trim() : '';
}

interface ObjectLocation {
  objectKey?: string;
  item?: JsonSchema;
  returnsList: boolean;
}

/**
 * Finds where a response's rows are: the single non-envelope key, or the one array among them in a paged
 * list, or an array named like the path's collection (`backups` beside `backup_progress`), or the body.
 */
export function locateRows(body: JsonSchema | undefined, collection?: string): ObjectLocation {
  if (!body) return { returnsList: false };
  if (schemaTypeOf(body) === 'array') return { objectKey: '$', item: body.items ?? {}, returnsList: true };
  const props = body.properties as Record<string, JsonSchema> | undefined;
  if (!props) return { objectKey: '$', item: body, returnsList: false };
  const keys = Object.keys(props).filter((k) => !ENVELOPE_KEYS.has(k));
  const pick = (key: string): ObjectLocation => {
    const s = props[key];
    if (schemaTypeOf(s) === 'array') return { objectKey: `$.${key}`, item: s.items ?? {}, returnsList: true };
    if (schemaTypeOf(s) === 'object' && (s.properties || s.additionalProperties === undefined)) {
      return { objectKey: `$.${key}`, item: s, returnsList: false };
    }
    return { objectKey: '$', item: body, returnsList: false };
  };
  if (keys.length === 1) return pick(keys[0]);
  const arrays = keys.filter((k) => schemaTypeOf(props[k]) === 'array');
  if (arrays.length === 1 && (props.links || props.meta)) return pick(arrays[0]);
  if (collection && arrays.includes(collection)) return pick(collection);
  // A list envelope of scalars around one array of objects (`{"object": "list", "data": [...]}`).
  const scalar = (k: string): boolean => ['string', 'integer', 'number', 'boolean'].includes(schemaTypeOf(props[k]) ?? '');
  if (arrays.length === 1 && schemaTypeOf(props[arrays[0]].items) === 'object' && keys.every((k) => k === arrays[0] || scalar(k))) return pick(arrays[0]);
  return { objectKey: '$', item: body, returnsList: false };
}

/** The success response's content type, for naming (a download is an EXEC, not rows). */
function successContentType(doc: JsonObject, op: JsonObject, file: string): string | undefined {
  const responses = isObject(op.responses) ? op.responses : {};
  const okCode = Object.keys(responses)
    .filter((c) => /^2\d\d$/.test(c))
    .sort()[0];
  const resp = okCode ? derefShallow(doc, responses[okCode], file) : undefined;
  if (!isObject(resp) || !isObject(resp.content)) return undefined;
  const types = Object.keys(resp.content);
  return types.find((c) => c.includes('json')) ?? types[0];
}

/**
 * A string the spec shows as a decimal number (`"amount": {"type": "string", "example": "12.34"}`): money, which
 * DigitalOcean sends as text so as not to round it. The column gets format `decimal` (numeric to Postgres clients).
 */
function decimalString(s: JsonSchema): boolean {
  return s.type === 'string' && !s.enum && typeof s.example === 'string' && /^-?\d+\.\d+$/.test(s.example);
}

export function columnsOf(item: JsonSchema | undefined): Column[] {
  if (!item) return [];
  const props = item.properties as Record<string, JsonSchema> | undefined;
  if (!props) {
    // A scalar or free-form row (a list of strings, a map): one `value` column holds it.
    return [{ name: 'value', sqlType: sqlTypeOf(item), schemaType: schemaTypeOf(item), description: oneLine(item.description) }];
  }
  return Object.entries(props).map(([name, s]) => ({
    name,
    sqlType: sqlTypeOf(s),
    schemaType: schemaTypeOf(s),
    ...(typeof s.format === 'string' ? { format: s.format } : decimalString(s) ? { format: 'decimal' } : {}),
    description: oneLine(s.description),
  }));
}

/**
 * The rest of a response around its rows (`links`, `meta`, …) and the row itself under its key (`config`,
 * `action`, `droplets`): StackQL reads whole bodies, so its queries name these; doql fills them per row.
 */
function envelopeColumns(body: JsonSchema | undefined, objectKey: string | undefined, returnsList: boolean): Column[] {
  if (!body?.properties || !objectKey || objectKey === '$') return [];
  const key = objectKey.slice(2);
  return Object.entries(body.properties as Record<string, JsonSchema>).map(([name, s]) =>
    name === key
      ? { name, sqlType: 'JSON' as const, schemaType: 'object' as const, description: returnsList ? 'The row as the API returns it.' : 'The object as the API returns it.', envelope: true as const }
      : { name, sqlType: sqlTypeOf(s), schemaType: schemaTypeOf(s), description: oneLine(s.description), envelope: true as const },
  );
}

function bodyFieldsOf(schema: JsonSchema): BodyField[] {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set<string>(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(props)
    .filter(([, s]) => !s.readOnly)
    .map(([name, s]) => ({
      name,
      required: required.has(name),
      schemaType: schemaTypeOf(s),
      sqlType: sqlTypeOf(s),
      description: oneLine(s.description),
      ...(s.nullable ? { nullable: true } : {}),
      ...(Array.isArray(s.enum) ? { enum: s.enum } : {}),
    }));
}

/** True when a resolved schema still holds a oneOf/anyOf somewhere. */
function hasChoices(schema: unknown, depth = 0): boolean {
  if (schema === null || typeof schema !== 'object' || depth > 64) return false;
  if (Array.isArray(schema)) return schema.some((x) => hasChoices(x, depth + 1));
  const o = schema as Record<string, unknown>;
  if (Array.isArray(o.oneOf) || Array.isArray(o.anyOf)) return true;
  return Object.entries(o).some(([k, v]) => k !== 'example' && k !== 'examples' && hasChoices(v, depth + 1));
}

/** The operation's own server (operation level, else path level) when it is not the API's. */
function serverOf(op: JsonObject, item: JsonObject, apiServer: string): { server?: string } {
  const servers = (Array.isArray(op.servers) ? op.servers : Array.isArray(item.servers) ? item.servers : []) as JsonObject[];
  const url = servers[0]?.url;
  if (typeof url !== 'string') return {};
  const bare = (u: string): string => u.replace(/\/+$/, '');
  return bare(url) === bare(apiServer) ? {} : { server: url };
}

export function compileSpec(doc: Json, options: CompileOptions): CompileResult {
  assertOpenApi3(doc, options.file);
  const { file } = options;
  assertRefsResolve(doc, file);
  const resolver = new SchemaResolver(doc, file);
  // Request bodies are validated by their oneOf/anyOf as the spec writes them, not by the flattened union.
  const strictResolver = new SchemaResolver(doc, file, { keepChoices: true });
  // Required here, not imported: node:crypto costs a session process ~7 ms to load, and only compiling hashes.
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  const specHash = createHash('sha256').update(JSON.stringify(doc)).digest('hex').slice(0, 16);
  const paths = doc.paths as JsonObject;

  const catalog: Catalog = {
    provider: 'digitalocean',
    source: options.source,
    specVersion: String((doc.info as JsonObject | undefined)?.version ?? 'unknown'),
    specHash,
    serverUrl: String(((doc.servers as JsonObject[] | undefined)?.[0]?.url as string | undefined) ?? 'https://api.digitalocean.com'),
    services: {},
    operationCount: 0,
    paramColumns: true,
  };
  const schemas: SchemaBundle = { specHash, operations: {} };
  const tagDescriptions = new Map<string, string>();
  for (const t of (doc.tags as JsonObject[] | undefined) ?? []) {
    if (typeof t.name === 'string') tagDescriptions.set(t.name, oneLine(t.description).slice(0, 300));
  }
  const usedMethodNames = new Set<string>();
  const envelopes = new Map<Resource, Column[]>();

  // Naming looks at sibling paths (is there a GET beside this POST?), so every operation is listed first.
  const refs = new Map<JsonObject, OperationRef>();
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = derefShallow(doc, rawItem, file);
    if (!isObject(item)) continue;
    for (const httpMethod of HTTP_METHODS) {
      const op = item[httpMethod];
      if (!isObject(op)) continue;
      refs.set(op, {
        operationId: typeof op.operationId === 'string' ? op.operationId : `${httpMethod}_${path}`,
        httpMethod,
        path,
        tags: Array.isArray(op.tags) ? (op.tags as string[]) : [],
        deprecated: op.deprecated === true,
        jsonResponse: successContentType(doc, op, file)?.includes('json') ?? true,
      });
    }
  }
  const namer = new Namer([...refs.values()]);

  for (const [path, rawItem] of Object.entries(paths)) {
    const item = derefShallow(doc, rawItem, file);
    if (!isObject(item)) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const httpMethod of HTTP_METHODS) {
      const op = item[httpMethod];
      if (!isObject(op)) continue;
      catalog.operationCount++;
      const ref = refs.get(op) as OperationRef;
      const { operationId, tags } = ref;
      const naming = namer.name(ref);
      let methodName = naming.method;
      // Two operations must never share a method name in a resource; suffix the rare clash.
      for (let i = 2; usedMethodNames.has(`${naming.service}.${naming.resource}.${methodName}`); i++) methodName = `${naming.method}_${i}`;
      usedMethodNames.add(`${naming.service}.${naming.resource}.${methodName}`);

      // Parameters: path-level then operation-level (operation wins on name+in).
      const paramMap = new Map<string, Param>();
      for (const raw of [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
        const p = derefShallow(doc, raw, file);
        if (!isObject(p) || (p.in !== 'path' && p.in !== 'query' && p.in !== 'header') || typeof p.name !== 'string') continue;
        // Headers doql sets itself are not parameters.
        if (p.in === 'header' && /^(authorization|content-type|accept|user-agent)$/i.test(p.name)) continue;
        const schema = resolver.resolve(p.schema ?? {});
        paramMap.set(`${p.in}:${p.name}`, {
          name: p.name,
          in: p.in,
          required: p.in === 'path' ? true : p.required === true,
          schemaType: schemaTypeOf(schema),
          sqlType: sqlTypeOf(schema),
          description: oneLine(p.description ?? schema.description),
          ...(Array.isArray(schema.enum) ? { enum: schema.enum } : {}),
          ...(schema.default !== undefined ? { default: schema.default } : {}),
        });
      }
      // Path params the template names but the spec forgot to declare still need values.
      for (const m of path.matchAll(/\{([^}]+)\}/g)) {
        if (!paramMap.has(`path:${m[1]}`)) {
          paramMap.set(`path:${m[1]}`, { name: m[1], in: 'path', required: true, schemaType: 'string', sqlType: 'TEXT', description: '' });
        }
      }
      const params = [...paramMap.values()];
      const pathOrder = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const requiredParams = [
        ...pathOrder,
        ...params.filter((p) => p.in !== 'path' && p.required).map((p) => p.name),
      ];

      // Request body.
      let body: Method['body'];
      let requestSchema: JsonSchema | undefined;
      let variantSchemas: JsonSchema[] | undefined;
      let strictRequest: JsonSchema | undefined;
      const rb = op.requestBody === undefined ? undefined : derefShallow(doc, op.requestBody, file);
      if (isObject(rb) && isObject(rb.content)) {
        const contentType = Object.keys(rb.content).find((c) => c.includes('json')) ?? Object.keys(rb.content)[0];
        const media = (rb.content as JsonObject)[contentType];
        if (isObject(media)) {
          requestSchema = resolver.resolve(media.schema ?? {});
          const forms = requestVariants(doc, media.schema ?? {}, strictResolver, file);
          const strict = forms ? undefined : strictResolver.resolve(media.schema ?? {});
          if (strict && hasChoices(strict)) strictRequest = strict;
          variantSchemas = forms?.schemas;
          body = { contentType, required: rb.required === true, fields: bodyFieldsOf(requestSchema), ...(forms ? { variants: forms.variants } : {}) };
        }
      }

      // Success response.
      const responses = isObject(op.responses) ? op.responses : {};
      const okCode = Object.keys(responses)
        .filter((c) => /^2\d\d$/.test(c))
        .sort()[0];
      let responseSchema: JsonSchema | undefined;
      let responseContentType: string | undefined;
      if (okCode) {
        const resp = derefShallow(doc, responses[okCode], file);
        if (isObject(resp) && isObject(resp.content)) {
          const types = Object.keys(resp.content);
          responseContentType = types.find((c) => c.includes('json')) ?? types[0];
          const media = (resp.content as JsonObject)[responseContentType];
          if (isObject(media) && media.schema !== undefined) responseSchema = resolver.resolve(media.schema);
        }
      }
      const isJson = responseContentType?.includes('json') ?? false;
      const collection = path.split('/').filter((seg) => seg && !seg.startsWith('{')).pop();
      const where = isJson ? locateRows(responseSchema, collection) : { returnsList: false };
      const queryNames = new Set(params.filter((p) => p.in === 'query').map((p) => p.name));
      const paginated =
        httpMethod === 'get' && queryNames.has('page') && queryNames.has('per_page') && Boolean(responseSchema?.properties?.links);

      const method: Method = {
        name: methodName,
        operationId,
        verb: naming.verb,
        httpMethod,
        path,
        summary: oneLine(op.summary),
        description: oneLine(op.description),
        params,
        requiredParams,
        ...(body ? { body } : {}),
        ...(where.objectKey ? { objectKey: where.objectKey } : {}),
        returnsList: where.returnsList,
        paginated,
        successStatus: okCode ? Number(okCode) : 200,
        ...(responseContentType ? { responseContentType } : {}),
        tags,
        ...serverOf(op, item, catalog.serverUrl),
      };
      schemas.operations[operationId] = {
        ...(requestSchema ? { request: requestSchema } : {}),
        ...(variantSchemas ? { requestVariants: variantSchemas } : {}),
        ...(strictRequest ? { requestStrict: strictRequest } : {}),
        ...(responseSchema ? { response: responseSchema } : {}),
        responseStatus: method.successStatus,
      };

      const service = (catalog.services[naming.service] ??= {
        name: naming.service,
        title: naming.service.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join(' '),
        description: tagDescriptions.get(tags[0] ?? '') ?? '',
        resources: {},
      });
      const resource = (service.resources[naming.resource] ??= {
        id: `digitalocean.${naming.service}.${naming.resource}`,
        service: naming.service,
        name: naming.resource,
        description: '',
        columns: [],
        methods: [],
      });
      resource.methods.push(method);
      if (method.verb === 'select' && isJson) {
        mergeColumns(resource, columnsOf(where.item));
        const env = envelopeColumns(responseSchema, where.objectKey, where.returnsList);
        if (env.length) envelopes.set(resource, [...(envelopes.get(resource) ?? []), ...env]);
      }
      if (!resource.description) resource.description = method.summary;
    }
  }
  // Envelope columns go after every method's item columns, so SELECT * leads with the object's own fields.
  for (const [resource, cols] of envelopes) mergeColumns(resource, cols);
  for (const service of Object.values(catalog.services)) {
    for (const resource of Object.values(service.resources)) {
      if (resource.columns.length === 0 && resource.methods.some((m) => m.verb === 'select')) {
        // A non-JSON or bodiless select (kubeconfig, CSV): one text column holds the body.
        resource.columns.push({ name: 'content', sqlType: 'TEXT', schemaType: 'string', description: 'The response body as text' });
      }
      assignParamColumns(resource);
    }
  }
  return { catalog, schemas };
}

/** Columns of a resource: union over its select methods, list method first (first definition wins). */
function mergeColumns(resource: Resource, cols: Column[]): void {
  const seen = new Set(resource.columns.map((c) => c.name));
  for (const c of cols) {
    if (!seen.has(c.name)) {
      resource.columns.push(c);
      seen.add(c.name);
    }
  }
}
