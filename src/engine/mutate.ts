// INSERT, UPDATE, REPLACE, DELETE and EXEC: plan the requests from the catalog, validate them all,
// confirm changes to several rows, send (or print, for --dry-run), and wait for actions when asked.
import { assertServedHere } from './served-here.js';
import { DoqlError } from '../errors.js';
import type { Column, JsonSchema, Method, Resource, SchemaBundle } from '../catalog/types.js';
import type { BodySchemas } from './body-validation.js';
import { parseMutation, type Mutation, type WhereClause } from '../sql/mutation-parser.js';
import type { Statement } from '../sql/statement.js';
import { actionRefs, awaitActions, awaitStatus, isTransitional } from './await-actions.js';
import type { DoqlSession } from './session.js';
import { buildRequest, type PlannedRequest } from './request-builder.js';
import { noMethodError } from './no-method.js';
import { extractItems, toRow } from './rows.js';
import { envelopeOf, fillPath } from './fetcher.js';
import { columnsOf } from '../catalog/compile.js';
import { chooseWriteAccount } from './write-account.js';
import type { CellValue, ExecuteOptions, StatementResult } from './types.js';

type SqlValue = string | number | bigint | boolean | null;
type ActionLike = { id?: unknown };
const ID_COLUMNS = ['id', 'uuid', 'name', 'slug', 'urn', 'ip', 'fingerprint', 'key'];

function methodsOf(resource: Resource, verb: Method['verb']): Method[] {
  return resource.methods.filter((m) => m.verb === verb);
}

function pathParams(m: Method): string[] {
  return [...m.path.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]);
}

/** The column of a row that holds a path param's value: same name, or the id-like column the param names. */
export function columnForParam(resource: Resource, param: string): string | undefined {
  const cols = new Set(resource.columns.map((c) => c.name));
  if (cols.has(param)) return param;
  const suffix = param.split('_').pop() ?? '';
  const bySuffix: Record<string, string[]> = { id: ['id', 'uuid'], uuid: ['uuid', 'id'], name: ['name', 'slug'], identifier: ['id', 'fingerprint'], ip: ['ip'], slug: ['slug'], urn: ['urn'] };
  for (const c of bySuffix[suffix] ?? []) if (cols.has(c)) return c;
  return ID_COLUMNS.find((c) => cols.has(c));
}

function chooseBySupplied(methods: Method[], supplied: Set<string>): Method | undefined {
  return methods
    .filter((m) => m.requiredParams.every((p) => supplied.has(p)))
    .sort((a, b) => b.requiredParams.length - a.requiredParams.length)[0];
}

/** A SET value written as a plain literal (`'web-2'`, `42`), for the example in an error; undefined otherwise. */
function literalOf(expr: string): string | number | undefined {
  const quoted = /^\s*'((?:[^']|'')*)'\s*$/.exec(expr);
  if (quoted) return quoted[1].replace(/''/g, "'");
  return /^\s*-?\d+(\.\d+)?\s*$/.test(expr) ? Number(expr) : undefined;
}

/**
 * The spec's example of a body field of `method` typed as a plain string, when the example is a word-like
 * value (a slug, id, name or address: `s-1vcpu-1gb`), not free text or JSON (a Kafka schema, user data).
 * Such a field refuses a JSON object or array. The schemas load only when this is asked.
 */
