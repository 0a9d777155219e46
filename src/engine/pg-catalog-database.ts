// Builds the SQLite database that answers catalog queries: attached `pg_catalog` and `information_schema`
// schemas holding the emulated tables, filled from the model. Built once per loaded catalog and shared by
// every session: it is only read, and better-sqlite3 runs each statement to completion synchronously.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { EMULATED_TABLES, sqliteDeclaredType, type EmulatedTable } from './pg-catalog-schema.js';
import { PG_TYPES, type PgType } from './pg-catalog-types.js';
import { registerSessionTables, sessionTableFunction } from './pg-catalog-session.js';
import { attachKept, keep } from './pg-catalog-file.js';
import {
  DATABASE_NAME,
  DATABASE_OID,
  DEFAULT_COLLATION_OID,
  OWNER_NAME,
  OWNER_OID,
  PG_CATALOG_OID,
  serverSettings,
  type ModelRelation,
  type PgCatalogModel,
} from './pg-catalog-model.js';

type Row = Record<string, unknown>;

const HEAP_AM = 2;
const DEFAULT_TABLESPACE = 1663;

/** Values for columns a row does not set: false, 0 or NULL, as an unused feature reads in Postgres. */
function defaultValue(type: PgType): unknown {
  if (type.sqlType === 'BOOLEAN') return 0;
  if (type.sqlType === 'INTEGER' && type.category === 'N') return 0;
  if (type.name === 'char') return '';
  return null;
}

function createTable(db: Database.Database, table: EmulatedTable): void {
  if (table.perSession) {
    // A view over the table function that reads the asking session's rows (pg-catalog-session.ts).
    // A table function's columns have no affinity: integers are cast, so that a driver's text parameter
    // (`WHERE pid = $1`) compares as a number, as it does against the real tables' INTEGER columns.
    const names = table.columns.map((c) => (c.type.sqlType === 'INTEGER' ? `CAST("${c.name}" AS INTEGER) AS "${c.name}"` : `"${c.name}"`)).join(', ');
    db.exec(`CREATE VIEW ${table.schema}."${table.name}" AS SELECT ${names}, ${table.oid} AS tableoid FROM ${sessionTableFunction(table.name)}`);
    return;
  }
  // tableoid is a system column in Postgres (\dd reads it); here a plain column pg_attribute does not list.
  const cols = table.columns.map((c) => `"${c.name}" ${sqliteDeclaredType(c.type)}`);
  cols.push(`tableoid INTEGER DEFAULT ${table.oid}`);
  db.exec(`CREATE TABLE ${table.schema}."${table.name}" (${cols.join(', ')})`);
}

