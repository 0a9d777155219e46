// A write's result from what the API answered: the RETURNING list over the rows in the responses (checked before
// anything is sent), EXEC's answer as rows, or the command tag and notices.
import { DoqlError } from '../../errors.js';
import { columnsOf } from '../../catalog/compile.js';
import type { Column, JsonSchema, Method, Resource } from '../../catalog/types.js';
import type { Mutation, Returning } from '../../sql/tree/mutation.js';
import { envelopeOf } from '../fetcher.js';
import { extractItems, toRow } from '../rows.js';
import type { CellValue, StatementResult } from '../types.js';
import type { Planned, WriteContext } from './context.js';
import { queryText } from './confirm.js';
import type { Sent } from './send.js';

/**
 * The method as this response answers it. A create documented as `{droplets: […]}` answers `{droplet: {…}}`
 * when it made one (DigitalOcean does both): then the object is under the key another method of the
 * resource uses (the get method's `$.droplet`).
 */
export function answering(resource: Resource, method: Method, body: unknown): Method {
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

/** What RETURNING can name: the resource's columns, and the response's other top-level keys (`links`) as JSON. */
function returnableColumns(ctx: WriteContext, resource: Resource, method: Method, extraKeys: string[] = []): Column[] {
  const response = ctx.catalog.schemas().operations[method.operationId]?.response;
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
export function execColumns(ctx: WriteContext, method: Method, items: unknown[] = []): Column[] {
  let response: JsonSchema | undefined;
  try {
    response = ctx.catalog.schemas().operations[method.operationId]?.response;
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
export function checkReturning(ctx: WriteContext, resource: Resource, method: Method, returning: Returning, exec: boolean): void {
  if (exec) {
    const columns = execColumns(ctx, method);
    if (!columns.length) return; // the spec does not say what it answers: RETURNING is checked on the answer
    ctx.returningRows(columns, [], returning.text);
    return;
  }
  const columns = returnableColumns(ctx, resource, method);
  if (!returning.columns) {
    ctx.returningRows(columns, [], returning.text);
    return;
  }
  if (returning.columns === '*') return;
  const unknown = returning.columns.filter((n) => !columns.some((c) => c.name === n));
  if (unknown.length) throw new DoqlError('validation', `RETURNING: ${resource.id} has no column ${unknown.join(', ')}`, { sqlState: '42703' });
}

export function returningRows(ctx: WriteContext, resource: Resource, method: Method, bodies: unknown[], returning: Returning): StatementResult {
  const items = bodies.flatMap((b) => {
    const answer = answering(resource, method, b);
    return extractItems(answer, b).map((item) => ({ item, env: envelopeOf(answer, b) }));
  });
  const returned = items.flatMap(({ env }) => [...Object.keys(env.envelope ?? {}), ...(env.key ? [env.key] : [])]);
  const all = returnableColumns(ctx, resource, method, returned);
  if (!returning.columns) return ctx.returningRows(all, items.map(({ item, env }) => toRow(all, item, env)), returning.text);
  const columns =
    returning.columns === '*'
      ? resource.columns
      : returning.columns.map((n) => all.find((c) => c.name === n) ?? { name: n, sqlType: 'JSON' as const, schemaType: 'object' as const, description: '' });
  const rows: CellValue[][] = items.map(({ item, env }) =>
    toRow(columns, item, env).map((v, i) => (columns[i].sqlType === 'BOOLEAN' && typeof v === 'bigint' ? v !== 0n : v)),
  );
  return { kind: 'rows', columns: columns.map((c) => ({ name: c.name, type: c.sqlType })), rows, command: `SELECT ${rows.length}` };
}

/** The statement's result once its requests were answered (and awaited): RETURNING rows, EXEC's answer, or a tag. */
export function report(ctx: WriteContext, m: Mutation, planned: Planned, responses: Sent[], bodies: unknown[], affected: string[] | undefined): StatementResult {
  const { resource, method, requests, bulk } = planned;
  if (m.verb === 'delete' && m.returning && planned.deleted) {
    const { columns, rows } = planned.deleted;
    return ctx.returningRows(columns.map((c) => ({ name: c.name, sqlType: c.type })), rows, m.returning.text);
  }
  if (m.verb !== 'exec' && m.returning) return returningRows(ctx, resource, method, bodies, m.returning);
  if (m.verb === 'exec') {
    // What the API answered (the action with its id and status, the object made) is the statement's result.
    const items = bodies.flatMap((b) => extractItems(answering(resource, method, b), b));
    if (items.length) {
      const columns = execColumns(ctx, method, items);
      const rows = items.map((item) => toRow(columns, item));
      if (m.returning) return ctx.returningRows(columns, rows, m.returning.text);
      return {
        kind: 'rows',
        columns: columns.map((c) => ({ name: c.name, type: c.sqlType })),
        rows: rows.map((r) => r.map((v, i) => (columns[i].sqlType === 'BOOLEAN' && typeof v === 'bigint' ? v !== 0n : v))),
        command: `EXEC ${rows.length}`,
      };
    }
  }
  const VERB = m.verb.toUpperCase();
  const tag =
    m.verb === 'insert' ? `INSERT 0 ${requests.length}` : m.verb === 'exec' ? 'EXEC' : bulk ? (affected ? `${VERB} ${affected.length}` : VERB) : `${VERB} ${requests.length}`;
  const notices =
    m.verb === 'exec'
      ? [`${method.name}: HTTP ${responses.map((r) => r.status).join(', ')}`]
      : bulk && !affected
        ? [`one request to ${requests[0].path}${queryText(requests[0])}: the API does not say how many rows it removed`]
        : undefined;
  return { kind: 'command', columns: [], rows: [], command: tag, notices };
}
