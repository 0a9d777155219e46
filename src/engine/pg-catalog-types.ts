// The Postgres data types the emulated pg_catalog knows: their OIDs, names, how format_type() prints them,
// and how doql's SQL types and the emulated tables' column types map onto them.
import type { SqlType } from '../catalog/types.js';
import type { PgTypeName } from './types.js';

export interface PgType {
  oid: number;
  /** pg_type.typname (`int8`, `_text`). */
  name: string;
  /** What format_type() prints (`bigint`, `text[]`). */
  display: string;
  /** pg_type.typcategory: B boolean, N numeric, S string, U user/other, A array. */
  category: string;
  /** pg_type.typlen: bytes, or -1 for variable length. */
  length: number;
  /** For an array type, its element type's OID; else 0. */
  elem: number;
  /** How a value of this type is held in SQLite and reported to clients. */
  sqlType: SqlType;
}

function scalar(oid: number, name: string, display: string, category: string, length: number, sqlType: SqlType): PgType {
  return { oid, name, display, category, length, elem: 0, sqlType };
}

function array(oid: number, elem: PgType): PgType {
  return { oid, name: `_${elem.name}`, display: `${elem.display}[]`, category: 'A', length: -1, elem: elem.oid, sqlType: 'TEXT' };
}

const BOOL = scalar(16, 'bool', 'boolean', 'B', 1, 'BOOLEAN');
const CHAR = scalar(18, 'char', '"char"', 'Z', 1, 'TEXT');
const NAME = scalar(19, 'name', 'name', 'S', 64, 'TEXT');
const INT8 = scalar(20, 'int8', 'bigint', 'N', 8, 'INTEGER');
const INT2 = scalar(21, 'int2', 'smallint', 'N', 2, 'INTEGER');
const INT4 = scalar(23, 'int4', 'integer', 'N', 4, 'INTEGER');
const TEXT = scalar(25, 'text', 'text', 'S', -1, 'TEXT');
const OID = scalar(26, 'oid', 'oid', 'N', 4, 'INTEGER');
const FLOAT4 = scalar(700, 'float4', 'real', 'N', 4, 'REAL');
const FLOAT8 = scalar(701, 'float8', 'double precision', 'N', 8, 'REAL');
const ACLITEM = scalar(1033, 'aclitem', 'aclitem', 'U', 12, 'TEXT');
const JSON_TYPE = scalar(114, 'json', 'json', 'U', -1, 'JSON');
const VARCHAR = scalar(1043, 'varchar', 'character varying', 'S', -1, 'TEXT');
const BPCHAR = scalar(1042, 'bpchar', 'character', 'S', -1, 'TEXT');
const DATE = scalar(1082, 'date', 'date', 'D', 4, 'TEXT');
const TIMESTAMP = scalar(1114, 'timestamp', 'timestamp without time zone', 'D', 8, 'TEXT');
const TIMESTAMPTZ = scalar(1184, 'timestamptz', 'timestamp with time zone', 'D', 8, 'TEXT');
const NUMERIC = scalar(1700, 'numeric', 'numeric', 'N', -1, 'REAL');
const UUID = scalar(2950, 'uuid', 'uuid', 'U', 16, 'TEXT');
const JSONB = scalar(3802, 'jsonb', 'jsonb', 'U', -1, 'JSON');

/** Every type the emulated catalog lists in pg_type. */
export const PG_TYPES: readonly PgType[] = [
  BOOL,
  scalar(17, 'bytea', 'bytea', 'U', -1, 'TEXT'),
  CHAR,
  NAME,
  INT8,
  INT2,
  scalar(22, 'int2vector', 'int2vector', 'A', -1, 'TEXT'),
  INT4,
  scalar(24, 'regproc', 'regproc', 'N', 4, 'TEXT'),
  TEXT,
  OID,
  scalar(28, 'xid', 'xid', 'U', 4, 'INTEGER'),
  scalar(30, 'oidvector', 'oidvector', 'A', -1, 'TEXT'),
  JSON_TYPE,
  array(199, JSON_TYPE),
  scalar(194, 'pg_node_tree', 'pg_node_tree', 'Z', -1, 'TEXT'),
  FLOAT4,
  FLOAT8,
  ACLITEM,
  array(1000, BOOL),
  array(1002, CHAR),
  array(1003, NAME),
  array(1005, INT2),
  array(1007, INT4),
  array(1009, TEXT),
  array(1016, INT8),
  array(1021, FLOAT4),
  array(1022, FLOAT8),
  array(1028, OID),
  array(1034, ACLITEM),
  array(1014, BPCHAR),
  array(1015, VARCHAR),
  VARCHAR,
  BPCHAR,
  DATE,
  TIMESTAMP,
  array(1115, TIMESTAMP),
  array(1182, DATE),
  TIMESTAMPTZ,
  array(1185, TIMESTAMPTZ),
  array(1231, NUMERIC),
  NUMERIC,
  scalar(2205, 'regclass', 'regclass', 'N', 4, 'TEXT'),
  scalar(2206, 'regtype', 'regtype', 'N', 4, 'TEXT'),
  UUID,
  array(2951, UUID),
  JSONB,
  array(3807, JSONB),
  scalar(4089, 'regnamespace', 'regnamespace', 'N', 4, 'TEXT'),
];

