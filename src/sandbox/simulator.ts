// The simulator without HTTP: routes a request to its operation, enforces required query parameters,
// parent existence and the request schema, then runs the operation kind's handler against the store.
import type { LoadedCatalog } from '../catalog/load.js';
import { DoqlError } from '../errors.js';
import { settle } from './actions.js';
import { ERRORS, errorBody } from './api-errors.js';
import { ItemFactory } from './factory.js';
import { DataGenerator } from './generator.js';
import type { HandlerInput, SimReply } from './handlers.js';
import { errorReply, HANDLERS } from './handlers.js';
import { filtersSelecting } from './filters.js';
import type { Collection, Operation, SandboxModel } from './model.js';
import { buildModel } from './model.js';
import { normalizeTemplate } from './router.js';
import type { SimContext } from './sim-context.js';
import { Store } from './store.js';
import type { StoreSnapshot } from './store.js';
import { describeErrors, Validators } from './validation.js';
import type { Vocabulary } from './vocabulary.js';
import { buildVocabulary } from './vocabulary.js';

export interface SimRequest {
  /** Upper case. */
  method: string;
  /** The request path, without the query string (still percent-encoded). */
  path: string;
  query: URLSearchParams;
  rawBody: Buffer;
  contentType?: string;
  /** `http://127.0.0.1:8080`: absolute links are built on it. */
  baseUrl: string;
  now: number;
}

