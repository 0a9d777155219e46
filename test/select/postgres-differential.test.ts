// Every Postgres construct doql translates (differential-cases.ts), run both in doql (over the sandbox) and in a
// real Postgres 15 (Debian's binaries, started once by test/support/postgres.ts in a temp dir) loaded with the same
// rows: the values must agree (doql's session, as the CLI prints them) and so must the text a client reads (doql's
// wire server, in process, read as text like Postgres's: psql's and a driver's view). Where Postgres raises an error
// doql must raise the same SQLSTATE; where doql cannot give Postgres's answer it must refuse, naming the construct.
// A case with `params` sends them untyped through the extended protocol (as a driver does) to both servers.
// JSON array columns stand in for Postgres arrays, so each table exists twice in Postgres: in schema `compute` with
// text[] / bigint[] arrays (for ANY, unnest, array_length) and in `compute_jsonb` with jsonb (for @>, ?, ?|, ?&); a
// case marked `jsonb` reads the second, and arrays are compared element by element. Objects are jsonb in both.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { CellValue, StatementResult } from '../../src/engine/types.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../support/postgres.js';
import { createPgServer, type PgServer } from '../../src/server/pg-server.js';
import { cases, type Case, type Facts } from './differential-cases.js';
import { sessionFor, startSandbox, type TestSession } from './helpers.js';

const missing = postgresMissing();
const available = missing === undefined;
if (!available) console.warn(`postgres-differential: skipped: ${missing}`);

/** The resources loaded into Postgres, each as schema.table named like doql's `digitalocean.schema.table`. */
const RESOURCES = ['compute.droplets', 'compute.volumes', 'vpcs.vpcs'];

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
  inOrder(name, c, a, b);
}

/** The rows agree (in order, or as sets); else an error showing the first row that differs. */
function inOrder(name: string, c: Case, a: unknown[][], b: unknown[][]): void {
  const key = (r: unknown[]): string => JSON.stringify(r);
  const [mine, theirs] = c.ordered ? [a.map(key), b.map(key)] : [a.map(key).sort(), b.map(key).sort()];
  if (mine.length !== theirs.length) throw new Error(`${name}: ${mine.length} rows, Postgres ${theirs.length}: doql ${mine.slice(0, 3).join(' ')}; Postgres ${theirs.slice(0, 3).join(' ')}`);
  const i = mine.findIndex((r, k) => r !== theirs[k]);
  if (i >= 0) throw new Error(`${name}: row ${i}: doql ${mine[i]}, Postgres ${theirs[i]}`);
}

/**
 * The text a client reads from each side, compared as text: what psql prints, what a driver parses. The one
 * allowance is the stand-in the tables are built on: a Postgres array column is a JSON array in doql, so those
 * are compared element by element.
 */
function compareText(name: string, c: Case, mine: pg.QueryResult, theirs: pg.QueryResult): void {
  const types = theirs.fields.map((f) => f.dataTypeID);
  expect(mine.fields.map((f) => f.name), `${name}: column names on the wire`).toEqual(theirs.fields.map((f) => f.name));
  if (c.wireTypes) expect(mine.fields.map((f) => f.dataTypeID), `${name}: type OIDs on the wire`).toEqual(types);
  const text = (v: unknown, i: number): unknown => (v !== null && (types[i] === OID.textArray || types[i] === OID.int8Array) ? normal(v, types[i]) : v);
  const a = (mine.rows as unknown[][]).map((r) => r.map(text));
  const b = (theirs.rows as unknown[][]).map((r) => r.map(text));
  inOrder(`${name} (text on the wire)`, c, a, b);
}

/** A query's rows as text (every value as the server wrote it), or the error it raised. */
async function textRows(client: pg.Client, sql: string, params?: unknown[]): Promise<pg.QueryResult | { error: { code?: string; message: string } }> {
  try {
    return await client.query({ text: sql, rowMode: 'array', ...(params ? { values: params } : {}) });
  } catch (err) {
    return { error: err as { code?: string; message: string } };
  }
}

/** pg's client with every value left as the text the server sent. */
const textClient = (url: string): pg.Client => new pg.Client({ connectionString: url, types: { getTypeParser: () => (v: string) => v } });

