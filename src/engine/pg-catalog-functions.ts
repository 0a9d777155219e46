// The Postgres functions catalog queries call (format_type, pg_get_userbyid, obj_description, …), the
// helpers the rewriter targets (regexp, pg_bool, pg_reg_oid, pg_unnest, …), registered on a SQLite database.
import { registerPgTimeAndJsonFunctions } from './pg-time-json-functions.js';
import { registerPgLike } from './pg-like.js';
import { pgRegexSource, registerPgExact } from './pg-exact.js';
import type Database from 'better-sqlite3';
import { keywordRows } from './pg-keywords.js';
import { DoqlError } from '../errors.js';
import { SERVER_VERSION } from './session-settings.js';
import { formatArray } from './pg-catalog-arrays.js';
import { arrayLength, arrayValues } from './pg-json-arrays.js';
import { isoDate, isoTimestamp, toMicros } from './pg-values.js';
import { EMULATED_TABLES } from './pg-catalog-schema.js';
import { formatType, PG_TYPES, pgTypeByName, pgTypeByOid } from './pg-catalog-types.js';
import { viewDefinition } from './pg-catalog-database.js';
import { signalBackend } from './backend.js';
import { currentSessionCatalog, type SessionCatalog } from './pg-catalog-session.js';
import {
  DATABASE_NAME,
  descriptionKey,
  OWNER_NAME,
  OWNER_OID,
  PG_CATALOG_OID,
  PG_CLASS_OID,
  serverSettings,
  type PgCatalogModel,
} from './pg-catalog-model.js';

type Value = string | number | bigint | null;

export const VERSION_STRING = `PostgreSQL ${SERVER_VERSION}: the DigitalOcean API as SQL, on SQLite`;
const STARTED = new Date().toISOString();
const MAX_SERIES = 1_000_000;

/** Postgres regular expressions as JS ones; a leading `(?i)` (from `~*`) means case-insensitive. */
const regexCache = new Map<string, RegExp>();
function compileRegex(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (re) return re;
  const insensitive = pattern.startsWith('(?i)');
  // Postgres's syntax (POSIX classes, \y) in JS's; `.` matches a newline, as in Postgres.
  const source = pgRegexSource(insensitive ? pattern.slice(4) : pattern);
  try {
    re = new RegExp(source, insensitive ? 'isu' : 'su');
  } catch {
    try {
      re = new RegExp(source, insensitive ? 'is' : 's');
    } catch (err) {
      throw new DoqlError('validation', `invalid regular expression: ${source}: ${(err as Error).message}`, { sqlState: '2201B' });
    }
  }
  if (regexCache.size > 500) regexCache.clear();
  regexCache.set(pattern, re);
  return re;
}

const toNumber = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Number(v));
/** A generate_series bound: doql makes series of numbers only (Postgres also makes them of timestamps). */
function seriesNumber(v: unknown): number {
  // A bound parameter may arrive as text: a number written out is a number.
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (Number.isNaN(n)) throw new DoqlError('validation', `generate_series: doql makes series of numbers only, not of ${JSON.stringify(String(v))}`, { sqlState: '0A000' });
  return n;
}
const bool = (b: boolean): number => (b ? 1 : 0);

/** The key pg_record puts a record's fields under. */
const RECORD_KEY = '(record)';