export interface SimulatorOptions {
  seed: number;
  count?: Record<string, number>;
  actionDelayMs: number;
  actionErrorRate?: number;
  /** Added to seeded top-level integer ids: a second account's droplets do not share the first one's ids. */
  idOffset?: number;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Model and vocabulary depend only on the catalog: built once per loaded catalog. */
const compiled = new WeakMap<LoadedCatalog, { model: SandboxModel; vocabulary: Vocabulary }>();

function compile(loaded: LoadedCatalog): { model: SandboxModel; vocabulary: Vocabulary } {
  let c = compiled.get(loaded);
  if (!c) {
    c = { model: buildModel(loaded), vocabulary: buildVocabulary(loaded.schemas()) };
    compiled.set(loaded, c);
  }
  return c;
}

/** `count` keys: `<service>.<resource>` (with or without `digitalocean.`) or a list path. */
export function resolveCounts(model: SandboxModel, count: Record<string, number> = {}): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, n] of Object.entries(count)) {
    if (!Number.isInteger(n) || n < 0) throw new DoqlError('usage', `sandbox count for ${key} must be a whole number ≥ 0 (got ${String(n)})`);
    let targets: Collection[] | undefined;
    if (key.startsWith('/')) {
      const c = model.collections.get(normalizeTemplate(key));
      targets = c ? [c] : undefined;
    } else targets = model.resources.get(key);
    if (!targets?.length) {
      throw new DoqlError('usage', `sandbox count: no list collection for "${key}"`, {
        hint: 'name a resource as <service>.<resource> (e.g. compute.droplets) or a list path (e.g. /v2/droplets)',
      });
    }
    for (const c of targets) out.set(c.shape, n);
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export class Simulator {
  readonly ctx: SimContext;
  private readonly counts: Map<string, number>;

  constructor(loaded: LoadedCatalog, options: SimulatorOptions) {
    const { model, vocabulary } = compile(loaded);
    this.counts = resolveCounts(model, options.count);
    const store = new Store(model);
    const generator = new DataGenerator({ vocabulary });
    const validators = new Validators();
    const factory = new ItemFactory(model, generator, vocabulary, store, validators, options.seed, this.counts, options.idOffset ?? 0);
    store.seeder = (c, values) => factory.seedItems(c, values);
    this.ctx = { model, store, factory, generator, validators, actionDelayMs: options.actionDelayMs, actionErrorRate: options.actionErrorRate ?? 0 };
  }

  get model(): SandboxModel {
    return this.ctx.model;
  }

  get seed(): number {
    return this.ctx.factory.seed;
  }

  /** State back to what the seed gives. */
  reset(seed: number = this.seed): void {
    this.ctx.store.clear();
    this.ctx.factory.reseed(seed);
    this.ctx.factory.seedTopLevel();
  }

  snapshot(): StoreSnapshot {
    return this.ctx.store.toJSON();
  }

  restore(seed: number, snapshot: StoreSnapshot): void {
    this.ctx.store.load(snapshot);
    // A new process continues the story: its random stream must not replay the previous process's
    // (which would mint the same uuids again).
    this.ctx.store.generation++;
    this.ctx.factory.reseed(seed, this.ctx.store.generation);
  }

  handle(req: SimRequest): SimReply {
    settle(this.ctx, req.now);
    const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
    const matches = this.model.router.match(path);
    if (matches.length === 0) return errorReply(`${req.method} (unmatched)`, ERRORS.notFound);
    const wanted = req.method === 'HEAD' ? ['HEAD', 'GET'] : [req.method];
    let op: Operation | undefined;
    let values: string[] = [];
    for (const m of matches) {
      op = wanted.map((w) => m.routes.get(w)).find((o) => o !== undefined);
      if (op) {
        values = m.values;
        break;
      }
    }
    if (!op) {
      const first = [...matches[0].routes.values()][0];
      const r = errorReply(`${req.method} ${first.template}`, ERRORS.methodNotAllowed);
      return { ...r, headers: { allow: [...matches[0].routes.keys()].join(', ') } };
    }
    const missing = op.method.params.filter((p) => p.in === 'query' && p.required && !req.query.has(p.name)).map((p) => p.name);
    if (missing.length) {
      return { status: 400, json: errorBody('bad_request', `missing required query parameter ${missing.join(', ')}`), routeKey: op.routeKey };
    }
    for (const check of op.checks) {
      const c = check.collection;
      const parentValues = values.slice(0, c.paramCount);
      const item = this.ctx.store.find(c, parentValues, values[check.valueIndex]);
      if (!item) return errorReply(op.routeKey, ERRORS.notFound);
      // An item named by a secondary id (an image by slug) is keyed by its id from here on.
      values[check.valueIndex] = this.ctx.store.keyOfStored(c, parentValues, item) ?? values[check.valueIndex];
    }
    let body: unknown;
    if (BODY_METHODS.has(req.method)) {
      const text = req.rawBody.toString('utf8');
      const looksJson = op.method.body !== undefined || (req.contentType ?? '').includes('json');
      if (looksJson && text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch (err) {
          return { status: 400, json: errorBody('bad_request', `Unable to parse request body: ${(err as Error).message}`), routeKey: op.routeKey };
        }
      }
      if (op.request && (body !== undefined || op.method.body?.required)) {
        const validate = this.ctx.validators.get(op.method.operationId, op.request, 'request');
        if (!validate(body ?? {})) return { status: 422, json: errorBody('unprocessable_entity', describeErrors(validate.errors)), routeKey: op.routeKey };
      }
    }
    const input: HandlerInput = {
      op,
      values,
      query: req.query,
      body: isPlainObject(body) ? body : {},
      baseUrl: req.baseUrl,
      now: req.now,
      path: fillTemplate(op.template, values),
    };
    return HANDLERS[op.kind](this.ctx, input);
  }

  /** Ids of the items of a collection (list path, concrete path, or `<service>.<resource>`). */
  ids(collection: string, parentValues?: string[]): string[] {
    const found = this.resolveCollection(collection);
    if (!found) throw new DoqlError('usage', `sandbox: no collection "${collection}"`, { hint: 'use a list path like /v2/droplets or <service>.<resource>' });
    const { c } = found;
    let values = parentValues ?? found.values;
    if (values.length < c.paramCount) {
      const parents = this.firstParentValues(c);
      if (!parents) return [];
      values = parents;
    }
    // Children of a parent that does not exist have no ids (and must not be seeded into being).
    for (const check of (c.listOp ?? c.createOp)?.checks ?? []) {
      const owner = check.collection;
      if (!this.ctx.store.find(owner, values.slice(0, owner.paramCount), values[check.valueIndex])) return [];
    }
    return [...this.ctx.store.bucket(c, values).keys];
  }

  /**
   * A concrete request for a path template, with path parameters naming items that exist and
   * required query parameters filled: what a conformance walk needs. Undefined when a parent is empty.
   */
  sample(template: string, method = 'GET'): { path: string; query: Record<string, string> } | undefined {
    const shape = normalizeTemplate(template);
    const op = this.model.operations.find((o) => o.shape === shape && o.httpMethod === method.toUpperCase()) ?? this.model.operations.find((o) => o.shape === shape);
    if (!op) return undefined;
    const values = this.sampleValues(op, op.pathParams.length);
    if (!values) return undefined;
    const query: Record<string, string> = {};
    for (const p of op.method.params) {
      if (p.in !== 'query' || !p.required) continue;
      query[p.name] =
        p.enum?.[0] !== undefined ? String(p.enum[0]) : p.default !== undefined ? String(p.default) : p.schemaType === 'integer' || p.schemaType === 'number' ? '1' : p.schemaType === 'boolean' ? 'true' : 'sample';
    }
    if (op.kind === 'delete-where' && op.collection) {
      // A bulk delete needs its filters: name the first item.
      const first = this.ctx.store.bucket(op.collection, values).items[0];
      if (first) Object.assign(query, filtersSelecting(op, op.collection, first));
    }
    return { path: fillTemplate(op.template, values), query };
  }

  /** Values for the first `count` path parameters of an operation: ids of existing items where the path names items. */
  private sampleValues(op: Operation, count: number): string[] | undefined {
    const values: string[] = [];
    for (let i = 0; i < count; i++) {
      const check = op.checks.find((k) => k.valueIndex === i);
      if (check) {
        const keys = this.ctx.store.bucket(check.collection, values.slice(0, check.collection.paramCount)).keys;
        if (keys.length === 0) return undefined;
        values.push(keys[0]);
      } else {
        // A parameter no stored collection owns (a registry name, a component name): any value is served.
        const p = op.method.params.find((x) => x.in === 'path' && x.name === op.pathParams[i]);
        values.push(p?.enum?.[0] !== undefined ? String(p.enum[0]) : p?.schemaType === 'integer' || p?.schemaType === 'number' ? '1' : `sample-${op.pathParams[i]}`);
      }
    }
    return values;
  }

  private resolveCollection(name: string): { c: Collection; values: string[] } | undefined {
    if (!name.startsWith('/')) {
      const c = this.model.resources.get(name)?.[0];
      return c ? { c, values: [] } : undefined;
    }
    const byShape = this.model.collections.get(normalizeTemplate(name));
    if (byShape && name.includes('{')) return { c: byShape, values: [] };
    for (const m of this.model.router.match(name)) {
      const op = m.routes.get('GET');
      if (op?.kind === 'list' && op.collection) return { c: op.collection, values: m.values };
    }
    return byShape ? { c: byShape, values: [] } : undefined;
  }

  /** Parent values naming the first existing chain of parents (seeding them on the way). */
  private firstParentValues(c: Collection): string[] | undefined {
    const op = c.listOp ?? c.createOp;
    return op ? this.sampleValues(op, c.paramCount) : undefined;
  }

  /** `GET /v2/droplets/{droplet_id}` for a request, without serving it (for counting refused requests). */
  routeKey(method: string, path: string): string {
    const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
    const matches = this.model.router.match(trimmed);
    if (matches.length === 0) return `${method} (unmatched)`;
    for (const m of matches) {
      const op = m.routes.get(method) ?? (method === 'HEAD' ? m.routes.get('GET') : undefined);
      if (op) return op.routeKey;
    }
    return `${method} ${[...matches[0].routes.values()][0].template}`;
  }
}

export function fillTemplate(template: string, values: readonly string[]): string {
  let i = 0;
  return template.replace(/\{[^}]+\}/g, () => encodeURIComponent(values[i++] ?? ''));
}
