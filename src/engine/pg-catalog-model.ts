// The doql catalog seen as a Postgres database: one schema per service, one table per resource, a column per
// resource column (then its hidden parameter columns), descriptions as comments. OIDs are assigned in sorted
// order, so they are the same from one run to the next.
import type { Catalog, Column, Param, Resource, SqlType } from '../catalog/types.js';
import { PARAM_SUFFIX, selectMethods, tableParameters } from './method-choice.js';
import { ACCOUNT_COLUMN_DESCRIPTION, CONTEXT_COLUMN } from './accounts.js';
import { EMULATED_TABLES } from './pg-catalog-schema.js';
import { pgTypeOfName, pgTypeOfSqlType, type PgType } from './pg-catalog-types.js';
import { pgTypeOfColumn } from './pg-column-types.js';

const pgTypeOf = (c: Column): PgType => {
  const name = pgTypeOfColumn(c);
  return name ? pgTypeOfName(name) : pgTypeOfSqlType(c.sqlType);
};
import { SERVER_VERSION } from './session-settings.js';

export const DATABASE_NAME = 'digitalocean';
export const OWNER_NAME = 'doql';
export const OWNER_OID = 10;
export const DATABASE_OID = 16384;
export const PG_CATALOG_OID = 11;
export const PUBLIC_OID = 2200;
export const INFORMATION_SCHEMA_OID = 13000;
/** pg_class's and pg_namespace's own OIDs: the classoid of their rows' descriptions. */
export const PG_CLASS_OID = 1259;
export const PG_NAMESPACE_OID = 2615;
export const DEFAULT_COLLATION_OID = 100;
const FIRST_SERVICE_OID = 16385;
const FIRST_RESOURCE_OID = 16500;
const PROVIDER_SCHEMA_OID = 16480;
const FIRST_ALIAS_OID = 20000;

/** The settings pg_settings and current_setting() report (SHOW answers from session-settings.ts). */
export function serverSettings(): [string, string][] {
  const [major, minor] = SERVER_VERSION.split(/[.\s]/).map(Number);
  return [
    ['server_version', SERVER_VERSION],
    ['server_version_num', String(major * 10000 + (minor || 0))],
    ['server_encoding', 'UTF8'],
    ['client_encoding', 'UTF8'],
    ['DateStyle', 'ISO, MDY'],
    ['TimeZone', 'UTC'],
    ['search_path', 'public'],
    ['standard_conforming_strings', 'on'],
    ['integer_datetimes', 'on'],
    ['max_identifier_length', '63'],
    ['transaction_isolation', 'read committed'],
    // Compiled into Postgres; pgjdbc reads it from pg_settings before it asks for foreign keys.
    ['max_index_keys', '32'],
  ];
}

export interface ModelNamespace {
  oid: number;
  name: string;
  description: string | null;
}

export interface ModelColumn {
  name: string;
  type: PgType;
  /** Required parameters are never NULL in a result: a query must give them. */
  notNull: boolean;
  description: string | null;
}

export interface ModelRelation {
  oid: number;
  name: string;
  namespace: ModelNamespace;
  kind: 'r' | 'v';
  columns: ModelColumn[];
  description: string | null;
  /** The doql resource id, for resource tables. */
  resourceId?: string;
  /**
   * A second name for a resource in schema `digitalocean` (`digitalocean."databases.backups"`), so that
   * psql's `\dt digitalocean.*` lists everything; not visible on the search path, not in information_schema.
   */
  alias?: true;
}

export interface PgCatalogModel {
  namespaces: ModelNamespace[];
  relations: ModelRelation[];
  relationByOid: Map<number, ModelRelation>;
  namespaceByOid: Map<number, ModelNamespace>;
  /** `objoid/classoid/objsubid` → description (pg_description). */
  descriptions: Map<string, string>;
}

export const descriptionKey = (objoid: number, classoid: number, subid: number): string => `${objoid}/${classoid}/${subid}`;

function text(value: string | undefined): string | null {
  const t = value?.trim();
  return t ? t : null;
}

/** Descriptions of a resource's parameter columns say how to use them. */
function paramDescription(param: Param, required: boolean): string {
  const how = required ? '[required parameter: give it in WHERE or a join]' : '[optional parameter: filter with =]';
  const description = param.description.trim();
  return description ? `${how} ${description}` : how;
}

