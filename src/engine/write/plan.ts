// A write statement's plan: from its tree to the method, the path and query parameters and the body of each
// request, validated before anything is sent. Rows a WHERE picks are read through the SELECT path.
import { DoqlError } from '../../errors.js';
import type { Resource } from '../../catalog/types.js';
import { columnForParam, pathParamNames } from '../../catalog/param-columns.js';
import type { Mutation, WhereClause } from '../../sql/tree/mutation.js';
import { chooseMethod, itemMethod, methodsOf } from '../method-choice.js';
import { noMethodError } from '../no-method.js';
import { buildRequest } from '../request-builder.js';
import type { ExecuteOptions, StatementResult } from '../types.js';
import type { Planned, SqlValue, WriteContext } from './context.js';
import { requestOptions } from './request-options.js';
import { CONTEXT_COLUMN } from '../accounts.js';
import { chooseInsertAccount } from '../write-account.js';

/** Plans any write; EXEC's method is named, the others' chosen by what the statement supplies. */
export async function planWrite(ctx: WriteContext, m: Mutation, options: ExecuteOptions): Promise<Planned> {
  const planned = m.verb === 'insert' ? await planInsert(ctx, m, options) : m.verb === 'exec' ? planExec(ctx, m) : await planChange(ctx, m, options);
  const { method, requests } = planned;
  const bulk = m.verb === 'delete' && requests.length === 1 && !method.path.endsWith('}') && Object.keys(requests[0].query).length > 0;
  return { ...planned, bulk };
}

/** The resource in FROM, under the alias the statement gave it (`UPDATE r AS d … WHERE d.id = 1`). */
function fromOf(resource: Resource, alias: string | undefined): string {
  return `"${resource.id}"${alias ? ` AS "${alias.replace(/"/g, '""')}"` : ''}`;
}

function sqlText(v: unknown): SqlValue {
  if (v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v === null) return v;
  return JSON.stringify(v);
}

function widthError(m: Extract<Mutation, { verb: 'insert' }>, width: number): never {
  throw new DoqlError('validation', `INSERT names ${m.columns.length} column${m.columns.length === 1 ? '' : 's'} but its ${m.source.trimStart().slice(0, 6).toUpperCase()} gives ${width} value${width === 1 ? '' : 's'} per row`, { sqlState: '42601' });
}

async function planInsert(ctx: WriteContext, m: Extract<Mutation, { verb: 'insert' }>, options: ExecuteOptions): Promise<Omit<Planned, 'bulk'>> {
  const resource = ctx.resource(m.resource);
  const inserts = methodsOf(resource, 'insert');
  if (!inserts.length) throw noMethodError(ctx.catalog.catalog, resource, 'insert');
  // The tree counts a VALUES row's values (or a SELECT list's): a mismatch fails before anything is read.
  if (m.sourceWidth !== undefined && m.sourceWidth !== m.columns.length) widthError(m, m.sourceWidth);
  const source = await ctx.select(m.source, options);
  if (source.columns.length !== m.columns.length) widthError(m, source.columns.length);
  // A `context` column names the account each row goes to (one for all: write-account.ts); it is no field.
  const contextAt = m.columns.findIndex((c) => c.toLowerCase() === CONTEXT_COLUMN);
  if (contextAt >= 0) await chooseInsertAccount(ctx, source.rows.map((row) => row[contextAt]));
  const supplied = new Set(m.columns.filter((c, i) => !c.startsWith('data__') && i !== contextAt));
  const method = chooseMethod(inserts, supplied) ?? inserts[0];
  const requests = source.rows.map((row) => {
    const values: Record<string, SqlValue> = {};
    m.columns.forEach((c, i) => {
      if (i !== contextAt) values[c] = row[i] as SqlValue;
    });
    return buildRequest(resource.id, method, values, requestOptions(ctx, method));
  });
  return { resource, method, requests, selected: false };
}

/**
 * The SET values when they are constants (`SET data__name = 'x'`); undefined when they read the row being
 * changed (`SET data__name = name || '-old'`), which is then selected and each row gets its own values.
 */