function stringExampleOf(session: DoqlSession, method: Method): (field: string) => string | undefined {
  return (field) => {
    let request: JsonSchema | undefined;
    try {
      request = session.catalog.schemas().operations[method.operationId]?.request;
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
function bodySchemasOf(session: DoqlSession, method: Method): BodySchemas | undefined {
  if (!method.body) return undefined;
  let bundle: SchemaBundle;
  try {
    bundle = session.catalog.schemas();
  } catch {
    return undefined;
  }
  const op = bundle.operations[method.operationId];
  if (!op?.request) return undefined;
  const variants = method.body.variants && op.requestVariants ? { meta: method.body.variants, schemas: op.requestVariants } : undefined;
  return { owner: bundle, operationId: method.operationId, request: op.request, ...(op.requestStrict ? { strict: op.requestStrict } : {}), ...(variants ? { variants } : {}) };
}

/** What buildRequest needs from the catalog besides the method. */
function requestOptions(session: DoqlSession, method: Method): { schemas?: BodySchemas; stringExample: (field: string) => string | undefined } {
  const schemas = bodySchemasOf(session, method);
  return { ...(schemas ? { schemas } : {}), stringExample: stringExampleOf(session, method) };
}

interface Planned {
  resource: Resource;
  method: Method;
  requests: PlannedRequest[];
  /** Reads were needed to find the rows (predicate mode). */
  selected: boolean;
  /** DELETE … RETURNING: the rows as they were before, since a delete answers with no body. */
  deleted?: StatementResult;
}

function sqlText(v: unknown): SqlValue {
  if (v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v === null) return v;
  return JSON.stringify(v);
}

async function planInsert(session: DoqlSession, m: Extract<Mutation, { verb: 'insert' }>, options: ExecuteOptions): Promise<Planned> {
  const resource = session.resource(m.resource);
  const inserts = methodsOf(resource, 'insert');
  if (!inserts.length) throw noMethodError(session.catalog.catalog, resource, 'insert');
  const source = await session.select(m.source, options);
  if (source.columns.length !== m.columns.length) {
    throw new DoqlError('validation', `INSERT names ${m.columns.length} column${m.columns.length === 1 ? '' : 's'} but its ${m.source.trimStart().slice(0, 6).toUpperCase()} gives ${source.columns.length} value${source.columns.length === 1 ? '' : 's'} per row`, { sqlState: '42601' });
  }
  const supplied = new Set(m.columns.filter((c) => !c.startsWith('data__')));
  const method = chooseBySupplied(inserts, supplied) ?? inserts[0];
  const requests = source.rows.map((row) => {
    const values: Record<string, SqlValue> = {};
    m.columns.forEach((c, i) => {
      values[c] = row[i] as SqlValue;
    });
    return buildRequest(resource.id, method, values, requestOptions(session, method));
  });
  return { resource, method, requests, selected: false };
}

/**
 * The SET values when they are constants (`SET data__name = 'x'`); undefined when they read the row being
 * changed (`SET data__name = name || '-old'`), which is then selected and each row gets its own values.
 */
async function evalSet(session: DoqlSession, set: { column: string; expr: string }[], options: ExecuteOptions): Promise<Record<string, SqlValue> | undefined> {
  if (!set.length) return {};
  let r: StatementResult;
  try {
    r = await session.select(`SELECT ${set.map((s) => s.expr).join(', ')}`, options);
  } catch (err) {
    if (err instanceof DoqlError && err.sqlState === '42703') return undefined;
    throw err;
  }
  const values: Record<string, SqlValue> = {};
  set.forEach((s, i) => {
    values[s.column] = (r.rows[0]?.[i] ?? null) as SqlValue;
  });
  return values;
}

async function planChange(
  session: DoqlSession,
  m: Extract<Mutation, { verb: 'update' | 'replace' | 'delete' }>,
  options: ExecuteOptions,
): Promise<Planned> {
  const resource = session.resource(m.resource);
  const candidates = methodsOf(resource, m.verb);
  if (!candidates.length) {
    const set = m.verb === 'delete' ? [] : m.set.map((x) => ({ column: x.column, value: literalOf(x.expr) }));
    const where = new Map((m.where?.equalities ?? []).filter((e) => e.values.length === 1).map((e) => [e.column, e.values[0]]));
    throw noMethodError(session.catalog.catalog, resource, m.verb, { set, where });
  }
  const constants = m.verb === 'delete' ? {} : await evalSet(session, m.set, options);
  const perRow = constants === undefined ? (m as Extract<Mutation, { verb: 'update' | 'replace' }>).set : [];
  const setValues: Record<string, SqlValue> = constants ?? {};
  let where: WhereClause = m.where ?? { text: '', equalities: [], conjuncts: [], allEqualities: true };
  // StackQL lets required body fields stand in the WHERE (`AND data__mode = 'x'`): they join the body (SET wins).
  const bodyConds = where.conjuncts.filter((c) => c.column?.startsWith('data__'));
  if (bodyConds.length) {
    for (const e of where.equalities) if (e.column.startsWith('data__') && setValues[e.column] === undefined) setValues[e.column] = e.values[0] ?? null;
    const rest = where.conjuncts.filter((c) => !c.column?.startsWith('data__'));
    where = {
      ...where,
      text: rest.map((c) => `(${c.text})`).join(' AND '),
      conjuncts: rest,
      equalities: where.equalities.filter((e) => !e.column.startsWith('data__')),
    };
  }
  const eq = new Map(where.equalities.filter((e) => e.values.length === 1).map((e) => [e.column, e.values[0]]));

  if (m.verb === 'delete' && !m.where) {
    throw new DoqlError('validation', `DELETE FROM ${resource.id} needs a WHERE saying what to delete (e.g. WHERE ${candidates[0].requiredParams.map((p) => `${p} = '…'`).join(' AND ') || "id = '…'"}); nothing was sent`, { sqlState: '42601' });
  }
  // Direct: the WHERE is only equalities on the params of one method (and SET needs no row to compute).
  if (where.allEqualities && !perRow.length) {
    const direct = chooseBySupplied(candidates, new Set(eq.keys()));
    if (direct && [...eq.keys()].every((k) => direct.params.some((p) => p.name === k))) {
      const values: Record<string, SqlValue> = { ...setValues };
      for (const [k, v] of eq) values[k] = v;
      const request = buildRequest(resource.id, direct, values, requestOptions(session, direct));
      const readable = resource.methods.some((x) => x.verb === 'select');
      const deleted = m.verb === 'delete' && m.returning && readable && where.text ? await session.select(`SELECT * FROM "${resource.id}" WHERE ${where.text}`, options) : undefined;
      return { resource, method: direct, requests: [request], selected: false, ...(deleted ? { deleted } : {}) };
    }
  }
  if (!m.where || !where.text) {
    const need = candidates[0].requiredParams;
    throw new DoqlError('validation', `${m.verb.toUpperCase()} on ${resource.id} needs a WHERE (e.g. WHERE ${need.map((p) => `${p} = '…'`).join(' AND ') || "id = '…'"})`, { sqlState: '42601' });
  }
  // By predicate: find the rows through the select methods, then one request per row.
  const method = [...candidates].sort((a, b) => pathParams(b).length - pathParams(a).length)[0];
  const params = pathParams(method);
  const itemParam = params[params.length - 1];
  const itemColumn = itemParam ? columnForParam(resource, itemParam) : undefined;
  if (!itemParam || !itemColumn) {
    throw new DoqlError('validation', `cannot ${m.verb.toUpperCase()} ${resource.id} by this WHERE: give ${candidates[0].requiredParams.join(', ')} with =`, { sqlState: '42601' });
  }
  const computed = perRow.map((s, i) => `, (${s.expr}) AS "__doql_set_${i}"`).join('');
  let rows: StatementResult;
  try {
    rows = await session.select(`SELECT *${computed} FROM "${resource.id}" WHERE ${where.text}`, options);
  } catch (err) {
    if (perRow.length && err instanceof DoqlError && err.sqlState === '42703') {
      throw new DoqlError(err.code, `SET: ${err.message.replace(/^SQL: /, '')} (a SET value may use constants and ${resource.id}'s columns)`, { sqlState: err.sqlState, cause: err });
    }
    throw err;
  }
  const colIndex = rows.columns.findIndex((c) => c.name === itemColumn);
  const first = rows.columns.length - perRow.length;
  const requests = rows.rows.map((row) => {
    const values: Record<string, SqlValue> = { ...setValues };
    perRow.forEach((s, i) => {
      values[s.column] = (row[first + i] ?? null) as SqlValue;
    });
    for (const p of params) {
      if (eq.has(p)) values[p] = eq.get(p)!;
    }
    values[itemParam] = sqlText(row[colIndex]);
    for (const p of method.params) {
      if (p.in === 'query' && eq.has(p.name) && values[p.name] === undefined) values[p.name] = eq.get(p.name)!;
    }
    return buildRequest(resource.id, method, values, requestOptions(session, method));
  });
  return { resource, method, requests, selected: true, ...(m.verb === 'delete' && m.returning ? { deleted: rows } : {}) };
}

function planExec(session: DoqlSession, m: Extract<Mutation, { verb: 'exec' }>): Planned {
  const parts = m.method.split('.');
  const resource = session.resource(parts.slice(0, 3).join('.'));
  const name = parts.slice(3).join('.');
  const method = resource.methods.find((x) => x.name === name);
  if (!method) {
    throw new DoqlError('not_found', `${resource.id} has no method ${name}; its methods: ${resource.methods.map((x) => x.name).join(', ')}`, { sqlState: '42883' });
  }
  return { resource, method, requests: [buildRequest(resource.id, method, m.args, { json: m.json, ...requestOptions(session, method) })], selected: false };
}

function queryText(r: PlannedRequest): string {
  const qs = new URLSearchParams(Object.entries(r.query).map(([k, v]) => [k, String(v)])).toString();
  return qs ? `?${qs}` : '';
}

/**
 * What a collection DELETE would remove, read through the resource's list with the same filters
 * (ids or names, for the confirmation); undefined when the list cannot take those filters.
 */
async function bulkTargets(session: DoqlSession, resource: Resource, r: PlannedRequest, options: ExecuteOptions): Promise<string[] | undefined> {
  const idCol = ID_COLUMNS.find((c) => resource.columns.some((x) => x.name === c));
  if (!idCol) return undefined;
  const literal = (v: string | number | boolean): string => (typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v));
  const where = Object.entries(r.query)
    .map(([k, v]) => `"${k.replace(/"/g, '""')}" = ${literal(v)}`)
    .join(' AND ');
  try {
    const rows = await session.select(`SELECT "${idCol}" FROM "${resource.id}" WHERE ${where}`, options);
    return rows.rows.map((row) => String(row[0]));
  } catch {
    return undefined;
  }
}

function requestUrl(session: DoqlSession, r: PlannedRequest): string {
  const qs = new URLSearchParams(Object.entries(r.query).map(([k, v]) => [k, String(v)])).toString();
  return `${session.mutation.baseUrl ?? ''}${r.path}${qs ? `?${qs}` : ''}`;
}

/**
 * The method as this response answers it. A create documented as `{droplets: […]}` answers `{droplet: {…}}`
 * when it made one (DigitalOcean does both): then the object is under the key another method of the
 * resource uses (the get method's `$.droplet`).
 */
function answering(resource: Resource, method: Method, body: unknown): Method {
  if (!method.objectKey || method.objectKey === '$' || !body || typeof body !== 'object' || Array.isArray(body)) return method;
  const b = body as Record<string, unknown>;
  if (b[method.objectKey.slice(2)] !== undefined) return method;
  for (const other of resource.methods) {
    const key = other.objectKey;
    if (!key || key === '$' || key === method.objectKey) continue;
    const v = b[key.slice(2)];
    if (v && typeof v === 'object') return { ...method, objectKey: key, returnsList: Array.isArray(v) };
  }
  return method;
}

/** `RETURNING *` or `RETURNING id, name`: columns as they are; anything else is a SELECT list over them. */
const PLAIN_RETURNING = /^\s*(\*|("[^"]+"|[A-Za-z_][A-Za-z0-9_]*)(\s*,\s*("[^"]+"|[A-Za-z_][A-Za-z0-9_]*))*)\s*$/;

/** What RETURNING can name: the resource's columns, and the response's other top-level keys (`links`) as JSON. */
function returnableColumns(session: DoqlSession, resource: Resource, method: Method, extraKeys: string[] = []): Column[] {
  const response = session.catalog.schemas().operations[method.operationId]?.response;
  const keys = [...Object.keys((response?.properties ?? {}) as Record<string, unknown>), ...extraKeys];
  const json = (name: string): Column => ({ name, sqlType: 'JSON', schemaType: 'object', description: '' });
  return [...resource.columns, ...[...new Set(keys)].filter((k) => !resource.columns.some((c) => c.name === k)).map(json)];
}

/** The value's column type, for a response field the spec does not describe. */
function columnOfValue(name: string, sample: unknown): Column {
  const sqlType: Column['sqlType'] =
    sample !== null && typeof sample === 'object' ? 'JSON' : typeof sample === 'number' ? (Number.isInteger(sample) ? 'INTEGER' : 'REAL') : typeof sample === 'boolean' ? 'BOOLEAN' : 'TEXT';
  const schemaType: Column['schemaType'] = sqlType === 'JSON' ? (Array.isArray(sample) ? 'array' : 'object') : sqlType === 'INTEGER' ? 'integer' : sqlType === 'REAL' ? 'number' : sqlType === 'BOOLEAN' ? 'boolean' : 'string';
  return { name, sqlType, schemaType, description: '' };
}

/**
 * The columns of what an EXEC answers (an action, the object it changed): the fields of the response's item in
 * the spec's order, then any field the response has that the spec does not name.
 */
function execColumns(session: DoqlSession, method: Method, items: unknown[] = []): Column[] {
  let response: JsonSchema | undefined;
  try {
    response = session.catalog.schemas().operations[method.operationId]?.response;
  } catch {
    response = undefined;
  }
  let item: JsonSchema | undefined;
  if (response && method.objectKey) {
    const at = method.objectKey === '$' ? response : (response.properties as Record<string, JsonSchema> | undefined)?.[method.objectKey.slice(2)];
    item = method.returnsList ? at?.items : at;
  }
  const columns = item?.properties ? columnsOf(item) : [];
  const objects = items.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x));
  for (const name of new Set(objects.flatMap((x) => Object.keys(x)))) {
    if (columns.some((c) => c.name === name)) continue;
    columns.push(columnOfValue(name, objects.map((x) => x[name]).find((v) => v !== undefined && v !== null)));
  }
  if (!columns.length && items.length) columns.push(columnOfValue('value', items[0]));
  return columns;
}