function resourceColumns(resource: Resource): ModelColumn[] {
  const columns: Column[] = resource.columns.length
    ? resource.columns
    : [{ name: 'content', sqlType: 'TEXT', schemaType: 'string', description: 'The response body.' }];
  const out: ModelColumn[] = columns.map((c) => ({
    name: c.name,
    type: pgTypeOf(c),
    notNull: false,
    description: text(c.description),
  }));
  // The same hidden parameter columns the engine's virtual table has (see ensureTable in select.ts).
  const methods = selectMethods(resource);
  const required = new Set(methods.length ? methods.map((m) => m.requiredParams).reduce((a, b) => a.filter((p) => b.includes(p))) : []);
  for (const hidden of tableParameters({ ...resource, columns })) {
    // A required param named like a column has a hidden `name$p` column the engine fills from WHERE
    // `name = …`: to a client it is that column.
    const colliding = hidden.endsWith(PARAM_SUFFIX);
    const name = colliding ? hidden.slice(0, -PARAM_SUFFIX.length) : hidden;
    const param = methods.flatMap((m) => m.params).find((p) => p.name === name);
    const description = param ? paramDescription(param, required.has(name)) : null;
    const existing = colliding ? out.find((c) => c.name === name) : undefined;
    if (existing) {
      existing.notNull = required.has(name);
      existing.description = [description, existing.description].filter(Boolean).join(' ') || null;
      continue;
    }
    const sqlType: SqlType = param?.sqlType ?? 'TEXT';
    out.push({ name, type: pgTypeOfSqlType(sqlType), notNull: required.has(name), description });
  }
  // The account column every table has (accounts.ts): psql's \d and BI tools see it.
  out.push({ name: CONTEXT_COLUMN, type: pgTypeOfSqlType('TEXT'), notNull: true, description: ACCOUNT_COLUMN_DESCRIPTION });
  return out;
}

export function buildModel(catalog: Catalog): PgCatalogModel {
  const pgCatalog: ModelNamespace = { oid: PG_CATALOG_OID, name: 'pg_catalog', description: 'system catalog schema' };
  const publicNs: ModelNamespace = {
    oid: PUBLIC_OID,
    name: 'public',
    description: 'empty: doql has one schema per DigitalOcean service (\\dn lists them)',
  };
  const infoNs: ModelNamespace = { oid: INFORMATION_SCHEMA_OID, name: 'information_schema', description: null };
  const services = Object.values(catalog.services).sort((a, b) => a.name.localeCompare(b.name));
  const serviceNs = services.map((s, i) => ({
    oid: FIRST_SERVICE_OID + i,
    name: s.name,
    description: text(s.title) ?? text(s.description),
  }));
  const providerNs: ModelNamespace = {
    oid: PROVIDER_SCHEMA_OID,
    name: DATABASE_NAME,
    description: 'every resource as service.resource (\\dt digitalocean.* lists them)',
  };
  const namespaces = [pgCatalog, publicNs, infoNs, providerNs, ...serviceNs];

  const relations: ModelRelation[] = EMULATED_TABLES.map((t) => ({
    oid: t.oid,
    name: t.name,
    namespace: t.schema === 'pg_catalog' ? pgCatalog : infoNs,
    kind: t.kind,
    columns: t.columns.map((c) => ({ name: c.name, type: c.type, notNull: false, description: null })),
    description: null,
  }));
  const resources = services.flatMap((s) => Object.values(s.resources)).sort((a, b) => a.id.localeCompare(b.id));
  resources.forEach((r, i) => {
    const namespace = serviceNs[services.findIndex((s) => s.name === r.service)];
    relations.push({
      oid: FIRST_RESOURCE_OID + i,
      name: r.name,
      namespace,
      kind: 'r',
      columns: resourceColumns(r),
      description: text(r.description),
      resourceId: r.id,
    });
  });

  resources.forEach((r, i) => {
    const own = relations.find((rel) => rel.resourceId === r.id)!;
    relations.push({ ...own, oid: FIRST_ALIAS_OID + i, name: `${r.service}.${r.name}`, namespace: providerNs, alias: true });
  });

  const descriptions = new Map<string, string>();
  for (const ns of namespaces) if (ns.description) descriptions.set(descriptionKey(ns.oid, PG_NAMESPACE_OID, 0), ns.description);
  for (const rel of relations) {
    if (rel.description) descriptions.set(descriptionKey(rel.oid, PG_CLASS_OID, 0), rel.description);
    rel.columns.forEach((c, i) => {
      if (c.description) descriptions.set(descriptionKey(rel.oid, PG_CLASS_OID, i + 1), c.description);
    });
  }
  return {
    namespaces,
    relations,
    relationByOid: new Map(relations.map((r) => [r.oid, r])),
    namespaceByOid: new Map(namespaces.map((n) => [n.oid, n])),
    descriptions,
  };
}