/** A pg_record value as Postgres prints a record, `(5,1)`, or undefined when the value is not one. */
export function recordText(value: unknown): string | undefined {
  const fields = typeof value === 'string' ? recordFields(value) : undefined;
  if (!fields) return undefined;
  const field = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return text === '' || /[",()\\\s]/.test(text) ? `"${text.replace(/["\\]/g, (c) => c + c)}"` : text;
  };
  return `(${Object.values(fields).map(field).join(',')})`;
}

/** A pg_record value's fields, or undefined when the value is not one. */
function recordFields(value: Value): Record<string, Value> | undefined {
  if (typeof value !== 'string' || !value.startsWith(`{"${RECORD_KEY}":`)) return undefined;
  try {
    const parsed = JSON.parse(value) as Record<string, unknown>;
    const fields = parsed[RECORD_KEY];
    return Object.keys(parsed).length === 1 && fields !== null && typeof fields === 'object' ? (fields as Record<string, Value>) : undefined;
  } catch {
    return undefined;
  }
}

/** `"databases"."backups"` / `databases.backups` / `pg_class` → its parts, unquoted ones lower-cased. */
function qualifiedName(text: string): string[] {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^."]+))\s*(?:\.|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m[0] !== '') {
    parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2].trim().toLowerCase());
    if (re.lastIndex >= text.length) break;
  }
  return parts;
}

/** `session`: the one session whose own database this is (the shared catalog database has none: see pg-catalog-session.ts). */
export function registerPgFunctions(db: Database.Database, model: PgCatalogModel, session?: SessionCatalog): void {
  const classOidByName = new Map(EMULATED_TABLES.map((t) => [t.name, t.oid]));
  const namespaceByName = new Map(model.namespaces.map((n) => [n.name, n]));
  const fn = (name: string, impl: (...args: Value[]) => Value, deterministic = true): void => {
    db.function(name, { varargs: true, deterministic }, impl as (...args: unknown[]) => Value);
  };

  const regclassOid = (text: string): number => {
    if (/^\s*\d+\s*$/.test(text)) return Number(text);
    const parts = qualifiedName(text);
    const name = parts[parts.length - 1];
    const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
    const candidates = model.relations.filter((r) => r.name === name && (schema === undefined || r.namespace.name === schema));
    // Unqualified: pg_catalog first, as on a Postgres search path.
    const found = candidates.find((r) => r.namespace.oid === PG_CATALOG_OID) ?? candidates[0];
    if (!found) throw new DoqlError('not_found', `relation "${text}" does not exist`, { sqlState: '42P01' });
    return found.oid;
  };
  const regOid = (kind: Value, value: Value): Value => {
    if (value === null) return null;
    const text = String(value);
    switch (kind) {
      case 'regclass':
        return regclassOid(text);
      case 'regtype': {
        if (/^\s*\d+\s*$/.test(text)) return Number(text);
        const name = text.trim().replace(/^pg_catalog\./, '').replace(/^"(.*)"$/, '$1').toLowerCase();
        const type = pgTypeByName(name) ?? PG_TYPES.find((t) => t.display === name);
        if (!type) throw new DoqlError('not_found', `type "${text}" does not exist`, { sqlState: '42704' });
        return type.oid;
      }
      case 'regnamespace': {
        if (/^\s*\d+\s*$/.test(text)) return Number(text);
        const ns = namespaceByName.get(qualifiedName(text)[0] ?? '');
        if (!ns) throw new DoqlError('not_found', `schema "${text}" does not exist`, { sqlState: '3F000' });
        return ns.oid;
      }
      case 'regrole':
        return text === OWNER_NAME ? OWNER_OID : /^\d+$/.test(text) ? Number(text) : 0;
      default:
        return text; // regproc & co: doql keeps function names as text
    }
  };
  const regName = (kind: Value, value: Value): Value => {
    if (value === null) return null;
    const oid = Number(value);
    if (!Number.isInteger(oid)) return String(value);
    switch (kind) {
      case 'regclass': {
        const rel = model.relationByOid.get(oid);
        if (!rel) return String(oid);
        return rel.namespace.oid === PG_CATALOG_OID ? rel.name : `${rel.namespace.name}.${rel.name}`;
      }
      case 'regtype':
        return pgTypeByOid(oid)?.display ?? String(oid);
      case 'regnamespace':
        return model.namespaceByOid.get(oid)?.name ?? String(oid);
      case 'regrole':
        return oid === OWNER_OID ? OWNER_NAME : String(oid);
      default:
        return String(value);
    }
  };

  // ---- targets of the rewriter ----
  fn('regexp', (pattern, value) => (pattern === null || value === null ? null : bool(compileRegex(String(pattern)).test(String(value)))));
  fn('pg_bool', (v) => {
    if (v === null) return null;
    if (typeof v !== 'string') return bool(Number(v) !== 0);
    const w = v.trim().toLowerCase();
    if (['t', 'true', 'y', 'yes', 'on', '1'].includes(w)) return 1;
    if (['f', 'false', 'n', 'no', 'off', '0'].includes(w)) return 0;
    throw new DoqlError('validation', `invalid input syntax for type boolean: "${v}"`, { sqlState: '22P02' });
  });
  fn('pg_reg_oid', regOid);
  // to_regclass('x') & co: regOid's lookup, NULL rather than an error for a name that does not exist.
  // doql has no functions in pg_proc: to_regproc finds none.
  for (const name of ['to_regproc', 'to_regprocedure']) fn(name, () => null);
  for (const kind of ['regclass', 'regtype', 'regnamespace', 'regrole']) {
    fn(`to_${kind}`, (value) => {
      try {
        return regOid(kind, value);
      } catch (err) {
        if (err instanceof DoqlError) return null;
        throw err;
      }
    });
  }
  fn('pg_reg_name', regName);
  fn('pg_subscript', (arr, index) => {
    const i = toNumber(index);
    if (arr === null || i === null) return null;
    return arrayValues(arr, 'an array subscript')?.[i - 1] ?? null;
  });
  fn('pg_array', (...values) => formatArray(values));
  // A record with named fields (what _pg_expandarray returns), carried as JSON under a key no jsonb value of doql's
  // has, so that pg_field can tell it from a jsonb object: `(jsonb_column).f` is an error in Postgres too.
  fn('pg_record', (...namesAndValues) => {
    const fields: Record<string, Value> = {};
    for (let i = 0; i + 1 < namesAndValues.length; i += 2) fields[String(namesAndValues[i])] = namesAndValues[i + 1];
    return JSON.stringify({ [RECORD_KEY]: fields }, (_k, v: unknown) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : String(v)) : v));
  });
  fn('pg_field', (record, field) => {
    if (record === null) return null;
    const fields = recordFields(record);
    if (!fields) throw new DoqlError('validation', `column notation .${String(field)} applied to a value that is not a composite type`, { sqlState: '42809' });
    if (!(String(field) in fields)) throw new DoqlError('validation', `column "${String(field)}" not found in data type record`, { sqlState: '42703' });
    return fields[String(field)] ?? null;
  });
  db.aggregate('pg_array_agg', {
    start: () => [] as Value[],
    step: (acc: Value[], v: Value) => {
      acc.push(v);
      return acc;
    },
    // Over no rows Postgres's array_agg is NULL, not an empty array.
    result: (acc: Value[]) => (acc.length ? formatArray(acc) : null),
  });
  db.table('pg_get_keywords', {
    columns: ['word', 'catcode', 'barelabel', 'catdesc', 'baredesc'],
    rows: function* () {
      yield* keywordRows();
    },
  });
  db.table('pg_unnest', {
    // ordinality: the element's subscript, for generate_subscripts() and WITH ORDINALITY.
    columns: ['value', 'ordinality'],
    // `what` names the construct for errors (ANY, ALL; unnest when absent).
    parameters: ['arr', 'what'],
    rows: function* (arr: unknown, what: unknown) {
      let i = 0;
      for (const v of arrayValues(arr, typeof what === 'string' ? what : 'unnest') ?? []) yield [v, ++i];
    },
  });
  // Casts to timestamptz and date keep DigitalOcean's way of writing times, so that they compare with its columns.
  fn('pg_timestamptz', (v) => {
    if (v === null) return null;
    const micros = toMicros(v);
    if (micros === undefined) throw new DoqlError('validation', `invalid input syntax for type timestamp with time zone: "${v}"`, { sqlState: '22007' });
    return isoTimestamp(micros);
  });
  fn('pg_date', (v) => {
    if (v === null) return null;
    const date = isoDate(v);
    if (date === undefined) throw new DoqlError('validation', `invalid input syntax for type date: "${v}"`, { sqlState: '22007' });
    return date;
  });
  db.table('pg_series', {
    columns: ['value'],
    parameters: ['start', 'stop', 'step'],
    rows: function* (start: unknown, stop: unknown, step: unknown) {
      if (start === null || stop === null || step === null) return;
      const a = seriesNumber(start);
      const b = seriesNumber(stop);
      const s = step === undefined ? 1 : seriesNumber(step);
      if (s === 0) throw new DoqlError('validation', 'generate_series: step size cannot equal zero', { sqlState: '22023' });
      // SQLite runs on the event loop: a runaway series would stall every connection of the server.
      if (Math.abs((b - a) / s) > MAX_SERIES) {
        throw new DoqlError('validation', `generate_series would make more than ${MAX_SERIES} rows`, { sqlState: '54000' });
      }
      for (let v = a; s > 0 ? v <= b : v >= b; v += s) yield [Number.isSafeInteger(v) ? BigInt(v) : v];
    },
  });

  // ---- arrays ----
  fn('array_to_string', (arr, sep, nullText) => {
    if (arr === null || sep === null) return null;
    const els = (arrayValues(arr, 'array_to_string') ?? [])
      .map((e) => (e === null ? (nullText === null || nullText === undefined ? undefined : String(nullText)) : String(e)))
      .filter((e): e is string => e !== undefined);
    return els.join(String(sep));
  });
  fn('string_to_array', (text, sep) => {
    if (text === null) return null;
    if (String(text) === '') return '{}';
    return formatArray(sep === null ? [...String(text)] : String(text).split(String(sep)));
  });
  // One-dimensional arrays: the upper bound is the length, the lower bound 1; an empty array has neither.
  fn('array_upper', (arr, dim) => arrayLength(arr, dim));
  fn('array_length', (arr, dim) => arrayLength(arr, dim));
  fn('array_lower', (arr, dim) => (arrayLength(arr, dim) === null ? null : 1n));
  fn('cardinality', (arr) => (arr === null ? null : BigInt(arrayValues(arr, 'cardinality')!.length)));

  // ---- catalog information ----
  fn('version', () => VERSION_STRING);
  fn('current_database', () => DATABASE_NAME);
  fn('current_catalog', () => DATABASE_NAME);
  fn('current_schema', () => 'public');
  fn('current_schemas', (implicit) => formatArray(Number(implicit) ? ['pg_catalog', 'public'] : ['public']));
  fn('pg_get_userbyid', (oid) => (oid === null ? null : Number(oid) === OWNER_OID ? OWNER_NAME : `unknown (OID=${oid})`));
  // The connection's pid, as BackendKeyData announced it (a wire session runs in whichever process is free).
  const asking = (): SessionCatalog | undefined => currentSessionCatalog() ?? session;
  // The user a wire client connected as (what it may do does not depend on it); the command line is the owner.
  for (const name of ['current_user', 'session_user', 'current_role', 'user']) fn(name, () => asking()?.backend?.()?.user ?? OWNER_NAME, false);
  fn('pg_backend_pid', () => asking()?.backend?.()?.pid ?? process.pid, false);
  for (const [name, how] of [['pg_cancel_backend', 'cancel'], ['pg_terminate_backend', 'terminate']] as const) {
    fn(
      name,
      (pid) => {
        if (pid === null || pid === undefined) return null;
        const s = asking();
        return bool(signalBackend(s?.backend?.(), Number(pid), how, (text) => s?.warnings?.push(text)));
      },
      false,
    );
  }
  fn('pg_postmaster_start_time', () => STARTED);
  fn('pg_is_in_recovery', () => 0);
  fn('txid_current', () => 1, false);
  fn('now', () => new Date().toISOString(), false);
  registerPgTimeAndJsonFunctions(db);
  registerPgLike(db);
  registerPgExact(db);
  fn('pg_encoding_to_char', (n) => (Number(n) === 6 ? 'UTF8' : n === null ? null : 'SQL_ASCII'));
  fn('format_type', (oid) => formatType(toNumber(oid)));
  fn(
    'set_config',
    (name, value, isLocal) => {
      const s = asking();
      const text = value === null ? null : String(value);
      return s?.setConfig ? s.setConfig(String(name), text, Boolean(Number(isLocal))) : text;
    },
    false,
  );
  const settings = new Map(serverSettings().map(([k, v]) => [k.toLowerCase(), v]));
  fn('current_setting', (name, missingOk) => {
    const value = asking()?.setting?.(String(name)) ?? settings.get(String(name).toLowerCase());
    if (value !== undefined || Number(missingOk)) return value ?? null;
    throw new DoqlError('not_found', `unrecognized configuration parameter "${name}"`, { sqlState: '42704' });
  });
  // The `digitalocean."service.resource"` aliases are not on the search path: plain \dt lists each resource once.
  fn('pg_table_is_visible', (oid) => (oid === null ? null : model.relationByOid.get(Number(oid))?.alias ? 0 : 1));
  for (const name of ['pg_type_is_visible', 'pg_function_is_visible', 'pg_opclass_is_visible', 'pg_opfamily_is_visible', 'pg_collation_is_visible', 'pg_conversion_is_visible', 'pg_operator_is_visible', 'pg_ts_config_is_visible', 'pg_ts_dict_is_visible', 'pg_ts_parser_is_visible', 'pg_ts_template_is_visible', 'pg_statistics_obj_is_visible']) {
    fn(name, (oid) => (oid === null ? null : 1));
  }
  for (const name of ['has_table_privilege', 'has_schema_privilege', 'has_database_privilege', 'has_column_privilege', 'has_any_column_privilege', 'has_function_privilege', 'has_sequence_privilege', 'pg_has_role']) {
    fn(name, () => 1);
  }
  fn('pg_relation_is_publishable', () => 0);
  for (const name of ['pg_table_size', 'pg_relation_size', 'pg_total_relation_size', 'pg_indexes_size', 'pg_database_size']) {
    fn(name, () => null); // API-backed tables take no space
  }
  fn('pg_size_pretty', (n) => {
    const bytes = toNumber(n);
    if (bytes === null) return null;
    const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
    let v = bytes;
    let u = 0;
    while (Math.abs(v) >= 10 * 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return `${Math.round(v)} ${units[u]}`;
  });
  fn('obj_description', (oid, catalogName) => {
    if (oid === null) return null;
    if (catalogName !== undefined && catalogName !== null) {
      const classoid = classOidByName.get(String(catalogName));
      return classoid === undefined ? null : (model.descriptions.get(descriptionKey(Number(oid), classoid, 0)) ?? null);
    }
    for (const [key, d] of model.descriptions) if (key.startsWith(`${Number(oid)}/`) && key.endsWith('/0')) return d;
    return null;
  });
  fn('col_description', (relid, attnum) =>
    relid === null || attnum === null ? null : (model.descriptions.get(descriptionKey(Number(relid), PG_CLASS_OID, Number(attnum))) ?? null),
  );
  fn('shobj_description', () => null);
  fn('pg_get_viewdef', (rel) => {
    if (rel === null) return null;
    const oid = /^\s*\d+\s*$/.test(String(rel)) ? Number(rel) : regclassOid(String(rel));
    const found = model.relationByOid.get(oid);
    return found?.kind === 'v' ? viewDefinition(found) : null;
  });
  // doql has no expressions, indexes, constraints, rules, triggers or functions to print.
  for (const name of ['pg_get_expr', 'pg_get_indexdef', 'pg_get_constraintdef', 'pg_get_ruledef', 'pg_get_triggerdef', 'pg_get_statisticsobjdef_columns', 'pg_get_partkeydef', 'pg_get_function_result', 'pg_get_function_arguments', 'pg_get_function_identity_arguments', 'pg_get_function_sqlbody', 'pg_get_serial_sequence']) {
    fn(name, () => null);
  }
  fn('getdatabaseencoding', () => 'UTF8');
  fn('pg_char_to_encoding', (name) => (name === null ? null : String(name).toUpperCase() === 'UTF8' ? 6 : -1));
  fn('pg_tablespace_location', () => '');
  fn('pg_get_functiondef', () => null);
  fn('quote_ident', (v) => (v === null ? null : /^[a-z_][a-z0-9_$]*$/.test(String(v)) ? String(v) : `"${String(v).replace(/"/g, '""')}"`));
}