describe.skipIf(!available)('doql gives Postgres 15 answers (differential, against a real Postgres)', () => {
  let server: TestPostgres | undefined;
  let client: pg.Client;
  let sb: Sandbox;
  let t: TestSession;
  let served: PgServer;
  let wire: pg.Client;
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
    client = textClient(server.url.replace(/\/postgres$/, '/digitalocean'));
    await client.connect();
    await load(client, t);
    // doql's wire server over the same session, read the same way: the text a psql or driver user gets.
    served = createPgServer({ sessionFactory: () => ({ execute: (sql, o) => t.session.execute(sql, o), executeEach: t.session.executeEach?.bind(t.session), close: () => {} }) });
    const { port } = await served.listen(0, '127.0.0.1');
    wire = textClient(`postgres://tester@127.0.0.1:${port}/digitalocean`);
    await wire.connect();
    const tagged = await t.rows('SELECT t, count(*) AS n FROM digitalocean.compute.droplets d, unnest(d.tags) AS t GROUP BY t ORDER BY n DESC, t');
    const attached = await t.rows('SELECT d FROM digitalocean.compute.volumes v, unnest(v.droplet_ids) AS d ORDER BY d');
    const [[maxMemory]] = await t.rows('SELECT max(memory) FROM digitalocean.compute.droplets');
    const [[createdAt]] = await t.rows('SELECT created_at FROM digitalocean.compute.droplets ORDER BY name LIMIT 1');
    facts = { tag: String(tagged[0]?.[0]), otherTag: String(tagged[1]?.[0]), dropletId: Number(attached[0]?.[0]), maxMemory: Number(maxMemory), createdAt: String(createdAt) };
  }, 60_000);

  afterAll(async () => {
    await client?.end().catch(() => undefined);
    await wire?.end().catch(() => undefined);
    await served?.close();
    await server?.stop();
    await sb?.close();
  });

  it('has tagged droplets and attached volumes to ask about (the cases below mean something)', () => {
    expect(facts.tag).not.toBe('undefined');
    expect(facts.otherTag).not.toBe('undefined');
    expect(Number.isInteger(facts.dropletId)).toBe(true);
    expect(Number.isInteger(facts.maxMemory)).toBe(true);
    expect(facts.createdAt).toMatch(ISO_TIME);
  });

  it('answers at least 200 constructs exactly as Postgres does: the values, and the text a client reads', async () => {
    const all = Object.entries(cases(facts));
    expect(all.length).toBeGreaterThanOrEqual(200);
    const failures: string[] = [];
    for (const [name, c] of all) {
      const pgSql = (c.pg ?? c.sql).replace(/digitalocean\.(\w+)\./g, (_, s: string) => `digitalocean.${s}${c.jsonb ? '_jsonb' : ''}.`);
      if (c.refused !== undefined) {
        // doql cannot give Postgres's answer: it must say so, naming the construct, in the session and on the wire.
        let message = 'none';
        try {
          await t.session.execute(c.sql);
        } catch (err) {
          message = (err as Error).message;
        }
        if (!message.includes(c.refused)) failures.push(`${name}: doql did not refuse it naming ${c.refused} (${message})`);
        const served = await textRows(wire, c.sql);
        if (!('error' in served) || !served.error.message.includes(c.refused)) failures.push(`${name}: doql serve did not refuse it naming ${c.refused}`);
        continue;
      }
      const theirs = await textRows(client, pgSql, c.params);
      const served = await textRows(wire, c.sql, c.params);
      if (c.error !== undefined) {
        // Postgres raises it; doql must raise the same, in the session and on the wire, not answer.
        if (!('error' in theirs) || theirs.error.code !== c.error) failures.push(`${name}: Postgres did not raise ${c.error}`);
        let code: string | undefined = 'none';
        let message = '';
        try {
          await t.session.execute(c.sql, { params: c.params });
        } catch (err) {
          code = (err as { sqlState?: string }).sqlState;
          message = (err as Error).message;
        }
        if (code !== c.error) failures.push(`${name}: doql's session raised ${code ?? 'an error without a SQLSTATE'}, not ${c.error}`);
        if (!('error' in served) || served.error.code !== c.error) failures.push(`${name}: doql serve ${'error' in served ? `raised ${served.error.code}: ${served.error.message}` : 'answered'}, not ${c.error}`);
        if (c.message !== undefined) {
          // Postgres's words, which a person or a client matching on them reads: the same in the session and on the wire.
          const said = [['Postgres', 'error' in theirs ? theirs.error.message : ''], ["doql's session", message], ['doql serve', 'error' in served ? served.error.message : '']];
          for (const [who, text] of said) if (text !== c.message) failures.push(`${name}: ${who} said "${text}", not "${c.message}"`);
        }
        continue;
      }
      if ('error' in theirs) {
        failures.push(`${name}: Postgres refused it: ${theirs.error.message}`);
        continue;
      }
      try {
        const [mine] = await t.session.execute(c.sql, { params: c.params });
        compare(name, c, mine, theirs);
        if ('error' in served) throw new Error(`doql serve: ${served.error.message}`);
        compareText(name, c, served, theirs);
      } catch (err) {
        failures.push(`${name}: ${(err as Error).message.split('\n').slice(0, 14).join('\n')}`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
