// The emulated pg_catalog / information_schema through a session, without a server or an API.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogDir, type LoadedCatalog } from '../../src/catalog/load.js';
import { createSession, type DoqlSession } from '../../src/engine/session.js';
import { isDoqlError } from '../../src/errors.js';
import { BUILT_CATALOG, buildMissing } from '../cli/doql-home.js';

const missing = buildMissing();

describe.skipIf(missing)('pg catalog through a session', () => {
  let catalog: LoadedCatalog;
  let session: DoqlSession;
  beforeAll(() => {
    catalog = loadCatalogDir(BUILT_CATALOG, 'built');
    session = createSession({
      catalog,
      api: () => {
        throw new Error('catalog queries must not call the API');
      },
    });
  });
  const one = async (sql: string, params?: unknown[]) => (await session.execute(sql, { params }))[0];

  it('lists a table per resource, in a schema per service, with their columns in order', async () => {
    const resources = Object.values(catalog.catalog.services).flatMap((s) => Object.values(s.resources));
    const tables = await one("SELECT count(*) AS n FROM pg_catalog.pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'digitalocean')");
    expect(tables.rows).toEqual([[resources.length]]);
    // Schema digitalocean names each resource once more, as service.resource (for \dt digitalocean.*).
    const aliases = await one("SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'digitalocean'");
    expect(aliases.rows).toEqual([[resources.length]]);
    const cols = await one(
      "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull FROM pg_attribute a WHERE a.attrelid = 'databases.backups'::regclass AND a.attnum > 0 ORDER BY a.attnum",
    );
    const backups = catalog.catalog.services.databases.resources.backups;
    expect(cols.rows.slice(0, backups.columns.length).map((r) => r[0])).toEqual(backups.columns.map((c) => c.name));
    expect(cols.rows).toContainEqual(['size_gigabytes', 'double precision', false]);
    expect(cols.rows).toContainEqual(['database_cluster_uuid', 'text', true]);
    expect(cols.columns.map((c) => c.type)).toEqual(['TEXT', 'TEXT', 'BOOLEAN']);
  });

  it('maps every doql SQL type to its Postgres type', async () => {
    const r = await one(
      "SELECT DISTINCT data_type FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
    );
    expect(r.rows.flat()).toEqual(expect.arrayContaining(['bigint', 'boolean', 'double precision', 'json', 'text']));
  });

  it('keeps descriptions as comments', async () => {
    const r = await one("SELECT obj_description('databases.backups'::regclass, 'pg_class'), col_description('databases.backups'::regclass, 2)");
    expect(r.rows[0]).toEqual([catalog.catalog.services.databases.resources.backups.description, 'The size of the database backup in GBs.']);
  });

  it('answers version() and friends with Postgres column names', async () => {
    const r = await one('SELECT version(), current_database(), current_schema(), $1::text AS x', ['y']);
    expect(r.columns.map((c) => c.name)).toEqual(['version', 'current_database', 'current_schema', 'x']);
    expect(r.rows[0]).toEqual([expect.stringMatching(/^PostgreSQL 16\.0 /), 'digitalocean', 'public', 'y']);
  });

  it('refuses to change the catalog and fails unknown things with Postgres SQLSTATEs', async () => {
    const failures: [string, string][] = [
      ['WITH x AS (SELECT 1) DELETE FROM pg_catalog.pg_class', '25006'],
      ['SELECT * FROM pg_catalog.pg_nope', '42P01'],
      ["SELECT 'nope.nope'::regclass", '42P01'],
      ['SELECT no_such_function()', '42883'],
      ['SELECT $1::text', '42P02'],
    ];
    for (const [sql, sqlState] of failures) {
      const err = await session.execute(sql).catch((e: unknown) => e);
      expect(isDoqlError(err) && err.sqlState, sql).toBe(sqlState);
    }
  });

  it("answers what pgjdbc's DatabaseMetaData asks: _pg_expandarray records, & and |, pg_get_keywords, max_index_keys", async () => {
    const fields = await one(
      "SELECT (information_schema._pg_expandarray(ARRAY['p', 'q'])).x, (information_schema._pg_expandarray(ARRAY['p', 'q'])).n FROM pg_catalog.pg_database",
    );
    expect(fields.rows).toEqual([['p', 1], ['q', 2]]);
    // A record passed through a subquery, read by field or printed whole as Postgres prints one.
    const through = await one("SELECT (k.r).n, k.r FROM (SELECT information_schema._pg_expandarray(ARRAY['a b', 'c']) AS r FROM pg_catalog.pg_database) k");
    expect(through.rows).toEqual([[1, '("a b",1)'], [2, '(c,2)']]);
    await expect(one("SELECT (k.r).y FROM (SELECT information_schema._pg_expandarray(ARRAY['p']) AS r FROM pg_catalog.pg_database) k")).rejects.toMatchObject({ sqlState: '42703' });
    await expect(one(`SELECT (k.r).x FROM (SELECT '{"x": 1}'::jsonb AS r FROM pg_catalog.pg_database) k`)).rejects.toMatchObject({ sqlState: '42809' });
    // pgjdbc's getIndexInfo and getPrimaryKeys over doql's empty pg_index.
    const keys = await one(
      "SELECT (information_schema._pg_expandarray(i.indkey)).n AS key_seq, i.indoption[0] & 1::smallint AS bit FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid WHERE c.relname = 'backups'",
    );
    expect(keys.rows).toEqual([]);
    expect((await one('SELECT 6 & 3, 6 | 3')).rows).toEqual([[2, 7]]);
    const words = await one("SELECT word, catcode, barelabel FROM pg_catalog.pg_get_keywords() WHERE word IN ('select', 'day', 'limit') ORDER BY word");
    expect(words.rows).toEqual([['day', 'U', false], ['limit', 'R', false], ['select', 'R', true]]);
    expect((await one("SELECT setting FROM pg_catalog.pg_settings WHERE name = 'max_index_keys'")).rows).toEqual([['32']]);
  });

  it('ends mutated Postgres-flavoured queries in a result or a DoqlError, never another exception', async () => {
    const seeds = [
      "SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname OPERATOR(pg_catalog.~) '^(backups)$' COLLATE pg_catalog.default ORDER BY 2, 3",
      "SELECT pg_catalog.array_to_string(c.reloptions || array(select 'toast.' || x from pg_catalog.unnest(tc.reloptions) x), ', '), c.reloftype::pg_catalog.regtype::pg_catalog.text FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid) WHERE c.oid = '16500'",
      "SELECT pubname, (SELECT string_agg(attname, ', ') FROM pg_catalog.generate_series(0, pg_catalog.array_upper(pr.prattrs::pg_catalog.int2[], 1)) s, pg_catalog.pg_attribute WHERE attnum = prattrs[s]) FROM pg_catalog.pg_publication_rel pr WHERE 'd' = any(pr.prattrs)",
      "SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname !~ '^pg_' AND n.nspname NOT LIKE E'pg\\\\_%' AND n.oid IS DISTINCT FROM 0",
      "SELECT trim(trailing ';' from pg_catalog.pg_get_ruledef(r.oid, true)), CAST($1 AS pg_catalog.text) FROM databases.backups b",
    ];
    const pieces = ['::', '::text', '::regclass', '::int[]', 'OPERATOR(', '~', '!~', '~*', 'COLLATE', 'ARRAY[', 'ARRAY(', 'any(', 'E', "E'\\n'", '[', ']', '(', ')', ',', "'", 'pg_catalog.', 'unnest(', 'trim(', 'FROM', 'IS DISTINCT FROM', '$1', 'databases.', 'digitalocean.'];
    const query = fc
      .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(6), fc.constantFrom(...pieces), fc.boolean()), { minLength: 1, maxLength: 4 }))
      .map(([seed, edits]) =>
        edits.reduce((s, [pos, len, piece, insert]) => {
          const at = pos % (s.length + 1);
          return insert ? s.slice(0, at) + piece + s.slice(at) : s.slice(0, at) + s.slice(at + len);
        }, seed),
      );
    await fc.assert(
      fc.asyncProperty(query, async (sql) => {
        try {
          await session.execute(sql, { params: ['x'] });
        } catch (err) {
          if (!isDoqlError(err)) throw new Error(`${sql}\n→ ${String(err)}`);
        }
      }),
      { numRuns: Number(process.env.DOQL_FUZZ_RUNS ?? 500) },
    );
  });
});