async function evalSet(ctx: WriteContext, set: { column: string; expr: string }[], options: ExecuteOptions): Promise<Record<string, SqlValue> | undefined> {
  if (!set.length) return {};
  let r: StatementResult;
  try {
    r = await ctx.select(`SELECT ${set.map((s) => s.expr).join(', ')}`, options);
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
  ctx: WriteContext,
  m: Extract<Mutation, { verb: 'update' | 'replace' | 'delete' }>,
  options: ExecuteOptions,
): Promise<Omit<Planned, 'bulk'>> {
  const resource = ctx.resource(m.resource);
  const candidates = methodsOf(resource, m.verb);
  if (!candidates.length) {
    const set = m.verb === 'delete' ? [] : m.set.map((x) => ({ column: x.column, value: typeof x.literal === 'string' || typeof x.literal === 'number' ? x.literal : undefined }));
    const where = new Map((m.where?.equalities ?? []).filter((e) => e.values.length === 1).map((e) => [e.column, e.values[0]]));
    throw noMethodError(ctx.catalog.catalog, resource, m.verb, { set, where });
  }
  // A SET value that names a column of the row (the tree says) is computed per row; others are tried as constants,
  // which a subquery reading the outer row (SQLite's 42703) also turns into per-row values.
  const columns = new Set(resource.columns.map((c) => c.name.toLowerCase()));
  const readsRow = m.verb !== 'delete' && m.set.some((s) => s.names?.some((n) => columns.has(n.toLowerCase())));
  const constants = m.verb === 'delete' ? {} : readsRow ? undefined : await evalSet(ctx, m.set, options);
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
    const direct = chooseMethod(candidates, new Set(eq.keys()));
    if (direct && [...eq.keys()].every((k) => direct.params.some((p) => p.name === k))) {
      const values: Record<string, SqlValue> = { ...setValues };
      for (const [k, v] of eq) values[k] = v;
      const request = buildRequest(resource.id, direct, values, requestOptions(ctx, direct));
      const readable = resource.methods.some((x) => x.verb === 'select');
      const deleted = m.verb === 'delete' && m.returning && readable && where.text ? await ctx.select(`SELECT * FROM ${fromOf(resource, m.alias)} WHERE ${where.text}`, options) : undefined;
      return { resource, method: direct, requests: [request], selected: false, ...(deleted ? { deleted } : {}) };
    }
  }
  if (!m.where || !where.text) {
    const need = candidates[0].requiredParams;
    throw new DoqlError('validation', `${m.verb.toUpperCase()} on ${resource.id} needs a WHERE (e.g. WHERE ${need.map((p) => `${p} = '…'`).join(' AND ') || "id = '…'"})`, { sqlState: '42601' });
  }
  // By predicate: find the rows through the select methods, then one request per row.
  const method = itemMethod(candidates)!;
  const params = pathParamNames(method);
  const itemParam = params[params.length - 1];
  const itemColumn = itemParam ? columnForParam(method, itemParam) : undefined;
  if (!itemParam || !itemColumn) {
    throw new DoqlError('validation', `cannot ${m.verb.toUpperCase()} ${resource.id} by this WHERE: give ${candidates[0].requiredParams.join(', ')} with =`, { sqlState: '42601' });
  }
  const computed = perRow.map((s, i) => `, (${s.expr}) AS "__doql_set_${i}"`).join('');
  let rows: StatementResult;
  try {
    rows = await ctx.select(`SELECT *${computed} FROM ${fromOf(resource, m.alias)} WHERE ${where.text}`, options);
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
      else if (p !== itemParam) {
        // An enclosing parameter the WHERE does not give, from the row when the catalog says a column holds it.
        const at = rows.columns.findIndex((c) => c.name === columnForParam(method, p));
        if (at >= 0) values[p] = sqlText(row[at]);
      }
    }
    values[itemParam] = sqlText(row[colIndex]);
    for (const p of method.params) {
      if (p.in === 'query' && eq.has(p.name) && values[p.name] === undefined) values[p.name] = eq.get(p.name)!;
    }
    return buildRequest(resource.id, method, values, requestOptions(ctx, method));
  });
  return { resource, method, requests, selected: true, ...(m.verb === 'delete' && m.returning ? { deleted: rows } : {}) };
}

function planExec(ctx: WriteContext, m: Extract<Mutation, { verb: 'exec' }>): Omit<Planned, 'bulk'> {
  const parts = m.method.split('.');
  const resource = ctx.resource(parts.slice(0, 3).join('.'));
  const name = parts.slice(3).join('.');
  const method = resource.methods.find((x) => x.name === name);
  if (!method) {
    throw new DoqlError('not_found', `${resource.id} has no method ${name}; its methods: ${resource.methods.map((x) => x.name).join(', ')}`, { sqlState: '42883' });
  }
  return { resource, method, requests: [buildRequest(resource.id, method, m.args, { json: m.json, ...requestOptions(ctx, method) })], selected: false };
}
