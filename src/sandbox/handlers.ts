// One handler per operation kind: list, get, create, update, delete, replace-list, delete-where,
// action and generic. Each reads the operation's catalog entry and schemas; none knows an endpoint.
import { singularWord } from '../catalog/naming-words.js';
import type { JsonSchema } from '../catalog/types.js';
import type { ActionTarget } from './actions.js';
import { recordAction, startLifecycle } from './actions.js';
import { ERRORS, errorBody } from './api-errors.js';
import { rawBody } from './content.js';
import { SEED_EPOCH } from './factory.js';
import { filterParamNames, rowFilters } from './filters.js';
import type { GenContext } from './generator.js';
import type { Operation, OperationKind } from './model.js';
import { schemaAtKey, stableStringify } from './model.js';
import { pageLinks, parsePage, slicePage } from './pagination.js';
import { rngFor } from './prng.js';
import type { SimContext } from './sim-context.js';
import type { Item } from './store.js';
import { parentKeyOf } from './store.js';
import { passes, topLevelField } from './validation.js';
import { repair } from './repair.js';
import type { Regenerate } from './repair.js';
import { objectJsonWith, rowsJson } from './list-json.js';

export interface HandlerInput {
  op: Operation;
  /** Path parameter values, canonical (an item named by slug is replaced by its key). */
  values: string[];
  query: URLSearchParams;
  /** The request body when it is a JSON object, else `{}`. */
  body: Record<string, unknown>;
  baseUrl: string;
  now: number;
  /** The request path with the canonical values filled in. */
  path: string;
}

export interface SimReply {
  status: number;
  json?: unknown;
  raw?: { contentType: string; body: Buffer };
  /**
   * Instead of `json`: the JSON body already serialized as UTF-8, in pieces to write as they are (a
   * list's rows are cached bytes, see row-texts.ts).
   */
  jsonChunks?: Buffer[];
  headers?: Record<string, string>;
  /** `GET /v2/droplets/{droplet_id}`, or `GET (unmatched)`. */
  routeKey: string;
  /** The request changed state (a state file is saved after it). */
  mutated?: boolean;
}

type Handler = (sim: SimContext, input: HandlerInput) => SimReply;

/** Creates per request are capped (DigitalOcean allows 10 droplets per request; the sandbox is lenient). */
const MAX_BATCH = 200;
const ENVELOPE_KEYS = new Set(['links', 'meta']);

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function errorReply(routeKey: string, e: { status: number; id: string; message: string }, message?: string): SimReply {
  return { status: e.status, json: errorBody(e.id, message ?? e.message), routeKey };
}

function unprocessable(routeKey: string, message: string): SimReply {
  return { status: 422, json: errorBody('unprocessable_entity', message), routeKey };
}

function keyOf(objectKey: string | undefined): string | undefined {
  if (objectKey === undefined) return undefined;
  return objectKey === '$' ? '' : objectKey.replace(/^\$\./, '');
}

/** Deterministic filler for required envelope fields: same request, same bytes. */
function envelopeCtx(sim: SimContext, op: Operation): GenContext {
  return { rng: rngFor(sim.factory.seed, 'envelope', op.routeKey), now: SEED_EPOCH, serial: 0 };
}

/**
 * A response body holding `value` at `key`: the other required fields of the response schema are
 * generated, and the value is fitted to the schema at the key (stored items serve several schemas).
 * With key '' the value is the body, restricted to the response schema's own properties.
 */
function envelope(sim: SimContext, op: Operation, key: string, value: unknown, skip: string[] = []): Record<string, unknown> | unknown {
  const schema = op.response;
  if (!schema) return value;
  const ctx = envelopeCtx(sim, op);
  const regen = regenerator(sim, ctx);
  if (key === '') return repair(isPlainObject(value) ? conform(sim, op, schema, value) : value, schema, regen);
  const body = sim.generator.generateRequired(schema, ctx, 'response', new Set([key, ...skip]));
  body[key] = repair(value, schema.properties?.[key] as JsonSchema | undefined, regen, key);
  return body;
}

/** Fills what does not fit a response schema, from the response's random stream. */
function regenerator(sim: SimContext, ctx: GenContext): Regenerate {
  return (s, name) => sim.generator.generate(s, ctx, 'response', name);
}