/** Fails before anything is sent when the RETURNING list names what the response cannot have. */
function checkReturning(session: DoqlSession, resource: Resource, method: Method, returning: string, exec: boolean): void {
  if (exec) {
    const columns = execColumns(session, method);
    if (!columns.length) return; // the spec does not say what it answers: RETURNING is checked on the answer
    session.returningRows(columns, [], returning);
    return;
  }
  const columns = returnableColumns(session, resource, method);
  if (!PLAIN_RETURNING.test(returning)) {
    session.returningRows(columns, [], returning);
    return;
  }
  if (returning.trim() === '*') return;
  const names = returning.split(',').map((s) => s.trim().replace(/^"|"$/g, ''));
  const unknown = names.filter((n) => !columns.some((c) => c.name === n));
  if (unknown.length) throw new DoqlError('validation', `RETURNING: ${resource.id} has no column ${unknown.join(', ')}`, { sqlState: '42703' });
}

function returningRows(session: DoqlSession, resource: Resource, method: Method, bodies: unknown[], returning: string): StatementResult {
  const items = bodies.flatMap((b) => {
    const answer = answering(resource, method, b);
    return extractItems(answer, b).map((item) => ({ item, env: envelopeOf(answer, b) }));
  });
  const returned = items.flatMap(({ env }) => [...Object.keys(env.envelope ?? {}), ...(env.key ? [env.key] : [])]);
  const all = returnableColumns(session, resource, method, returned);
  if (!PLAIN_RETURNING.test(returning)) return session.returningRows(all, items.map(({ item, env }) => toRow(all, item, env)), returning);
  const columns =
    returning.trim() === '*'
      ? resource.columns
      : returning.split(',').map((s) => {
          const n = s.trim().replace(/^"|"$/g, '');
          return all.find((c) => c.name === n) ?? { name: n, sqlType: 'JSON' as const, schemaType: 'object' as const, description: '' };
        });
  const rows: CellValue[][] = items.map(({ item, env }) =>
    toRow(columns, item, env).map((v, i) => (columns[i].sqlType === 'BOOLEAN' && typeof v === 'bigint' ? v !== 0n : v)),
  );
  return { kind: 'rows', columns: columns.map((c) => ({ name: c.name, type: c.sqlType })), rows, command: `SELECT ${rows.length}` };
}