const BY_OID = new Map(PG_TYPES.map((t) => [t.oid, t]));
const BY_NAME = new Map(PG_TYPES.map((t) => [t.name, t]));

export function pgTypeByOid(oid: number): PgType | undefined {
  return BY_OID.get(oid);
}

/** By typname (`int8`, `_text`) or by a `name[]` spelling. */
export function pgTypeByName(name: string): PgType | undefined {
  if (name.endsWith('[]')) return BY_NAME.get(`_${name.slice(0, -2)}`);
  return BY_NAME.get(name);
}

/** The column type a doql SQL type is shown as: INTEGER→bigint, REAL→double precision, … */
export function pgTypeOfSqlType(sqlType: SqlType): PgType {
  switch (sqlType) {
    case 'INTEGER':
      return INT8;
    case 'REAL':
      return FLOAT8;
    case 'BOOLEAN':
      return BOOL;
    case 'JSON':
      return BY_NAME.get('json')!;
    case 'TEXT':
      return TEXT;
  }
}

/** The pg_type of a Postgres type name doql reports (`timestamptz`, `numeric`, `jsonb`). */
export function pgTypeOfName(name: PgTypeName): PgType {
  return BY_NAME.get(name)!;
}

/** format_type(oid, typmod): the display name, or NULL for an unknown OID (Postgres prints `???`). */
export function formatType(oid: number | null): string | null {
  if (oid === null) return null;
  return BY_OID.get(oid)?.display ?? '???';
}

/** What a value cast to a named Postgres type becomes in SQLite (`int4` → INTEGER), for casts in queries. */
export type CastTarget = SqlType | 'ARRAY' | 'REG' | 'UNKNOWN';

const CAST_WORDS: Record<string, CastTarget> = {
  bool: 'BOOLEAN',
  boolean: 'BOOLEAN',
  int: 'INTEGER',
  integer: 'INTEGER',
  int2: 'INTEGER',
  int4: 'INTEGER',
  int8: 'INTEGER',
  smallint: 'INTEGER',
  bigint: 'INTEGER',
  oid: 'INTEGER',
  xid: 'INTEGER',
  float: 'REAL',
  float4: 'REAL',
  float8: 'REAL',
  real: 'REAL',
  'double precision': 'REAL',
  numeric: 'REAL',
  decimal: 'REAL',
  json: 'JSON',
  jsonb: 'JSON',
  text: 'TEXT',
  varchar: 'TEXT',
  'character varying': 'TEXT',
  char: 'TEXT',
  character: 'TEXT',
  bpchar: 'TEXT',
  name: 'TEXT',
  uuid: 'TEXT',
  date: 'TEXT',
  time: 'TEXT',
  timestamp: 'TEXT',
  timestamptz: 'TEXT',
  'timestamp with time zone': 'TEXT',
  'timestamp without time zone': 'TEXT',
  interval: 'TEXT',
  inet: 'TEXT',
  cidr: 'TEXT',
  regclass: 'REG',
  regtype: 'REG',
  regnamespace: 'REG',
  regproc: 'REG',
  regprocedure: 'REG',
  regrole: 'REG',
  regoper: 'REG',
};

/** Classifies a cast's type name (already lower-cased, without `pg_catalog.` and quotes). */
export function castTarget(typeName: string): CastTarget {
  if (typeName.endsWith('[]') || typeName.startsWith('_') || typeName === 'int2vector' || typeName === 'oidvector') return 'ARRAY';
  return CAST_WORDS[typeName] ?? 'UNKNOWN';
}

/** The column name Postgres gives an unaliased cast (`x::int` → `int4`). */
export function castColumnName(typeName: string): string {
  const aliases: Record<string, string> = {
    int: 'int4',
    integer: 'int4',
    smallint: 'int2',
    bigint: 'int8',
    boolean: 'bool',
    real: 'float4',
    float: 'float8',
    'double precision': 'float8',
    'character varying': 'varchar',
    character: 'bpchar',
    char: 'bpchar',
    decimal: 'numeric',
    'timestamp with time zone': 'timestamptz',
    'timestamp without time zone': 'timestamp',
  };
  const base = typeName.replace(/(\[\])+$/, '');
  return aliases[base] ?? base;
}
