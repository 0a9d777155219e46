// What Postgres functions become in SQLite: renamed calls, the engine's own implementations (pg-to-char,
// pg-aggregates, pg-json-arrays, pg-time-json-functions register them), table functions, and the types
// a call fixes for its result column.
import type { SqlType } from '../../catalog/types.js';
import type { PgTypeName } from '../../engine/types.js';

/** Postgres names for what SQLite (or JSON1) does under another name; the column keeps the Postgres name. */
export const RENAMED_FUNCTIONS: Record<string, string> = {
  string_agg: 'group_concat',
  array_agg: 'pg_array_agg',
  json_agg: 'json_group_array',
  jsonb_agg: 'json_group_array',
  json_object_agg: 'json_group_object',
  jsonb_object_agg: 'json_group_object',
  jsonb_array_length: 'json_array_length',
  json_typeof: 'json_type',
  jsonb_typeof: 'json_type',
  json_build_object: 'json_object',
  jsonb_build_object: 'json_object',
  json_build_array: 'json_array',
  jsonb_build_array: 'json_array',
  jsonb_extract_path: 'json_extract_path',
  jsonb_extract_path_text: 'json_extract_path_text',
  chr: 'char',
  // Postgres text functions SQLite lacks (engine/pg-exact.ts).
  left: 'pg_left',
  right: 'pg_right',
  lpad: 'pg_lpad',
  rpad: 'pg_rpad',
  strpos: 'pg_strpos',
  btrim: 'pg_btrim',
  initcap: 'pg_initcap',
  regexp_replace: 'pg_regexp_replace',
  md5: 'pg_md5',
  reverse: 'pg_reverse',
  repeat: 'pg_repeat',
  starts_with: 'pg_starts_with',
  to_timestamp: 'pg_to_timestamp',
  char_length: 'length',
  character_length: 'length',
};

/**
 * Table functions in FROM: the SQLite table function each becomes, and whether its one column (`value`) is
 * what the alias stands for (`unnest(tags) AS t` reads `t` as `"t".value`, as Postgres reads a scalar function).
 */
export const FROM_FUNCTIONS: Record<string, { table: string; scalar: boolean }> = {
  unnest: { table: 'pg_unnest', scalar: true },
  generate_series: { table: 'pg_series', scalar: true },
  json_array_elements: { table: 'json_each', scalar: true },
  jsonb_array_elements: { table: 'json_each', scalar: true },
  json_array_elements_text: { table: 'json_each', scalar: true },
  jsonb_array_elements_text: { table: 'json_each', scalar: true },
  jsonb_each: { table: 'json_each', scalar: false },
  json_each: { table: 'json_each', scalar: false },
  json_tree: { table: 'json_tree', scalar: false },
};

/**
 * Set-returning functions a select list may call: the table function each becomes and the column read.
 * Calls over one array share one join, so that unnest(a) and generate_subscripts(a, 1) pair up as in Postgres.
 */
export const SELECT_LIST_FUNCTIONS: Record<string, { table: string; column: string; arrayArg?: true; record?: Record<string, string> }> = {
  unnest: { table: 'pg_unnest', column: 'value', arrayArg: true },
  // information_schema._pg_expandarray(a): one record (x: element, n: subscript) per element, which pgjdbc's
  // getPrimaryKeys, getIndexInfo and getBestRowIdentifier read as `(…).x`, `(…).n` or `(keys).x` (see pg_record).
  _pg_expandarray: { table: 'pg_unnest', column: 'value', arrayArg: true, record: { x: 'value', n: 'ordinality' } },
  generate_subscripts: { table: 'pg_unnest', column: 'ordinality', arrayArg: true },
  generate_series: { table: 'pg_series', column: 'value' },
  json_array_elements: { table: 'json_each', column: 'value' },
  jsonb_array_elements: { table: 'json_each', column: 'value' },
  json_array_elements_text: { table: 'json_each', column: 'value' },
  jsonb_array_elements_text: { table: 'json_each', column: 'value' },
};

/** Aggregates: a select list calling one is grouped. */
export const AGGREGATES = new Set(
  'count sum avg min max total group_concat string_agg array_agg json_agg jsonb_agg json_group_array json_group_object json_object_agg jsonb_object_agg bool_or bool_and every percentile_cont percentile_disc mode'.split(' '),
);

export const ORDERED_SET_AGGREGATES = new Set(['percentile_cont', 'percentile_disc', 'mode']);

/** Functions whose SQLite result (1 or 0) is a Postgres boolean. */
export const BOOLEAN_FUNCTIONS = new Set(['bool_or', 'bool_and', 'every', 'starts_with', 'pg_cancel_backend', 'pg_terminate_backend']);

/** Functions whose first argument must be an array (checked against the column's type before sending). */
export const ARRAY_READERS = new Set(['unnest', 'array_length', 'array_upper', 'array_lower', 'cardinality', 'array_to_string', 'generate_subscripts']);

/** Functions whose result is a Postgres type doql holds as text or a number (times, jsonb). */
export const FUNCTION_PG_TYPES: Record<string, PgTypeName> = {
  now: 'timestamptz',
  statement_timestamp: 'timestamptz',
  transaction_timestamp: 'timestamptz',
  clock_timestamp: 'timestamptz',
  date_trunc: 'timestamptz',
  to_timestamp: 'timestamptz',
  to_jsonb: 'jsonb',
  jsonb_build_object: 'jsonb',
  jsonb_build_array: 'jsonb',
  jsonb_agg: 'jsonb',
  jsonb_object_agg: 'jsonb',
};

/** The SQL type a call fixes for its column. */
export function functionType(name: string): SqlType | undefined {
  if (BOOLEAN_FUNCTIONS.has(name)) return 'BOOLEAN';
  if (name === 'percentile_cont') return 'REAL';
  return undefined;
}

/**
 * Functions registerPgFunctions puts on the session database (with the pg_* helpers the translation emits):
 * a statement calling one gets them registered first; others do not pay for the catalog model.
 */
export const SESSION_FUNCTIONS = new Set([
  'now', 'array_to_string', 'string_to_array', 'array_length', 'cardinality', 'version', 'current_database', 'current_user', 'session_user',
  'date_trunc', 'date_part', 'json_extract_path', 'json_extract_path_text', 'jsonb_extract_path', 'jsonb_extract_path_text',
  'to_char', 'age', 'split_part', 'bool_or', 'bool_and', 'every', 'array_upper', 'array_lower',
  'current_role', 'current_catalog', 'current_schema', 'current_schemas', 'regexp', 'to_timestamp', 'to_jsonb',
]);

/** Catalog functions whose names do not start with `pg_`: a statement calling one asks about the server. */
export const CATALOG_FUNCTIONS = new Set(
  'version current_database current_catalog current_schema current_schemas current_setting set_config current_user session_user current_role obj_description col_description shobj_description format_type getdatabaseencoding quote_ident txid_current has_table_privilege has_schema_privilege has_database_privilege has_column_privilege has_any_column_privilege has_function_privilege has_sequence_privilege to_regclass to_regtype to_regnamespace to_regrole to_regproc to_regprocedure'.split(
    ' ',
  ),
);
