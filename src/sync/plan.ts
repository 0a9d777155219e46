// What `doql sync` copies: resource patterns resolved against the catalog, each to one SELECT the engine runs
// (a join from its parent when the resource needs the parent's key) and the typed columns of its table.
import { DoqlError } from '../errors.js';
import type { Catalog, Column, Method, Resource } from '../catalog/types.js';
import { findResource } from '../catalog/lookup.js';
import { collidingParams, selectMethods } from '../engine/method-choice.js';
import type { ResultColumn } from '../engine/types.js';
import { splitStatements } from '../sql/split.js';
import { parseStatement } from '../sql/statement.js';

/** A column's type in the destination; each destination maps it to its own SQL type. */
export type SyncType = 'text' | 'integer' | 'real' | 'boolean' | 'json' | 'timestamp';

export interface SyncColumn {
  name: string;
  type: SyncType;
}

export interface SyncPlan {
  resource: string;
  /** `compute_droplets`: service and resource name, the same in every destination. */
  table: string;
  /** One SELECT over the resource (and its parent), columns in the order of `columns`. */
  sql: string;
  /** Absent for a `--query` file: its result's columns and types are used. */
  columns?: SyncColumn[];
  /** The parent the rows were followed from, when the resource needs one of its keys. */
  followedFrom?: string;
  /** The rows are the resource's plain listing (`sql` reads no other table): they can be written as pages arrive. */
  listing?: boolean;
}

export interface Skipped {
  resource: string;
  reason: string;
}

/** Names the sync adds to every table; a resource column of the same name would be ambiguous. */
export const SYNC_COLUMNS = ['context', 'synced_at'] as const;

function syncType(c: Pick<Column, 'sqlType' | 'format'>): SyncType {
  if (c.sqlType === 'TEXT' && c.format === 'date-time') return 'timestamp';
  return ({ TEXT: 'text', INTEGER: 'integer', REAL: 'real', BOOLEAN: 'boolean', JSON: 'json' } as const)[c.sqlType];
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** `compute.droplets,databases.*` (a leading `digitalocean.` is optional) to resources, in catalog order. */
export function resolvePatterns(catalog: Catalog, patterns: string[]): Resource[] {
  const out = new Map<string, Resource>();
  for (const raw of patterns.flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean)) {
    const pattern = raw.startsWith('digitalocean.') ? raw.slice('digitalocean.'.length) : raw;
    const star = /^([a-z0-9_]+)\.\*$/i.exec(pattern);
    if (star || pattern === '*') {
      const services = star ? [catalog.services[star[1]]] : Object.values(catalog.services);
      if (!services[0]) throw new DoqlError('usage', `--resources ${raw}: no service "${star?.[1]}"`, { hint: 'see doql "SHOW SERVICES IN digitalocean"' });
      for (const s of services) for (const r of Object.values(s.resources)) if (selectMethods(r).length) out.set(r.id, r);
      continue;
    }
    let r: Resource;
    try {
      r = findResource(catalog, `digitalocean.${pattern}`);
    } catch (err) {
      throw new DoqlError('usage', `--resources ${raw}: ${(err as Error).message}`, { hint: 'name resources as service.resource, e.g. compute.droplets or databases.*' });
    }
    out.set(r.id, r);
  }
  if (!out.size) throw new DoqlError('usage', '--resources names no resource', { hint: 'e.g. --resources compute.droplets,databases.*' });
  return [...out.values()];
}

/** The column of the parent's rows that its item path's last parameter names (`database_cluster_uuid` → `uuid`, else `id`). */
function parentKeyColumn(parent: Resource, param: string): string | undefined {
  const names = new Set(parent.columns.map((c) => c.name));
  const last = param.split('_').pop() ?? param;
  if (names.has(last)) return last;
  if (names.has('id')) return 'id';
  return undefined;
}

/** A select method of `r` that needs no parameter, if any. */
function unparameterised(r: Resource): Method | undefined {
  return selectMethods(r).find((m) => m.requiredParams.length === 0);
}

function ownColumns(r: Resource): Column[] {
  return r.columns.filter((c) => !c.envelope && !(SYNC_COLUMNS as readonly string[]).includes(c.name));
}

/**
 * Plans one resource: a plain SELECT when it lists without parameters; a join from the parent whose item path
 * ends in the one parameter it needs (clusters → backups), as a user's join would; otherwise skipped.
 */
