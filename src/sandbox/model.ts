// Compiles the catalog into what the simulator runs: routes, and the store's collections (list path →
// item path, id field, item schema, parent/child links). Everything is derived by rule from paths,
// methods and schemas; nothing is written per endpoint.
import { singularWord } from '../catalog/naming-words.js';
import type { LoadedCatalog } from '../catalog/load.js';
import { columnForParam, itemFieldForParam } from '../catalog/param-columns.js';
import type { JsonSchema, Method } from '../catalog/types.js';
import { normalizeTemplate, Router, splitPath } from './router.js';

export type OperationKind =
  | 'list' // GET on a collection
  | 'get' // GET on an item
  | 'create' // POST on a collection
  | 'update' // PUT/PATCH on an item
  | 'delete' // DELETE on an item
  | 'replace-list' // PUT/PATCH on a collection whose body carries the whole list
  | 'delete-where' // DELETE on a collection, by query filters
  | 'action' // POST …/actions outside a stored collection
  | 'generic'; // everything else: answered from the response schema

/** An item of an enclosing collection that must exist for a request to be served. */
export interface ExistenceCheck {
  collection: Collection;
  /** Index, among the path's parameter values, of the item's id. */
  valueIndex: number;
}

export interface Operation {
  method: Method;
  /** The catalog resource the method belongs to (`digitalocean.compute.droplets`). */
  resourceId: string;
  /** Upper case, as on the wire. */
  httpMethod: string;
  template: string;
  shape: string;
  /** `GET /v2/droplets/{droplet_id}`: how requests are counted. */
  routeKey: string;
  kind: OperationKind;
  collection?: Collection;
  request?: JsonSchema;
  response?: JsonSchema;
  pathParams: string[];
  checks: ExistenceCheck[];
  /** A generic operation whose path also has a GET: its state is kept per concrete path (PUT then GET). */
  singleton: boolean;
}

export interface Collection {
  /** Normalised list path (`/v2/databases/{}/backups`): the store's key. */
  shape: string;
  /** The list path as the spec spells it (`/v2/databases/{database_cluster_uuid}/backups`). */
  path: string;
  /** Parameters in the list path: the parent key has this many values. */
  paramCount: number;
  /** `droplet` for `/v2/droplets`: names actions' resource_type and cross-reference fields. */
  singular: string;
  /** Response property holding the list; '' when the body is the array. */
  listKey?: string;
  itemSchema: JsonSchema;
  /** Normalised item path (`/v2/droplets/{}`), when items can be addressed. */
  itemShape?: string;
  /** Field that identifies an item in the item path (`id`, `uuid`, `name`, …). */
  idField?: string;
  /** Other fields an item path may name an item by (an image by slug, an SSH key by fingerprint). */
  altIdFields: string[];
  parent?: Collection;
  children: Collection[];
  isActions: boolean;
  /** Catalog resource ids (`digitalocean.compute.droplets`) whose list methods read this collection. */
  resourceIds: Set<string>;
  listOp?: Operation;
  createOp?: Operation;
  getOp?: Operation;
}

export interface SandboxModel {
  router: Router<Operation>;
  operations: Operation[];
  collections: Map<string, Collection>;
  /** Collections in creation order for seeding: parents before children, `/v2/regions` before `/v2/droplets`. */
  ordered: Collection[];
  /** The account-wide action log (`/v2/actions`), when the spec has one. */
  actions?: Collection;
  /** `compute.droplets` and `digitalocean.compute.droplets` → collections. */
  resources: Map<string, Collection[]>;
}

/** Natural keys of rows no path addresses, most telling first. */
const LIST_ONLY_ID_FIELDS = ['id', 'uuid', 'slug', 'urn', 'name'];
/** Fields that also identify items in DigitalOcean paths (images by slug, SSH keys by fingerprint). */
const ALT_ID_FIELDS = ['slug', 'fingerprint'];

function objectKeyProp(objectKey: string | undefined): string | undefined {
  if (!objectKey) return undefined;
  return objectKey === '$' ? '' : objectKey.replace(/^\$\./, '');
}

/** The schema at a method's objectKey; for a list, the item schema. */
export function schemaAtKey(response: JsonSchema | undefined, objectKey: string | undefined, list: boolean): JsonSchema | undefined {
  const key = objectKeyProp(objectKey);
  if (!response || key === undefined) return undefined;
  const at = key === '' ? response : (response.properties?.[key] as JsonSchema | undefined);
  if (!at) return undefined;
  return list ? ((at.items as JsonSchema | undefined) ?? undefined) : at;
}

function isObjectSchema(s: JsonSchema | undefined): s is JsonSchema {
  return Boolean(s && s.properties && Object.keys(s.properties).length > 0);
}