export async function runMutation(session: DoqlSession, stmt: Extract<Statement, { kind: 'mutation' }>, options: ExecuteOptions): Promise<StatementResult> {
  const m = await chooseWriteAccount(session, parseMutation(stmt.text, stmt.tokens));
  const planned =
    m.verb === 'insert' ? await planInsert(session, m, options) : m.verb === 'exec' ? planExec(session, m) : await planChange(session, m, options);
  const { resource, method, requests } = planned;
  const opts = session.mutation;
  // Before the dry run too: it must not show a request doql would refuse to send.
  assertServedHere(session.api(), resource.id, method);
  if ('returning' in m && m.returning) checkReturning(session, resource, method, m.returning, m.verb === 'exec');

  // A DELETE on a collection (`DELETE /v2/droplets?tag_name=ci`) is one request that can remove many rows.
  const bulk = m.verb === 'delete' && requests.length === 1 && !method.path.endsWith('}') && Object.keys(requests[0].query).length > 0;
  if (opts.dryRun) {
    // The rows a change would touch, as its confirmation would count them (a collection DELETE reads them first).
    const wouldChange = !bulk ? requests.length : opts.countBulkInDryRun ? (await bulkTargets(session, resource, requests[0], options))?.length : undefined;
    return {
      kind: 'rows',
      columns: [
        { name: 'method', type: 'TEXT' },
        { name: 'url', type: 'TEXT' },
        { name: 'body', type: 'JSON' },
      ],
      rows: requests.map((r) => [r.method, requestUrl(session, r), r.body === undefined ? null : JSON.stringify(r.body)]),
      command: `SELECT ${requests.length}`,
      notices: [`dry run: ${requests.length} request${requests.length === 1 ? '' : 's'} not sent${planned.selected ? ' (rows were read to find them)' : ''}`],
      ...(wouldChange !== undefined ? { wouldChange } : {}),
    };
  }
  if (requests.length === 0) {
    return { kind: 'command', columns: [], rows: [], command: `${m.verb.toUpperCase()} 0`, notices: [`no rows matched: nothing sent`] };
  }
  // Read even with --yes: the statement reports how many rows it removed, and sends nothing when none match.
  const affected = bulk ? await bulkTargets(session, resource, requests[0], options) : undefined;
  if (affected?.length === 0) {
    return { kind: 'command', columns: [], rows: [], command: `${m.verb.toUpperCase()} 0`, notices: [`no rows matched: nothing sent`] };
  }
  if ((requests.length > 1 && m.verb !== 'insert') || (bulk && (affected === undefined || affected.length > 1))) {
    const list = requests.map((r) => `  ${r.method} ${r.path}${queryText(r)}${r.body ? ` ${JSON.stringify(r.body)}` : ''}`).join('\n');
    const what = bulk
      ? `${m.verb.toUpperCase()} would remove ${affected ? `${affected.length} rows` : 'every matching row'} of ${resource.id}${affected?.length ? ` (${affected.join(', ')})` : ''} in one request:\n${list}`
      : `${m.verb.toUpperCase()} would change ${requests.length} rows of ${resource.id}:\n${list}`;
    if (!opts.yes) {
      const ok = opts.confirm ? await opts.confirm(what, bulk ? affected?.length : requests.length) : false;
      if (!ok) {
        const summary = bulk
          ? `${m.verb.toUpperCase()} would remove ${affected ? `${affected.length} rows` : 'every matching row'} of ${resource.id} (${requests[0].path}${queryText(requests[0])}${affected?.length ? `: ${affected.join(', ')}` : ''}); nothing was sent`
          : `${m.verb.toUpperCase()} would change ${requests.length} rows of ${resource.id} (${requests.map((r) => r.path).join(', ')}); nothing was sent`;
        throw new DoqlError('validation', summary, {
          hint: opts.confirm ? 'not confirmed' : 'rerun with --yes to allow changes to several rows',
        });
      }
    }
  }

  const api = session.api();
  const settled = await Promise.allSettled(requests.map((r) => api.request({ method: r.method, path: r.path, query: r.query, headers: r.headers, body: r.body, signal: options.signal })));
  session.cache.invalidate(resource.id);
  const failed = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ i, err: s.reason as unknown }] : []));
  if (failed.length) {
    const first = failed[0].err;
    if (requests.length === 1) throw first;
    const done = requests.filter((_, i) => settled[i].status === 'fulfilled').map((r) => r.label);
    const why = first instanceof Error ? first.message : String(first);
    // One request of unknown outcome makes the statement's outcome unknown: say so, with how to check.
    const unknown = failed.map((f) => f.err).find((e) => e instanceof DoqlError && e.code === 'unknown_outcome') as DoqlError | undefined;
    const code = unknown ? 'unknown_outcome' : first instanceof DoqlError ? first.code : 'api';
    const hint = (unknown ?? (first instanceof DoqlError ? first : undefined))?.hint;
    throw new DoqlError(
      code,
      `${failed.length} of ${requests.length} requests failed (first: ${why}); succeeded: ${done.join(', ') || 'none'}; failed: ${failed.map((f) => requests[f.i].label).join(', ')}`,
      { cause: first, ...(hint ? { hint } : {}) },
    );
  }
  const responses = settled.map((s) => (s as PromiseFulfilledResult<{ body: unknown; status: number }>).value);
  let bodies = responses.map((r) => r.body);

  if (m.hints.await) {
    // One deadline for the whole wait: the actions, then the created objects' statuses.
    const wait = { timeoutMs: opts.waitTimeoutMs, deadline: Date.now() + opts.waitTimeoutMs, signal: options.signal, onProgress: opts.onProgress };
    const refs = bodies.flatMap(actionRefs);
    if (refs.length) {
      // The response's own action objects are shown (SHOWRESULTS, RETURNING) as they ended, not as they started.
      const final = await awaitActions(api, refs, wait).catch((err: unknown) => {
        throw m.verb === 'insert' ? namingCreated(err, resource, bodies.flatMap((b) => extractItems(answering(resource, method, b), b))) : err;
      });
      const settled = (a: unknown): unknown => (a && typeof a === 'object' && final.get(String((a as ActionLike).id))) || a;
      bodies = bodies.map((b) => {
        if (!b || typeof b !== 'object' || Array.isArray(b)) return b;
        const r = b as Record<string, unknown>;
        return { ...r, ...(r.action ? { action: settled(r.action) } : {}), ...(Array.isArray(r.actions) ? { actions: r.actions.map(settled) } : {}) };
      });
    }
    // A created object in a transitional status (droplet `new`): wait on its get method too.
    const get = resource.methods.find((x) => x.verb === 'select' && !x.returnsList && pathParams(x).length === 1);
    const idParam = get ? pathParams(get)[0] : undefined;
    const idCol = idParam ? columnForParam(resource, idParam) : undefined;
    if (m.verb === 'insert' && get && idParam && idCol) {
      bodies = await Promise.all(
        bodies.map(async (b) => {
          const answer = answering(resource, method, b);
          const objs = extractItems(answer, b) as Record<string, unknown>[];
          const waits = (o: Record<string, unknown>): boolean => Boolean(o) && typeof o === 'object' && isTransitional(o.status) && o[idCol] !== undefined;
          if (!objs.some(waits)) return b;
          const latest = await Promise.all(
            objs.map((o) => (waits(o) ? awaitStatus(api, fillPath(get.path, { [idParam]: o[idCol] }), get.objectKey, wait) : o)),
          );
          if (!answer.objectKey || answer.objectKey === '$') return answer.returnsList ? latest : latest[0];
          const key = answer.objectKey.slice(2);
          return { ...(b as object), [key]: Array.isArray((b as Record<string, unknown>)[key]) ? latest : latest[0] };
        }),
      );
    }
    session.cache.invalidate(resource.id);
  }

  if (m.verb === 'delete' && m.returning && planned.deleted) {
    const { columns, rows } = planned.deleted;
    return session.returningRows(columns.map((c) => ({ name: c.name, sqlType: c.type })), rows, m.returning);
  }
  if (m.verb !== 'exec' && 'returning' in m && m.returning) return returningRows(session, resource, method, bodies, m.returning);
  if (m.verb === 'exec') {
    // What the API answered (the action with its id and status, the object made) is the statement's result.
    const items = bodies.flatMap((b) => extractItems(answering(resource, method, b), b));
    if (items.length) {
      const columns = execColumns(session, method, items);
      const rows = items.map((item) => toRow(columns, item));
      if (m.returning) return session.returningRows(columns, rows, m.returning);
      return {
        kind: 'rows',
        columns: columns.map((c) => ({ name: c.name, type: c.sqlType })),
        rows: rows.map((r) => r.map((v, i) => (columns[i].sqlType === 'BOOLEAN' && typeof v === 'bigint' ? v !== 0n : v))),
        command: `EXEC ${rows.length}`,
      };
    }
  }
  const tag =
    m.verb === 'insert'
      ? `INSERT 0 ${requests.length}`
      : m.verb === 'exec'
        ? 'EXEC'
        : bulk
          ? affected
            ? `${m.verb.toUpperCase()} ${affected.length}`
            : m.verb.toUpperCase()
          : `${m.verb.toUpperCase()} ${requests.length}`;
  const statuses = responses.map((r) => r.status);
  const notices =
    m.verb === 'exec'
      ? [`${method.name}: HTTP ${statuses.join(', ')}`]
      : bulk && !affected
        ? [`one request to ${requests[0].path}${queryText(requests[0])}: the API does not say how many rows it removed`]
        : undefined;
  return { kind: 'command', columns: [], rows: [], command: tag, notices };
}


/**
 * A create whose action failed still made its object (a droplet that errored exists and may bill): the error names
 * it, so the user can inspect or delete it rather than create another.
 */
function namingCreated(err: unknown, resource: Resource, created: unknown[]): unknown {
  if (!(err instanceof DoqlError) || err.code === 'cancelled') return err;
  const ids = created.flatMap((o) => (o && typeof o === 'object' ? [(o as Record<string, unknown>).id ?? (o as Record<string, unknown>).uuid] : [])).filter((id) => id !== undefined && id !== null);
  if (!ids.length) return err;
  const list = ids.map((id) => String(id)).join(', ');
  return new DoqlError(err.code, `${err.message}; the INSERT created ${resource.id} ${ids.length === 1 ? 'id' : 'ids'} ${list}, which ${ids.length === 1 ? 'exists' : 'exist'}`, {
    hint: `inspect it with SELECT * FROM ${resource.id} WHERE id = ${typeof ids[0] === 'number' ? ids[0] : `'${String(ids[0])}'`}, or DELETE it`,
    cause: err,
  });
}