function insertRows(db: Database.Database, table: EmulatedTable, rows: Row[]): void {
  if (rows.length === 0) return;
  const names = table.columns.map((c) => c.name);
  const insert = db.prepare(
    `INSERT INTO ${table.schema}."${table.name}" (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
  );
  const unknown = Object.keys(rows[0]).filter((k) => !names.includes(k));
  if (unknown.length) throw new Error(`pg-catalog: ${table.name} has no column ${unknown.join(', ')}`); // a bug here
  for (const row of rows) {
    insert.run(
      table.columns.map((c) => {
        const v = c.name in row ? row[c.name] : defaultValue(c.type);
        return typeof v === 'boolean' ? Number(v) : v;
      }),
    );
  }
}

const isText = (type: PgType): boolean => type.category === 'S';
const collationOf = (type: PgType): number => (isText(type) ? DEFAULT_COLLATION_OID : 0);

function attributeRows(rel: ModelRelation): Row[] {
  return rel.columns.map((c, i) => ({
    attrelid: rel.oid,
    attname: c.name,
    atttypid: c.type.oid,
    attstattarget: -1,
    attlen: c.type.length,
    attnum: i + 1,
    attndims: c.type.category === 'A' ? 1 : 0,
    attcacheoff: -1,
    atttypmod: -1,
    attbyval: c.type.length > 0 && c.type.length <= 8,
    attalign: c.type.length === 8 ? 'd' : c.type.length === 1 ? 'c' : 'i',
    attstorage: c.type.length < 0 ? 'x' : 'p',
    attnotnull: c.notNull,
    attislocal: true,
    attcollation: collationOf(c.type),
  }));
}

function typeRows(): Row[] {
  const arrayOf = new Map(PG_TYPES.filter((t) => t.elem).map((t) => [t.elem, t.oid]));
  return PG_TYPES.map((t) => ({
    oid: t.oid,
    typname: t.name,
    typnamespace: PG_CATALOG_OID,
    typowner: OWNER_OID,
    typlen: t.length,
    typbyval: t.length > 0 && t.length <= 8,
    typtype: 'b',
    typcategory: t.category,
    typisdefined: true,
    typdelim: ',',
    typelem: t.elem,
    typarray: arrayOf.get(t.oid) ?? 0,
    typinput: t.category === 'A' ? 'array_in' : `${t.name}in`,
    typoutput: t.category === 'A' ? 'array_out' : `${t.name}out`,
    typalign: t.length === 8 ? 'd' : t.length === 1 ? 'c' : 'i',
    typstorage: t.length < 0 ? 'x' : 'p',
    typtypmod: -1,
    typcollation: collationOf(t),
  }));
}

/** information_schema's data_type: the SQL-standard spelling, ARRAY for arrays. */
function dataType(type: PgType): string {
  if (type.category === 'A') return 'ARRAY';
  return type.display;
}

const NUMERIC_PRECISION: Record<string, number> = { int2: 16, int4: 32, int8: 64, oid: 32, float4: 24, float8: 53 };

function informationSchemaRows(model: PgCatalogModel, canInsert: (rel: ModelRelation) => boolean): Record<string, Row[]> {
  // information_schema is what BI tools browse: each resource once, under its service's schema.
  const listed = model.relations.filter((rel) => !rel.alias);
  const schemata = model.namespaces.filter((ns) => ns.name !== DATABASE_NAME).map((ns) => ({
    catalog_name: DATABASE_NAME,
    schema_name: ns.name,
    schema_owner: OWNER_NAME,
  }));
  const tables = listed.map((rel) => ({
    table_catalog: DATABASE_NAME,
    table_schema: rel.namespace.name,
    table_name: rel.name,
    table_type: rel.kind === 'v' ? 'VIEW' : 'BASE TABLE',
    is_insertable_into: canInsert(rel) ? 'YES' : 'NO',
    is_typed: 'NO',
  }));
  const columns = listed.flatMap((rel) =>
    rel.columns.map((c, i) => {
      const precision = NUMERIC_PRECISION[c.type.name];
      return {
        table_catalog: DATABASE_NAME,
        table_schema: rel.namespace.name,
        table_name: rel.name,
        column_name: c.name,
        ordinal_position: i + 1,
        is_nullable: c.notNull ? 'NO' : 'YES',
        data_type: dataType(c.type),
        numeric_precision: precision ?? null,
        numeric_precision_radix: precision ? 2 : null,
        numeric_scale: precision && c.type.sqlType === 'INTEGER' ? 0 : null,
        udt_catalog: DATABASE_NAME,
        udt_schema: 'pg_catalog',
        udt_name: c.type.name,
        dtd_identifier: String(i + 1),
        is_self_referencing: 'NO',
        is_identity: 'NO',
        identity_cycle: 'NO',
        is_generated: 'NEVER',
        is_updatable: canInsert(rel) ? 'YES' : 'NO',
      };
    }),
  );
  const views = model.relations
    .filter((rel) => rel.kind === 'v')
    .map((rel) => ({
      table_catalog: DATABASE_NAME,
      table_schema: rel.namespace.name,
      table_name: rel.name,
      view_definition: viewDefinition(rel),
      check_option: 'NONE',
      is_updatable: 'NO',
      is_insertable_into: 'NO',
      is_trigger_updatable: 'NO',
      is_trigger_deletable: 'NO',
      is_trigger_insertable_into: 'NO',
    }));
  return { schemata, tables, columns, views };
}

/** What pg_get_viewdef shows for the emulated views. */
export function viewDefinition(rel: ModelRelation): string {
  return ` -- ${rel.namespace.name}.${rel.name} is computed by doql from its DigitalOcean API catalog`;
}

function settingRows(): Row[] {
  return serverSettings().map(([name, setting]) => ({ name, setting, context: 'internal', vartype: 'string', source: 'default', boot_val: setting, reset_val: setting }));
}

/** All rows of the emulated tables, by table name. */
function allRows(model: PgCatalogModel, canInsert: (rel: ModelRelation) => boolean): Record<string, Row[]> {
  const resources = model.relations.filter((r) => r.resourceId);
  return {
    pg_namespace: model.namespaces.map((ns) => ({ oid: ns.oid, nspname: ns.name, nspowner: OWNER_OID })),
    pg_class: model.relations.map((rel) => ({
      oid: rel.oid,
      relname: rel.name,
      relnamespace: rel.namespace.oid,
      relowner: OWNER_OID,
      relam: 0, // no access method: psql then prints no "Access method" line for API-backed tables
      reltablespace: 0,
      reltuples: -1,
      relpersistence: 'p',
      relkind: rel.kind,
      relnatts: rel.columns.length,
      relispopulated: true,
      // psql flags a replica identity other than Postgres' defaults: 'n' for views and system tables.
      relreplident: rel.kind === 'v' || rel.namespace.oid === PG_CATALOG_OID ? 'n' : 'd',
    })),
    pg_attribute: model.relations.flatMap(attributeRows),
    pg_type: typeRows(),
    pg_database: [
      {
        oid: DATABASE_OID,
        datname: DATABASE_NAME,
        datdba: OWNER_OID,
        encoding: 6,
        datlocprovider: 'c',
        datallowconn: true,
        datconnlimit: -1,
        dattablespace: DEFAULT_TABLESPACE,
        datcollate: 'C.UTF-8',
        datctype: 'C.UTF-8',
      },
    ],
    pg_description: [...model.descriptions].map(([key, description]) => {
      const [objoid, classoid, objsubid] = key.split('/').map(Number);
      return { objoid, classoid, objsubid, description };
    }),
    pg_am: [
      { oid: HEAP_AM, amname: 'heap', amhandler: 'heap_tableam_handler', amtype: 't' },
      { oid: 403, amname: 'btree', amhandler: 'bthandler', amtype: 'i' },
    ],
    pg_tablespace: [
      { oid: DEFAULT_TABLESPACE, spcname: 'pg_default', spcowner: OWNER_OID },
      { oid: 1664, spcname: 'pg_global', spcowner: OWNER_OID },
    ],
    pg_collation: [
      { oid: DEFAULT_COLLATION_OID, collname: 'default', collnamespace: PG_CATALOG_OID, collowner: OWNER_OID, collprovider: 'd', collisdeterministic: true, collencoding: -1 },
      { oid: 950, collname: 'C', collnamespace: PG_CATALOG_OID, collowner: OWNER_OID, collprovider: 'c', collisdeterministic: true, collencoding: -1, collcollate: 'C', collctype: 'C' },
      { oid: 951, collname: 'POSIX', collnamespace: PG_CATALOG_OID, collowner: OWNER_OID, collprovider: 'c', collisdeterministic: true, collencoding: -1, collcollate: 'POSIX', collctype: 'POSIX' },
    ],
    pg_roles: [{ rolname: OWNER_NAME, rolinherit: true, rolcanlogin: true, rolconnlimit: -1, rolpassword: '********', oid: OWNER_OID }],
    pg_settings: settingRows(),
    pg_tables: resources.map((rel) => ({ schemaname: rel.namespace.name, tablename: rel.name, tableowner: OWNER_NAME })),
    // Row counts are unknown until a query asks the API: NULL, not 0.
    pg_stat_user_tables: resources.map((rel) => ({ relid: rel.oid, schemaname: rel.namespace.name, relname: rel.name, n_live_tup: null })),
    pg_user: [{ usename: OWNER_NAME, usesysid: OWNER_OID, passwd: '********' }],
    pg_views: model.relations
      .filter((rel) => rel.kind === 'v')
      .map((rel) => ({ schemaname: rel.namespace.name, viewname: rel.name, viewowner: OWNER_NAME, definition: viewDefinition(rel) })),
    ...informationSchemaRows(model, canInsert),
  };
}

/**
 * The database with the emulated schemas filled in: opened from the copy kept in `kept.dir` under `kept.key`
 * (pg-catalog-file.ts) when there is one, else built in memory (and kept there for the next process). `canInsert` says whether a resource
 * table takes INSERT (information_schema's is_insertable_into). The per-session tables are views over table
 * functions registered here, on each process's own connection: nothing a session sees live is in the file.
 */
export function buildCatalogDatabase(
  model: PgCatalogModel,
  canInsert: (rel: ModelRelation) => boolean,
  kept?: { dir: string; key: string },
  report: (how: string) => void = () => {},
): Database.Database {
  // Required here, not imported: a cold SELECT loads better-sqlite3 after its first request is sent (engine/session.ts).
  const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  const db = new Sqlite(':memory:');
  registerSessionTables(db, EMULATED_TABLES.filter((t) => t.perSession));
  if (kept && attachKept(db, kept.dir, kept.key)) {
    report(`opened from ${join(kept.dir, kept.key)}`);
  } else {
    const rows = allRows(model, canInsert);
    db.exec(`ATTACH DATABASE ':memory:' AS pg_catalog; ATTACH DATABASE ':memory:' AS information_schema;`);
    db.transaction(() => {
      for (const table of EMULATED_TABLES) {
        createTable(db, table);
        insertRows(db, table, rows[table.name] ?? []);
      }
    })();
    report(kept ? keep(db, kept.dir, kept.key) : 'built in memory');
  }
  // Every session shares it: nothing may change it, whatever a query manages to call.
  db.pragma('query_only = ON');
  return db;
}