/** `value` restricted to the fields `schema` declares, missing required ones generated. */
function conform(sim: SimContext, op: Operation, schema: JsonSchema, value: Record<string, unknown>): Record<string, unknown> {
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  if (!props) return value;
  const present = Object.keys(props).filter((k) => value[k] !== undefined);
  const out = sim.generator.generateRequired(schema, envelopeCtx(sim, op), 'response', new Set(present));
  for (const k of present) out[k] = value[k];
  return out;
}

function generated(sim: SimContext, op: Operation, rngName: string): unknown {
  return sim.generator.generate(op.response, { rng: rngFor(sim.factory.seed, 'doc', rngName), now: SEED_EPOCH, serial: 0 });
}

function reply(op: Operation, json: unknown, mutated = false): SimReply {
  const status = op.method.successStatus;
  return { status, ...(json === undefined || status === 204 ? {} : { json }), routeKey: op.routeKey, mutated };
}

function hasPaging(op: Operation): boolean {
  return op.method.paginated || op.method.params.some((p) => p.in === 'query' && (p.name === 'per_page' || p.name === 'page'));
}

function chunksReply(op: Operation, jsonChunks: Buffer[]): SimReply {
  const status = op.method.successStatus;
  return { status, ...(status === 204 ? {} : { jsonChunks }), routeKey: op.routeKey, mutated: false };
}

/**
 * Lists answer with text assembled from cached row texts where the row schema allows (see list-json.ts),
 * else as envelope() builds them; both give the same bytes.
 */
const list: Handler = (sim, input) => {
  const { op, query } = input;
  const c = op.collection!;
  const bucket = sim.store.bucket(c, input.values.slice(0, c.paramCount));
  const { filters } = rowFilters(op, c, query);
  let rows = filters.length ? bucket.items.filter((item) => filters.every((f) => f(item))) : bucket.items;
  const total = rows.length;
  const paging = hasPaging(op) ? parsePage(query) : undefined;
  if (paging) rows = slicePage(rows, paging);
  const schema = op.response;
  if (c.listKey === '' || c.listKey === undefined) {
    const bytes = schema ? rowsJson(sim.store.rowTexts, schema, undefined, rows, regenerator(sim, envelopeCtx(sim, op))) : undefined;
    return bytes === undefined ? reply(op, envelope(sim, op, '', rows)) : chunksReply(op, [bytes]);
  }
  const props = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  let body: Record<string, unknown>;
  let rowBytes: Buffer | undefined;
  if (schema) {
    // envelope(), with the rows rendered from cached texts: the same random stream in the same order.
    const ctx = envelopeCtx(sim, op);
    const regen = regenerator(sim, ctx);
    body = sim.generator.generateRequired(schema, ctx, 'response', new Set([c.listKey, 'links', 'meta']));
    rowBytes = rowsJson(sim.store.rowTexts, props[c.listKey], c.listKey, rows, regen);
    // A placeholder keeps the key's place in the body's key order.
    body[c.listKey] = rowBytes === undefined ? repair(rows, props[c.listKey], regen, c.listKey) : null;
  } else body = envelope(sim, op, c.listKey, rows) as Record<string, unknown>;
  if (props.links) {
    const pages = paging ? pageLinks(input.baseUrl, input.path, query, paging, total) : {};
    body.links = Object.keys(pages).length ? { pages } : {};
  }
  if (props.meta) {
    const meta = sim.generator.generateRequired(props.meta, envelopeCtx(sim, op), 'response', new Set(['total']));
    body.meta = { ...meta, total };
  }
  // Some lists count at the top (`{total, vector_dbs}`) instead of in meta.
  if (props.total?.type === 'integer' || props.total?.type === 'number') body.total = total;
  return rowBytes === undefined ? reply(op, body) : chunksReply(op, objectJsonWith(body, c.listKey, rowBytes));
};

function findItem(sim: SimContext, input: HandlerInput): { item: Item; parentValues: string[]; key: string } | undefined {
  const c = input.op.collection!;
  const parentValues = input.values.slice(0, c.paramCount);
  const key = input.values[c.paramCount];
  const item = sim.store.find(c, parentValues, key);
  return item ? { item, parentValues, key } : undefined;
}

const get: Handler = (sim, input) => {
  const found = findItem(sim, input);
  if (!found) return errorReply(input.op.routeKey, ERRORS.notFound);
  const key = keyOf(input.op.method.objectKey);
  return reply(input.op, key === undefined ? undefined : envelope(sim, input.op, key, found.item));
};

