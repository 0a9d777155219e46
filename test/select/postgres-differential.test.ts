// Every Postgres construct doql translates, run both in doql (over the sandbox) and in a real Postgres 15
// (Debian's binaries, started by test/support/postgres.ts in a temp dir) loaded with the same rows: the answers
// must agree. JSON array columns stand in for Postgres arrays, so each table exists twice in Postgres: in
// schema `compute` with text[] / bigint[] arrays (for ANY, unnest, array_length) and in `compute_jsonb` with
// jsonb (for @>, ?, ?|, ?&); a case marked `jsonb` reads the second. Objects are jsonb in both.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { CellValue, StatementResult } from '../../src/engine/types.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../support/postgres.js';
import { sessionFor, startSandbox, type TestSession } from './helpers.js';

const missing = postgresMissing();
const available = missing === undefined;
if (!available) console.warn(`postgres-differential: skipped: ${missing}`);

/** The resources loaded into Postgres, each as schema.table named like doql's `digitalocean.schema.table`. */
const RESOURCES = ['compute.droplets', 'compute.volumes', 'vpcs.vpcs'];

interface Case {
  sql: string;
  /** Postgres's text when doql's cannot be (a reserved word Postgres wants quoted). */
  pg?: string;
  /** Run in Postgres against the jsonb copy of the tables. */
  jsonb?: boolean;
  /** Compare rows in order (the query orders them completely); otherwise as sets. */
  ordered?: boolean;
}

/** A tag and a droplet id that exist in the data, found once it is loaded. */
interface Facts {
  tag: string;
  otherTag: string;
  dropletId: number;
  /** The largest memory of a droplet: nullif(memory, it) makes NULLs among numbers. */
  maxMemory: number;
}