export function planResource(catalog: Catalog, r: Resource): SyncPlan | Skipped {
  const table = `${r.service}_${r.name}`;
  const cols = ownColumns(r);
  if (unparameterised(r)) {
    // `context` first: the account each row came from (the hidden column), which fills the table's context column.
    return {
      resource: r.id,
      table,
      sql: `SELECT context, ${cols.map((c) => quote(c.name)).join(', ')} FROM ${r.id}`,
      columns: cols.map((c) => ({ name: c.name, type: syncType(c) })),
      listing: true,
    };
  }
  const methods = selectMethods(r);
  if (!methods.length) return { resource: r.id, reason: 'it cannot be selected from' };
  const m = [...methods].sort((a, b) => a.requiredParams.length - b.requiredParams.length)[0];
  const needs = m.requiredParams.join(', ');
  if (m.requiredParams.length !== 1) return { resource: r.id, reason: `it needs ${needs}, which no single parent lists` };
  const param = m.requiredParams[0];
  const marker = `{${param}}`;
  const at = m.path.indexOf(marker);
  if (at < 0) return { resource: r.id, reason: `it needs the query parameter ${param}, which no parent lists` };
  const itemPath = m.path.slice(0, at + marker.length);
  // Parameter names differ between parent and child paths (`/v2/apps/{id}`, `/v2/apps/{app_id}/alerts`): match shapes.
  const shape = (path: string): string => path.replace(/\{[^}]*\}/g, '{}');
  let parentParam = param;
  const parent = Object.values(catalog.services)
    .flatMap((s) => Object.values(s.resources))
    .find((p) => {
      if (p.id === r.id || !unparameterised(p)) return false;
      const item = selectMethods(p).find((pm) => shape(pm.path) === shape(itemPath));
      if (item) parentParam = item.requiredParams[item.requiredParams.length - 1] ?? param;
      return item !== undefined;
    });
  const key = parent && (parentKeyColumn(parent, parentParam) ?? parentKeyColumn(parent, param));
  if (!parent || !key) return { resource: r.id, reason: `it needs ${param}, and no resource lists the items of ${itemPath}` };
  // A parameter also named as a column (collidingParams) is already among the columns, with the same value.
  const withParam = !collidingParams(r).has(param);
  const paramType = syncType({ sqlType: m.params.find((x) => x.name === param)?.sqlType ?? 'TEXT' });
  const select = ['p.doql_context AS context', ...(withParam ? [`p.doql_key AS ${quote(param)}`] : []), ...cols.map((c) => `c.${quote(c.name)}`)];
  return {
    resource: r.id,
    table,
    // The key is renamed in a subquery: in ON, a parent column that is also its own required parameter (`id` of
    // apps) would mean the parameter, not the listed rows' values.
    // Each parent's children are read from the parent's own account.
    sql: `SELECT ${select.join(', ')} FROM (SELECT ${quote(key)} AS doql_key, context AS doql_context FROM ${parent.id}) p JOIN ${r.id} c ON c.${quote(param)} = p.doql_key AND c.context = p.doql_context`,
    columns: [...(withParam ? [{ name: param, type: paramType }] : []), ...cols.map((c) => ({ name: c.name, type: syncType(c) }))],
    followedFrom: parent.id,
  };
}

export function isSkipped(p: SyncPlan | Skipped): p is Skipped {
  return 'reason' in p;
}

/** The columns of a `--query` file's result: the engine's types, date-times as text (a result does not say which are). */
export function resultColumns(columns: ResultColumn[]): SyncColumn[] {
  return columns.map((c) => ({ name: c.name, type: syncType({ sqlType: c.type }) }));
}

/**
 * A `--query FILE` of one SELECT becomes the table named after the file (`costs.sql` → `costs`). Anything but a
 * single SELECT is refused before a request is sent: a sync must never change the account.
 */
export function planQuery(file: string, text: string): SyncPlan {
  const base = (file.split(/[\\/]/).pop() ?? file).replace(/\.sql$/i, '');
  const table = base.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!table) throw new DoqlError('usage', `--query ${file}: cannot name a table after this file`, { hint: 'name the file after the table, e.g. droplet_costs.sql' });
  const statements = splitStatements(text);
  const kinds = statements.map((st) => parseStatement(st.text, st.tokens).kind);
  if (statements.length !== 1 || kinds[0] !== 'select') {
    throw new DoqlError('usage', `--query ${file}: the file must hold one SELECT (it holds ${statements.length === 1 ? `a ${kinds[0]} statement` : `${statements.length} statements`})`);
  }
  return { resource: `query ${file}`, table, sql: statements[0].text };
}