/**
 * One body per item to create: `names: [a, b]` or a list under the collection's key make several.
 * `assign` marks the second form: adding what is already there (a project's resources) is not a conflict.
 */
function createBodies(input: HandlerInput): { bodies: Record<string, unknown>[]; plural: boolean; assign?: boolean } {
  const c = input.op.collection!;
  const props = (c.itemSchema.properties ?? {}) as Record<string, JsonSchema>;
  const body = input.body;
  if (c.listKey && Array.isArray(body[c.listKey]) && !props[c.listKey]) {
    const field = c.idField ?? ['urn', 'id', 'name', 'slug'].find((f) => props[f]) ?? 'value';
    return { bodies: (body[c.listKey] as unknown[]).map((e) => (isPlainObject(e) ? e : { [field]: e })), plural: true, assign: true };
  }
  for (const [k, v] of Object.entries(body)) {
    const one = singularWord(k);
    if (one !== k && Array.isArray(v) && v.length > 0 && props[one] && !props[k] && v.every((e) => e === null || typeof e !== 'object')) {
      const rest = { ...body };
      delete rest[k];
      return { bodies: v.map((e) => ({ ...rest, [one]: e })), plural: true };
    }
  }
  return { bodies: [body], plural: false };
}

const create: Handler = (sim, input) => {
  const { op } = input;
  const c = op.collection!;
  const parentValues = input.values.slice(0, c.paramCount);
  const bucket = sim.store.bucket(c, parentValues);
  const { bodies, plural, assign } = createBodies(input);
  if (bodies.length > MAX_BATCH) return unprocessable(op.routeKey, `at most ${MAX_BATCH} items can be created in one request`);
  const made: Item[] = [];
  const existing: Item[] = [];
  const ids = new Set<string>();
  for (const b of bodies) {
    const { item, conflict } = sim.factory.createItem(c, bucket, b, input.now);
    const already = conflict && assign && c.idField ? bucket.index.get(String(b[c.idField])) : undefined;
    if (already) existing.push(already);
    else if (conflict) return unprocessable(op.routeKey, conflict);
    else {
      const id = c.idField ? String(item[c.idField]) : undefined;
      if (id !== undefined && ids.has(id)) return unprocessable(op.routeKey, `${c.idField} ${id} is given twice`);
      if (id !== undefined) ids.add(id);
      made.push(item);
    }
  }
  const props = (op.response?.properties ?? {}) as Record<string, JsonSchema>;
  const withActions = Boolean(props.links?.properties?.actions || props.action);
  const actions: Item[] = [];
  for (const item of made) {
    const key = sim.store.insert(c, parentValues, item);
    startLifecycle(sim, c, [{ shape: c.shape, parentKey: parentKeyOf(parentValues), key }], item, input.now);
    if (withActions) {
      const action = recordAction(sim, 'create', input.now, { c, parentValues, key, item });
      if (action) actions.push(action);
    }
  }
  made.push(...existing);
  let key = keyOf(op.method.objectKey);
  if (key === undefined) return reply(op, undefined, true);
  let asList = op.method.returnsList;
  if (asList && made.length === 1 && !plural) {
    // `{droplet}` for one, `{droplets}` for several, when the response documents both.
    const single = Object.keys(props).find((k) => k !== key && !ENVELOPE_KEYS.has(k) && props[k].type === 'object' && props[k].properties);
    if (single) {
      key = single;
      asList = false;
    }
  }
  const atKey = (key === '' ? op.response : op.response?.properties?.[key]) as JsonSchema | undefined;
  const scalarItems = asList && atKey?.items && !atKey.items.properties && atKey.items.type !== 'object';
  // A create that answers with the new ids (`{evaluation_run_uuids: [...]}`) gets ids, not rows.
  const payload = scalarItems ? made.map((item) => (c.idField ? item[c.idField] : undefined)) : asList ? made : made[0];
  const body = envelope(sim, op, key, payload, ['links', 'action']);
  if (isPlainObject(body) && key !== '') {
    const href = (a: Item): string => `${input.baseUrl}${sim.model.actions?.path ?? '/v2/actions'}/${String(a.id)}`;
    if (props.links?.properties?.actions) body.links = { actions: actions.map((a) => ({ id: a.id, rel: 'create', href: href(a) })) };
    if (props.action && actions[0]) body.action = actions[0];
  }
  return reply(op, body, true);
};