const cases = (f: Facts): Record<string, Case> => ({
  // ---- forms doql already translated ----
  'now() - interval': { sql: "SELECT name FROM digitalocean.compute.droplets WHERE created_at > now() - interval '1000 days'" },
  'timestamp + interval': { sql: "SELECT name, created_at + interval '1 day 2 hours' AS later FROM digitalocean.compute.droplets" },
  'date_trunc month, GROUP BY 1': { sql: "SELECT date_trunc('month', created_at) AS m, count(*) AS n FROM digitalocean.compute.droplets GROUP BY 1 ORDER BY 1", ordered: true },
  'extract year': { sql: 'SELECT extract(year FROM created_at) AS y, count(*) AS n FROM digitalocean.compute.droplets GROUP BY 1 ORDER BY 1', ordered: true },
  'date_part dow': { sql: "SELECT name, date_part('dow', created_at) AS dow FROM digitalocean.compute.droplets" },
  'json_agg ordered': { sql: 'SELECT json_agg(name ORDER BY name) AS names FROM digitalocean.compute.droplets' },
  '->> on an object': { sql: "SELECT name, region ->> 'slug' AS slug FROM digitalocean.compute.droplets" },
  '-> then ->>': { sql: "SELECT name, region -> 'features' ->> 0 AS first FROM digitalocean.compute.droplets" },
  '-> gives JSON': { sql: "SELECT name, region -> 'features' AS f FROM digitalocean.compute.droplets" },
  '::text and ::int casts': { sql: "SELECT name, memory::text AS m, '42'::int + 1 AS n FROM digitalocean.compute.droplets" },
  '::date cast': { sql: 'SELECT name, created_at::date AS d FROM digitalocean.compute.droplets' },
  'CAST(… AS …)': { sql: 'SELECT name, CAST(vcpus AS text) AS v FROM digitalocean.compute.droplets' },
  ILIKE: { sql: "SELECT name FROM digitalocean.compute.droplets WHERE name ILIKE '%DEV%'" },
  'LIKE tells case apart': { sql: "SELECT name, upper(name) LIKE name AS same, name LIKE 'WEB%' AS web FROM digitalocean.compute.droplets" },
  'dollar quotes': { sql: 'SELECT name FROM digitalocean.compute.droplets WHERE name LIKE $$%-1$$' },
  CTE: { sql: `WITH big AS (SELECT name, memory FROM digitalocean.compute.droplets WHERE memory >= ${f.maxMemory}) SELECT count(*) AS n, max(memory) AS m FROM big` },
  'window row_number': {
    sql: "SELECT name, row_number() OVER (PARTITION BY region ->> 'slug' ORDER BY created_at, name) AS r FROM digitalocean.compute.droplets",
  },
  'window sum running': { sql: 'SELECT name, sum(memory) OVER (ORDER BY name) AS running FROM digitalocean.compute.droplets ORDER BY name', ordered: true },
  'LATERAL jsonb_array_elements_text': {
    sql: "SELECT d.name, f FROM digitalocean.compute.droplets d CROSS JOIN LATERAL jsonb_array_elements_text(d.region -> 'features') AS f",
  },
  'jsonb_array_elements_text AS t(col)': {
    sql: "SELECT d.name, f.feature FROM digitalocean.compute.droplets d, jsonb_array_elements_text(d.region -> 'features') AS f(feature) WHERE f.feature LIKE 'i%'",
  },
  'IS DISTINCT FROM': { sql: "SELECT name FROM digitalocean.compute.droplets WHERE region ->> 'slug' IS DISTINCT FROM 'nyc3'" },
  'string_agg ordered': { sql: "SELECT status, string_agg(name, ',' ORDER BY name) AS names FROM digitalocean.compute.droplets GROUP BY status" },
  'count FILTER': { sql: `SELECT count(*) FILTER (WHERE memory >= ${f.maxMemory}) AS big, count(*) AS n FROM digitalocean.compute.droplets` },
  'regex ~': { sql: "SELECT name FROM digitalocean.compute.droplets WHERE name ~ '^[a-m]'" },
  'CASE and COALESCE': { sql: `SELECT name, CASE WHEN memory >= ${f.maxMemory} THEN 'big' ELSE 'small' END AS k, coalesce(NULL, name) AS c FROM digitalocean.compute.droplets` },
  'jsonb_array_length': { sql: "SELECT name, jsonb_array_length(region -> 'sizes') AS n FROM digitalocean.compute.droplets" },
  'join on an array element': {
    sql: 'SELECT v.name AS volume, d.name AS droplet FROM digitalocean.compute.volumes v JOIN digitalocean.compute.droplets d ON d.id = ANY(v.droplet_ids)',
  },

  // ---- arrays: ANY, ALL, unnest, array_length ----
  "'tag' = ANY(tags)": { sql: `SELECT name FROM digitalocean.compute.droplets WHERE '${f.tag}' = ANY(tags)` },
  '= ANY in the select list': { sql: `SELECT name, '${f.tag}' = ANY(tags) AS tagged FROM digitalocean.compute.droplets` },
  'NOT (= ANY)': { sql: `SELECT name FROM digitalocean.compute.droplets WHERE NOT ('${f.tag}' = ANY(tags))` },
  '<> ALL(tags)': { sql: `SELECT name FROM digitalocean.compute.droplets WHERE '${f.tag}' <> ALL(tags)` },
  '= ANY(ARRAY[…])': { sql: `SELECT name FROM digitalocean.compute.droplets WHERE name = ANY(ARRAY['${f.tag}', 'nobody'])` },
  'id = ANY(int array)': { sql: `SELECT name FROM digitalocean.compute.volumes WHERE ${f.dropletId} = ANY(droplet_ids)` },
  '= ANY(subquery)': { sql: "SELECT name FROM digitalocean.compute.droplets WHERE id = ANY(SELECT unnest(droplet_ids) FROM digitalocean.compute.volumes)" },
  'array_length(tags, 1)': { sql: 'SELECT name, array_length(tags, 1) AS n FROM digitalocean.compute.droplets' },
  cardinality: { sql: 'SELECT name, cardinality(tags) AS n FROM digitalocean.compute.droplets' },
  array_to_string: { sql: "SELECT name, array_to_string(tags, ';') AS t FROM digitalocean.compute.droplets" },
  'tags[1]': { sql: 'SELECT name, tags[1] AS first FROM digitalocean.compute.droplets' },
  'unnest in the select list': { sql: 'SELECT name, unnest(tags) FROM digitalocean.compute.droplets' },
  'unnest of ints in the select list': { sql: 'SELECT name, unnest(droplet_ids) AS d FROM digitalocean.compute.volumes' },
  'unnest in FROM, GROUP BY': { sql: 'SELECT t, count(*) AS n FROM digitalocean.compute.droplets d, unnest(d.tags) AS t GROUP BY t' },
  'unnest AS t(col)': { sql: 'SELECT d.name, x.tag FROM digitalocean.compute.droplets d CROSS JOIN LATERAL unnest(d.tags) AS x(tag)' },
  'upper(unnest(…))': { sql: 'SELECT upper(unnest(tags)) FROM digitalocean.compute.droplets' },

  // ---- jsonb operators ----
  "tags @> '[\"x\"]'": { sql: `SELECT name FROM digitalocean.compute.droplets WHERE tags @> '["${f.tag}"]'`, jsonb: true },
  '@> in the select list': { sql: `SELECT name, tags @> '["${f.tag}"]' AS has FROM digitalocean.compute.droplets`, jsonb: true },
  '@> on an object': { sql: `SELECT name FROM digitalocean.compute.droplets WHERE region @> '{"slug": "nyc3"}'` },
  '-> then @>': { sql: `SELECT name FROM digitalocean.compute.droplets WHERE region -> 'sizes' @> '["s-1vcpu-1gb"]'` },
  '<@': { sql: `SELECT name FROM digitalocean.compute.droplets WHERE tags <@ '["${f.tag}", "${f.otherTag}"]'`, jsonb: true },
  "tags ? 'x'": { sql: `SELECT name FROM digitalocean.compute.droplets WHERE tags ? '${f.tag}'`, jsonb: true },
  "region ? 'slug'": { sql: "SELECT name, region ? 'slug' AS s, region ? 'nope' AS n FROM digitalocean.compute.droplets" },
  '?|': { sql: `SELECT name FROM digitalocean.compute.droplets WHERE tags ?| array['${f.tag}', '${f.otherTag}']`, jsonb: true },
  '?&': { sql: `SELECT name FROM digitalocean.compute.droplets WHERE tags ?& array['${f.tag}', '${f.otherTag}']`, jsonb: true },
  '@> AND ?': { sql: `SELECT name FROM digitalocean.compute.droplets WHERE tags @> '[]' AND NOT tags ? '${f.otherTag}'`, jsonb: true },

  // ---- DISTINCT ON ----
  'DISTINCT ON': {
    sql: "SELECT DISTINCT ON (region ->> 'slug') region ->> 'slug' AS slug, name, created_at FROM digitalocean.compute.droplets ORDER BY region ->> 'slug', created_at DESC, name",
    ordered: true,
  },
  'DISTINCT ON by position and alias': {
    sql: 'SELECT DISTINCT ON (1) status AS s, name FROM digitalocean.compute.droplets ORDER BY s, name DESC',
    ordered: true,
  },
  'DISTINCT ON with LIMIT': {
    sql: 'SELECT DISTINCT ON (vcpus) vcpus, name, memory FROM digitalocean.compute.droplets ORDER BY vcpus DESC, memory, name LIMIT 2',
    ordered: true,
  },

  // ---- text and time functions ----
  'split_part 1, -1, 5': { sql: "SELECT name, split_part(name, '-', 1) AS a, split_part(name, '-', -1) AS b, split_part(name, '-', 5) AS c FROM digitalocean.compute.droplets" },
  "to_char 'YYYY-MM-DD HH24:MI:SS'": { sql: "SELECT name, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS') AS t FROM digitalocean.compute.droplets" },
  "to_char 'Mon DD, YYYY' and 'FMMonth'": { sql: "SELECT name, to_char(created_at, 'Mon DD, YYYY') AS a, to_char(created_at, 'FMMonth') AS b, to_char(created_at, 'MONTH') AS c FROM digitalocean.compute.droplets" },
  "to_char 'Day Dy D'": { sql: "SELECT name, to_char(created_at, 'Day|Dy|D|FMDay|day') AS t FROM digitalocean.compute.droplets" },
  "to_char 'HH12:MI AM'": { sql: "SELECT name, to_char(created_at, 'HH12:MI AM pm') AS t FROM digitalocean.compute.droplets" },
  'to_char quoted text, Q, DDD, IW, WW, W, J': { sql: `SELECT name, to_char(created_at, 'YYYY"Q"Q DDD IW WW W J CC YY') AS t FROM digitalocean.compute.droplets` },
  'to_char FMDDth': { sql: "SELECT name, to_char(created_at, 'FMDDth \"of\" FMMonth, IYYY') AS t FROM digitalocean.compute.droplets" },
  'age(t1, t2)': { sql: "SELECT name, age('2026-03-01T12:00:00Z', created_at) AS a FROM digitalocean.compute.droplets" },
  'age the other way': { sql: "SELECT name, age(created_at, '2026-03-01T12:00:00Z') AS a FROM digitalocean.compute.droplets" },
  'extract from age': { sql: "SELECT name, extract(year FROM age('2026-03-01T12:00:00Z', created_at)) AS y, date_part('month', age('2026-03-01T12:00:00Z', created_at)) AS m FROM digitalocean.compute.droplets" },

  // ---- aggregates ----
  'bool_or, bool_and': { sql: `SELECT status, bool_or(memory >= ${f.maxMemory}) AS any_big, bool_and(memory >= ${f.maxMemory}) AS all_big, every(vcpus > 0) AS e FROM digitalocean.compute.droplets GROUP BY status` },
  'bool_or over a boolean column': { sql: 'SELECT bool_or(locked) AS l, bool_and(NOT locked) AS u FROM digitalocean.compute.droplets' },
  'percentile_cont(0.5)': { sql: 'SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY memory) AS median FROM digitalocean.compute.droplets' },
  'percentile_cont(0.9) DESC, by group': {
    sql: "SELECT region ->> 'slug' AS r, percentile_cont(0.9) WITHIN GROUP (ORDER BY memory DESC) AS p FROM digitalocean.compute.droplets GROUP BY 1",
  },
  percentile_disc: { sql: 'SELECT percentile_disc(0.25) WITHIN GROUP (ORDER BY disk) AS q FROM digitalocean.compute.droplets' },
  'mode()': { sql: 'SELECT mode() WITHIN GROUP (ORDER BY vcpus) AS m FROM digitalocean.compute.droplets' },

  // ---- generate_series ----
  'SELECT generate_series(1,3)': { sql: 'SELECT generate_series(1,3)', ordered: true },
  'generate_series with a step': { sql: 'SELECT generate_series(10, 1, -3) AS g', ordered: true },
  'generate_series in FROM': { sql: 'SELECT g * 2 AS x FROM generate_series(1, 5) AS g', ordered: true },
  'generate_series beside a table': { sql: "SELECT name, generate_series(1, 2) AS k FROM digitalocean.compute.droplets WHERE name LIKE '%-1'" },

  // ---- names, reserved words, ordering ----
  'a column named default': { sql: 'SELECT id, name, default FROM digitalocean.vpcs.vpcs', pg: 'SELECT id, name, "default" FROM digitalocean.vpcs.vpcs' },
  'default in WHERE': { sql: 'SELECT name FROM digitalocean.vpcs.vpcs v WHERE v.default', pg: 'SELECT name FROM digitalocean.vpcs.vpcs v WHERE v."default"' },
  'Postgres column names': { sql: 'SELECT count(*), max(memory), upper(min(name)), sum(vcpus) + 1 FROM digitalocean.compute.droplets' },
  'NULLs last going up': {
    sql: `SELECT name, nullif(memory, ${f.maxMemory}) AS m FROM digitalocean.compute.droplets ORDER BY 2, name`,
    ordered: true,
  },
  'NULLs first going down': {
    sql: `SELECT name, nullif(memory, ${f.maxMemory}) AS m FROM digitalocean.compute.droplets ORDER BY m DESC, name`,
    ordered: true,
  },
  'IN, BETWEEN, LIMIT OFFSET': {
    sql: "SELECT name FROM digitalocean.compute.droplets WHERE vcpus IN (1, 2) AND memory BETWEEN 500 AND 5000 ORDER BY name LIMIT 5 OFFSET 1",
    ordered: true,
  },
  'comparison gives a boolean': { sql: `SELECT name, memory >= ${f.maxMemory} AS big, locked FROM digitalocean.compute.droplets` },
});