/** JSON with object keys sorted (and `required` as a set): equal schemas give equal strings. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (Array.isArray(v)) return key === 'required' ? [...v].sort() : v;
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return v;
  });
}

/** allOf-style merge of two item schemas, so one stored item satisfies both the list and the get schema. */
export function mergeItemSchemas(a: JsonSchema, b: JsonSchema): JsonSchema {
  if (a === b) return a;
  const out: JsonSchema = { ...b, ...a };
  if (Array.isArray(a.enum) && Array.isArray(b.enum)) {
    const both = a.enum.filter((v: unknown) => b.enum.includes(v));
    if (both.length) out.enum = both;
  }
  if (a.nullable !== b.nullable) delete out.nullable; // null must satisfy both to be generated
  if (a.properties || b.properties) {
    const props: Record<string, JsonSchema> = { ...(b.properties ?? {}), ...(a.properties ?? {}) };
    for (const k of Object.keys(props)) {
      if (a.properties?.[k] && b.properties?.[k]) props[k] = mergeItemSchemas(a.properties[k], b.properties[k]);
    }
    out.properties = props;
  }
  if (a.required || b.required) out.required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
  if (a.items && b.items) out.items = mergeItemSchemas(a.items, b.items);
  return out;
}

export function buildModel(loaded: LoadedCatalog): SandboxModel {
  const bundle = loaded.schemas();
  const operations: Operation[] = [];
  for (const service of Object.values(loaded.catalog.services)) {
    for (const resource of Object.values(service.resources)) {
      for (const method of resource.methods) {
        const schemas = bundle.operations[method.operationId] ?? { responseStatus: method.successStatus };
        operations.push({
          method,
          resourceId: resource.id,
          httpMethod: method.httpMethod.toUpperCase(),
          template: method.path,
          shape: normalizeTemplate(method.path),
          routeKey: `${method.httpMethod.toUpperCase()} ${method.path}`,
          kind: 'generic',
          request: schemas.request,
          response: schemas.response,
          pathParams: [...method.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
          checks: [],
          singleton: false,
        });
      }
    }
  }
  const byShape = new Map<string, Operation[]>();
  for (const op of operations) {
    let list = byShape.get(op.shape);
    if (!list) byShape.set(op.shape, (list = []));
    list.push(op);
  }
  const find = (shape: string, http: string): Operation | undefined => byShape.get(shape)?.find((o) => o.httpMethod === http);

  // 1. Collections: a GET that lists objects, or a POST whose created items can be read back at …/{id}.
  const collections = new Map<string, Collection>();
  const newCollection = (shape: string, path: string, itemSchema: JsonSchema, listKey?: string): Collection => {
    // Rows are objects even where the spec lets list elements be null (`kernels: [null]`).
    if (itemSchema.nullable) {
      itemSchema = { ...itemSchema };
      delete itemSchema.nullable;
    }
    const literals = splitPath(shape).filter((s) => s !== '{}');
    const last = literals[literals.length - 1] ?? 'item';
    return {
      shape,
      path,
      paramCount: (shape.match(/\{\}/g) ?? []).length,
      singular: singularWord(last.replace(/-/g, '_')),
      listKey,
      itemSchema,
      altIdFields: [],
      children: [],
      isActions: last === 'actions',
      resourceIds: new Set(),
    };
  };
  for (const op of operations) {
    if (op.httpMethod !== 'GET' || !op.method.returnsList || collections.has(op.shape)) continue;
    const item = schemaAtKey(op.response, op.method.objectKey, true);
    if (!isObjectSchema(item)) continue;
    const c = newCollection(op.shape, op.template, item, objectKeyProp(op.method.objectKey));
    c.listOp = op;
    collections.set(op.shape, c);
  }
  for (const op of operations) {
    if (op.httpMethod !== 'POST' || collections.has(op.shape)) continue;
    const itemGet = find(`${op.shape}/{}`, 'GET');
    if (!itemGet || itemGet.method.returnsList) continue;
    const item = schemaAtKey(itemGet.response, itemGet.method.objectKey, false);
    if (!isObjectSchema(item)) continue;
    collections.set(op.shape, newCollection(op.shape, op.template, item));
  }

  // A collection found through its POST may still be listed by a GET whose body is not a plain list
  // (`{total, vector_dbs: [...]}`): its one array of objects is the list.
  for (const c of collections.values()) {
    if (c.listKey !== undefined) continue;
    const get = find(c.shape, 'GET');
    const props = (get?.response?.properties ?? {}) as Record<string, JsonSchema>;
    const arrays = Object.keys(props).filter((k) => isObjectSchema(props[k].items as JsonSchema | undefined));
    if (get && arrays.length === 1) {
      c.listKey = arrays[0];
      c.listOp = get;
      c.itemSchema = mergeItemSchemas(props[arrays[0]].items as JsonSchema, c.itemSchema);
    }
  }

  // 2. Item paths, id fields and merged item schemas. Any operation at `{list}/{param}` makes items
  // addressable, even a GET that lists something under the item (`/v2/customers/my/invoices/{uuid}`).
  for (const c of collections.values()) {
    const itemShape = `${c.shape}/{}`;
    const itemOps = byShape.get(itemShape) ?? [];
    const props = new Set(Object.keys(c.itemSchema.properties ?? {}));
    if (itemOps.length === 0) {
      // Never addressed by path: still keyed by a natural id when the rows have one (regions by slug).
      c.idField = LIST_ONLY_ID_FIELDS.find((f) => props.has(f));
      continue;
    }
    c.itemShape = itemShape;
    const get = itemOps.find((o) => o.httpMethod === 'GET' && !o.method.returnsList);
    if (get) {
      const item = schemaAtKey(get.response, get.method.objectKey, false);
      if (isObjectSchema(item) && item !== c.itemSchema && stableStringify(item) !== stableStringify(c.itemSchema)) c.itemSchema = mergeItemSchemas(c.itemSchema, item);
      c.getOp = get;
    }
    const idOp = get ?? itemOps[0];
    const idParam = idOp.pathParams[idOp.pathParams.length - 1];
    const merged = new Set(Object.keys(c.itemSchema.properties ?? {}));
    // The catalog says which column fills the parameter; a collection whose stored items have other fields than
    // the method's resource's rows (an operation filed under another resource) applies the catalog's rule to them.
    const fromCatalog = columnForParam(idOp.method, idParam);
    c.idField = fromCatalog && merged.has(fromCatalog) ? fromCatalog : itemFieldForParam(idParam, merged);
    c.altIdFields = ALT_ID_FIELDS.filter((f) => merged.has(f) && f !== c.idField);
  }

  // 3. Parents: the nearest collection whose item path is a prefix of this one's list path.
  const itemOwners = new Map<string, Collection>();
  for (const c of collections.values()) if (c.itemShape) itemOwners.set(c.itemShape, c);
  const checksFor = (shape: string): ExistenceCheck[] => {
    const segs = splitPath(shape);
    const checks: ExistenceCheck[] = [];
    let valueIndex = -1;
    for (let i = 0; i < segs.length; i++) {
      if (segs[i] !== '{}') continue;
      valueIndex++;
      const owner = itemOwners.get(`/${segs.slice(0, i + 1).join('/')}`);
      if (owner) checks.push({ collection: owner, valueIndex });
    }
    return checks;
  };
  for (const c of collections.values()) {
    const checks = checksFor(c.shape);
    const nearest = checks[checks.length - 1];
    // Only a parent whose id is the last parameter before this list: its items' keys nest exactly.
    if (nearest && nearest.valueIndex === c.paramCount - 1) {
      c.parent = nearest.collection;
      nearest.collection.children.push(c);
    }
  }

  // 4. Operation kinds.
  const getShapes = new Set(operations.filter((o) => o.httpMethod === 'GET').map((o) => o.shape));
  for (const op of operations) {
    op.checks = checksFor(op.shape);
    const onList = collections.get(op.shape);
    const owner = itemOwners.get(op.shape);
    if (onList) {
      op.collection = onList;
      if (op.httpMethod === 'GET') {
        if (onList.listKey !== undefined) {
          op.kind = 'list';
          onList.resourceIds.add(op.resourceId);
        }
      } else if (op.httpMethod === 'POST') {
        op.kind = onList.isActions ? 'action' : 'create';
        onList.createOp ??= op;
      } else if ((op.httpMethod === 'PUT' || op.httpMethod === 'PATCH') && onList.listKey && op.request?.properties?.[onList.listKey]?.type === 'array') {
        op.kind = 'replace-list';
      } else if (op.httpMethod === 'DELETE') op.kind = 'delete-where';
    } else if (owner && !(op.httpMethod === 'GET' && op.method.returnsList)) {
      op.collection = owner;
      if (op.httpMethod === 'GET' || op.httpMethod === 'HEAD') op.kind = 'get';
      else if (op.httpMethod === 'PUT' || op.httpMethod === 'PATCH') op.kind = 'update';
      else if (op.httpMethod === 'DELETE') op.kind = 'delete';
    } else if (op.httpMethod === 'POST' && op.shape.endsWith('/actions')) {
      // Acts on the item before `/actions` (its check), or on tagged items of the list before it.
      op.kind = 'action';
    }
    if (op.kind === 'generic' && op.httpMethod !== 'GET' && getShapes.has(op.shape)) op.singleton = true;
    if (op.kind === 'generic' && op.httpMethod === 'GET') op.singleton = (byShape.get(op.shape) ?? []).some((o) => o.httpMethod !== 'GET');
  }

  const router = new Router<Operation>();
  for (const op of operations) router.add(op.template, op.httpMethod, op);

  // Parents before children; the factory orders referenced collections (regions) before referrers.
  const ordered = [...collections.values()].sort((a, b) => a.paramCount - b.paramCount || a.shape.localeCompare(b.shape));
  const resources = new Map<string, Collection[]>();
  for (const c of ordered) {
    for (const id of c.resourceIds) {
      for (const key of [id, id.replace(/^digitalocean\./, '')]) {
        const list = resources.get(key) ?? [];
        list.push(c);
        resources.set(key, list);
      }
    }
  }
  const actions = ordered.find((c) => c.isActions && c.paramCount === 0);
  return { router, operations, collections, ordered, actions, resources };
}