const update: Handler = (sim, input) => {
  const found = findItem(sim, input);
  if (!found) return errorReply(input.op.routeKey, ERRORS.notFound);
  const c = input.op.collection!;
  sim.factory.merge(c, found.item, input.body, c.idField);
  const key = keyOf(input.op.method.objectKey);
  return reply(input.op, key === undefined ? undefined : envelope(sim, input.op, key, found.item), true);
};

const remove: Handler = (sim, input) => {
  const found = findItem(sim, input);
  if (!found) return errorReply(input.op.routeKey, ERRORS.notFound);
  const c = input.op.collection!;
  sim.store.remove(c, found.parentValues, found.key);
  const key = keyOf(input.op.method.objectKey);
  return reply(input.op, key === undefined || !input.op.response ? undefined : envelope(sim, input.op, key, found.item), true);
};

const deleteWhere: Handler = (sim, input) => {
  const { op } = input;
  const c = op.collection!;
  const { filters } = rowFilters(op, c, input.query);
  if (filters.length === 0) {
    const names = filterParamNames(op, c);
    // Deleting a whole collection by accident is what DigitalOcean's required filters prevent.
    if (names.length) return unprocessable(op.routeKey, `${names.join(' or ')} is required`);
    // A DELETE on a list path that has no filters is not a bulk delete: answered as documented.
    return reply(op, op.response ? generated(sim, op, input.path) : undefined, false);
  }
  const parentValues = input.values.slice(0, c.paramCount);
  const bucket = sim.store.bucket(c, parentValues);
  const doomed = bucket.keys.filter((_, i) => filters.every((f) => f(bucket.items[i])));
  for (const key of doomed) sim.store.remove(c, parentValues, key);
  return reply(op, input.op.response ? generated(sim, op, input.path) : undefined, true);
};

const replaceList: Handler = (sim, input) => {
  const { op } = input;
  const c = op.collection!;
  const parentValues = input.values.slice(0, c.paramCount);
  const elements = input.body[c.listKey as string];
  if (!Array.isArray(elements)) return unprocessable(op.routeKey, `${c.listKey} is required`);
  const scratch = { items: [], keys: [], index: new Map() };
  const items = elements.map((e) => sim.factory.createItem(c, scratch, isPlainObject(e) ? e : {}, input.now).item);
  sim.store.setItems(c, parentValues, items);
  return reply(op, op.response ? envelope(sim, op, keyOf(op.method.objectKey) ?? '', items) : undefined, true);
};

const action: Handler = (sim, input) => {
  const { op } = input;
  const type = typeof input.body.type === 'string' && input.body.type ? input.body.type : 'action';
  const targets: ActionTarget[] = [];
  const last = op.checks[op.checks.length - 1];
  if (last && last.valueIndex === input.values.length - 1) {
    const c = last.collection;
    const parentValues = input.values.slice(0, c.paramCount);
    const key = input.values[last.valueIndex];
    const item = sim.store.find(c, parentValues, key);
    if (item) targets.push({ c, parentValues, key, item });
  } else if (input.values.length === 0) {
    // `POST /v2/droplets/actions?tag_name=x` acts on every tagged droplet.
    const siblings = sim.model.collections.get(op.shape.slice(0, -'/actions'.length));
    const tag = input.query.get('tag_name');
    if (siblings && tag !== null) {
      const bucket = sim.store.bucket(siblings, []);
      bucket.items.forEach((item, i) => {
        const tags = item.tags;
        if (targets.length < MAX_BATCH && Array.isArray(tags) && tags.includes(tag)) targets.push({ c: siblings, parentValues: [], key: bucket.keys[i], item });
      });
    }
  }
  const shape = schemaAtKey(op.response, op.method.objectKey, op.method.returnsList);
  const made = (targets.length ? targets : [undefined])
    .map((t) => recordAction(sim, type, input.now, t, input.body, shape))
    .filter((a): a is Item => a !== undefined);
  const key = keyOf(op.method.objectKey);
  if (key === undefined) return reply(op, undefined, true);
  const payload = op.method.returnsList ? made : (made[0] ?? generated(sim, op, input.path));
  return reply(op, envelope(sim, op, key, payload), true);
};