// ---- loading the rows doql sees ----

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The Postgres type for a doql column, from its values: scalar JSON arrays become Postgres arrays unless `jsonb`. */
function pgType(type: string, values: CellValue[], jsonb: boolean): string {
  const present = values.filter((v) => v !== null);
  switch (type) {
    case 'INTEGER':
      return 'bigint';
    case 'REAL':
      return 'double precision';
    case 'BOOLEAN':
      return 'boolean';
    case 'JSON': {
      if (jsonb) return 'jsonb';
      const parsed = present.map((v) => JSON.parse(String(v)) as unknown);
      if (!parsed.every(Array.isArray)) return 'jsonb';
      const els = (parsed as unknown[][]).flat();
      if (els.every((e) => typeof e === 'string')) return 'text[]';
      if (els.every((e) => Number.isInteger(e))) return 'bigint[]';
      return 'jsonb';
    }
    default:
      return present.length && present.every((v) => typeof v === 'string' && ISO_TIME.test(v)) ? 'timestamptz' : 'text';
  }
}

async function load(client: pg.Client, t: TestSession): Promise<void> {
  for (const id of RESOURCES) {
    const [schema, table] = id.split('.');
    const [r] = await t.session.execute(`SELECT * FROM digitalocean.${id}`);
    for (const [target, jsonb] of [[schema, false], [`${schema}_jsonb`, true]] as const) {
      const types = r.columns.map((c, i) => pgType(c.type, r.rows.map((row) => row[i]), jsonb));
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${q(target)}`);
      await client.query(`CREATE TABLE ${q(target)}.${q(table)} (${r.columns.map((c, i) => `${q(c.name)} ${types[i]}`).join(', ')})`);
      for (const row of r.rows) {
        const values = row.map((v, i) => (v === null ? null : types[i].endsWith('[]') ? (JSON.parse(String(v)) as unknown[]) : typeof v === 'bigint' ? v.toString() : v));
        await client.query(`INSERT INTO ${q(target)}.${q(table)} VALUES (${row.map((_, i) => `$${i + 1}`).join(', ')})`, values);
      }
    }
  }
}

// ---- comparing answers ----

/** Postgres's text form of an array (`{a,"b c"}`) as its elements. */
function pgArray(text: string): (string | null)[] {
  const body = text.slice(1, -1);
  const out: (string | null)[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while (body !== '' && re.lastIndex < body.length && (m = re.exec(body)) !== null) {
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] === 'NULL' ? null : m[2]);
    if (m[0] === '') break;
  }
  return out;
}

/** JSON with object keys sorted: jsonb stores keys in its own order, the API (and doql) in the API's. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** Floating-point results agree to 12 significant digits: Postgres computes avg & co. in numeric, doql in doubles. */
const num = (v: number): number => Number(v.toPrecision(12));

const OID = { bool: 16, int8: 20, int2: 21, int4: 23, float4: 700, float8: 701, numeric: 1700, timestamptz: 1184, timestamp: 1114, date: 1082, json: 114, jsonb: 3802, textArray: 1009, int8Array: 1016 };

/**
 * A value as both sides are compared, driven by the Postgres column type: the same answer, written the
 * way each side writes it. Each rule says why the two forms are the same value.
 */
function normal(v: unknown, type: number): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case OID.bool: // Postgres prints t/f; doql gives true/false
      return typeof v === 'string' ? v === 't' : v === true || v === 1 || v === 1n;
    case OID.int2:
    case OID.int4:
    case OID.int8:
      return Number(v);
    case OID.float4:
    case OID.float8:
    case OID.numeric:
      return num(Number(v));
    case OID.timestamptz:
    case OID.timestamp: {
      // One instant: Postgres prints `2024-06-11 10:18:00+00`, DigitalOcean and doql `2024-06-11T10:18:00Z`.
      const text = String(v);
      const d = new Date(/[+-]\d{2}$/.test(text) ? `${text.replace(' ', 'T')}:00` : text.includes('T') || text.endsWith('Z') ? text : `${text.replace(' ', 'T')}Z`);
      return Number.isNaN(d.getTime()) ? text : d.toISOString();
    }
    case OID.json:
    case OID.jsonb: // jsonb re-spaces and re-orders keys; the JSON value is what counts
      return canonical(JSON.parse(String(v)));
    case OID.textArray:
    case OID.int8Array: // JSON arrays stand in for Postgres arrays: compare the elements
      return canonical(String(v).startsWith('{') ? pgArray(String(v)).map((e) => (type === OID.int8Array && e !== null ? Number(e) : e)) : JSON.parse(String(v)));
    default:
      return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? num(v) : v;
  }
}

function compare(name: string, c: Case, mine: StatementResult, theirs: pg.QueryResult): void {
  const types = theirs.fields.map((f) => f.dataTypeID);
  expect(mine.columns.map((col) => col.name), `${name}: column names`).toEqual(theirs.fields.map((f) => f.name));
  const a = mine.rows.map((r) => r.map((v, i) => normal(v, types[i])));
  const b = (theirs.rows as unknown[][]).map((r) => r.map((v, i) => normal(v, types[i])));
  const key = (r: unknown[]): string => JSON.stringify(r);
  if (c.ordered) expect(a, name).toEqual(b);
  else expect(a.map(key).sort(), name).toEqual(b.map(key).sort());
}

describe.skipIf(!available)('doql gives Postgres 15 answers (differential, against a real Postgres)', () => {
  let server: TestPostgres | undefined;
  let client: pg.Client;
  let sb: Sandbox;
  let t: TestSession;
  let facts: Facts;

  beforeAll(async () => {
    sb = await startSandbox({ seed: 11, count: { 'compute.droplets': 40, 'compute.volumes': 15, 'vpcs.vpcs': 6 } });
    t = sessionFor(sb, { cacheTtlMs: 600_000 });
    // Text output compared with doql's: UTC and ISO dates, whatever the machine's locale.
    server = await startPostgres({ TimeZone: 'UTC', DateStyle: 'ISO', IntervalStyle: 'postgres' });
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    // The database is named like the provider, so `digitalocean.compute.droplets` means schema.table in it.
    await admin.query('CREATE DATABASE digitalocean');
    await admin.end();
    // Every value as text: the comparison reads each as its Postgres type says (normal()).
    client = new pg.Client({ connectionString: server.url.replace(/\/postgres$/, '/digitalocean'), types: { getTypeParser: () => (v: string) => v } });
    await client.connect();
    await load(client, t);
    const tagged = await t.rows('SELECT t, count(*) AS n FROM digitalocean.compute.droplets d, unnest(d.tags) AS t GROUP BY t ORDER BY n DESC, t');
    const attached = await t.rows('SELECT d FROM digitalocean.compute.volumes v, unnest(v.droplet_ids) AS d ORDER BY d');
    const [[maxMemory]] = await t.rows('SELECT max(memory) FROM digitalocean.compute.droplets');
    facts = { tag: String(tagged[0]?.[0]), otherTag: String(tagged[1]?.[0]), dropletId: Number(attached[0]?.[0]), maxMemory: Number(maxMemory) };
  }, 60_000);

  afterAll(async () => {
    await client?.end().catch(() => undefined);
    await server?.stop();
    await sb?.close();
  });

  it('has tagged droplets and attached volumes to ask about (the cases below mean something)', () => {
    expect(facts.tag).not.toBe('undefined');
    expect(facts.otherTag).not.toBe('undefined');
    expect(Number.isInteger(facts.dropletId)).toBe(true);
    expect(Number.isInteger(facts.maxMemory)).toBe(true);
  });

  it('answers at least 60 constructs exactly as Postgres does', async () => {
    const all = Object.entries(cases(facts));
    expect(all.length).toBeGreaterThanOrEqual(60);
    const failures: string[] = [];
    for (const [name, c] of all) {
      const pgSql = (c.pg ?? c.sql).replace(/digitalocean\.(\w+)\./g, (_, s: string) => `digitalocean.${s}${c.jsonb ? '_jsonb' : ''}.`);
      let theirs: pg.QueryResult;
      try {
        theirs = await client.query({ text: pgSql, rowMode: 'array' });
      } catch (err) {
        failures.push(`${name}: Postgres refused it: ${(err as Error).message}`);
        continue;
      }
      try {
        const [mine] = await t.session.execute(c.sql);
        compare(name, c, mine, theirs);
      } catch (err) {
        failures.push(`${name}: ${(err as Error).message.split('\n').slice(0, 12).join('\n')}`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