function isJson(op: Operation): boolean {
  return op.method.responseContentType === undefined || op.method.responseContentType.includes('json');
}

/** The GET operation of the same path, whose document a PUT/PATCH singleton changes. */
function getOpOf(sim: SimContext, op: Operation): Operation | undefined {
  return sim.model.operations.find((o) => o.shape === op.shape && o.httpMethod === 'GET');
}

function singletonDoc(sim: SimContext, getOp: Operation, path: string): unknown {
  let doc = sim.store.singletons.get(path);
  if (doc === undefined) {
    doc = generated(sim, getOp, path);
    sim.store.singletons.set(path, doc);
  }
  return doc;
}

const generic: Handler = (sim, input) => {
  const { op } = input;
  const subject = input.values[input.values.length - 1] ?? '';
  if (op.method.responseContentType && !isJson(op)) {
    return { status: op.method.successStatus, raw: rawBody(op.method.responseContentType, subject, rngFor(sim.factory.seed, 'raw', input.path)), routeKey: op.routeKey };
  }
  if (op.httpMethod === 'GET' || op.httpMethod === 'HEAD') {
    if (!op.response) return reply(op, undefined);
    return reply(op, op.singleton ? singletonDoc(sim, op, input.path) : generated(sim, op, input.path));
  }
  let mutated = true;
  if (op.httpMethod === 'PUT' || op.httpMethod === 'PATCH') {
    const getOp = op.singleton ? getOpOf(sim, op) : undefined;
    if (getOp?.response) {
      // A document read at this path (config, eviction policy…) takes the written fields it has.
      const doc = singletonDoc(sim, getOp, input.path);
      if (isPlainObject(doc)) mergeDoc(sim, getOp, doc, input.body);
      if (op.response && sameSchema(op.response, getOp.response)) return reply(op, doc, true);
    }
    // `PUT /v2/databases/{id}/resize {size, num_nodes}` changes the cluster's own fields.
    const last = op.checks[op.checks.length - 1];
    if (last && last.valueIndex === input.values.length - 1) {
      const c = last.collection;
      const item = sim.store.find(c, input.values.slice(0, c.paramCount), input.values[last.valueIndex]);
      if (item) sim.factory.merge(c, item, input.body, c.idField);
    }
  } else mutated = op.httpMethod !== 'GET';
  if (!op.response) return reply(op, undefined, mutated);
  const ctx: GenContext = { rng: sim.factory.runtimeRng, now: input.now, serial: 0 };
  return reply(op, sim.generator.generate(op.response, ctx), mutated);
};

const schemaText = new WeakMap<JsonSchema, string>();
/** Schema equality, with each schema's canonical text computed once. */
function sameSchema(a: JsonSchema, b: JsonSchema): boolean {
  const text = (s: JsonSchema): string => {
    let t = schemaText.get(s);
    if (t === undefined) schemaText.set(s, (t = stableStringify(s)));
    return t;
  };
  return a === b || text(a) === text(b);
}

function mergeDoc(sim: SimContext, getOp: Operation, doc: Record<string, unknown>, body: Record<string, unknown>): void {
  const validate = sim.validators.get(`doc:${getOp.shape}`, getOp.response as JsonSchema, 'response');
  const before = structuredClone(doc);
  const mergeInto = (target: Record<string, unknown>, patch: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(patch)) {
      if (isPlainObject(target[k]) && isPlainObject(v)) mergeInto(target[k] as Record<string, unknown>, v);
      else if (k in target) target[k] = structuredClone(v);
    }
  };
  // Bodies often wrap the document's key (`{config: {...}}`) or are the inner object itself.
  mergeInto(doc, body);
  const keys = Object.keys(doc);
  if (keys.length === 1 && isPlainObject(doc[keys[0]]) && !(keys[0] in body)) mergeInto(doc[keys[0]] as Record<string, unknown>, body);
  for (let round = 0; round < 4 && !passes(validate, doc); round++) {
    const bad = new Set((validate.errors ?? []).map(topLevelField).filter((f): f is string => f !== undefined));
    if (bad.size === 0) break;
    for (const f of bad) doc[f] = structuredClone(before[f]);
  }
}

export const HANDLERS: Record<OperationKind, Handler> = {
  list,
  get,
  create,
  update,
  delete: remove,
  'replace-list': replaceList,
  'delete-where': deleteWhere,
  action,
  generic,
};
