// The Postgres → SQLite rewriting of client queries: token-level, strings and comments untouched.
import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/sql/lexer.js';
import { rewritePostgres } from '../../src/engine/pg-catalog-rewrite.js';

/** The rewritten SQL with runs of spaces collapsed (operators are emitted with spaces around them). */
const rw = (sql: string, functionNames = false): string =>
  rewritePostgres(tokenize(sql), functionNames)
    .sql.replace(/ +/g, ' ')
    .trim();

describe('rewritePostgres', () => {
  it.each([
    ['SELECT $1::text AS x', 'SELECT CAST($1 AS TEXT) AS x'],
    ['SELECT x::pg_catalog.int4 AS n', 'SELECT CAST(x AS INTEGER) AS n'],
    ['SELECT a.b.c :: double precision AS f', 'SELECT CAST(a.b.c AS REAL) AS f'],
    ['SELECT f(x, y)::varchar(10) AS v', 'SELECT CAST(f(x, y) AS TEXT) AS v'],
    ['SELECT (a + b)::bigint AS s', 'SELECT CAST((a + b) AS INTEGER) AS s'],
    ['SELECT CAST(x AS pg_catalog.text) AS t', 'SELECT CAST(x AS TEXT) AS t'],
    ["SELECT 't'::bool AS b", "SELECT pg_bool('t') AS b"],
    ["SELECT '{1,2}'::int[] AS a", "SELECT '{1,2}' AS a"],
    ['SELECT x::tsvector AS v', 'SELECT x AS v'], // a type SQLite has no counterpart for: left as it is
  ])('casts: %s', (sql, expected) => {
    expect(rw(sql)).toBe(expected);
  });

  it('looks a literal up for reg* casts and prints an OID as a name otherwise', () => {
    expect(rw("SELECT 1 WHERE c.oid = 'pg_catalog.pg_class'::pg_catalog.regclass")).toBe(
      "SELECT 1 WHERE c.oid = pg_reg_oid('regclass', 'pg_catalog.pg_class')",
    );
    expect(rw('SELECT c.oid::pg_catalog.regclass::pg_catalog.text AS n')).toBe("SELECT CAST(pg_reg_name('regclass', c.oid) AS TEXT) AS n");
  });

  it('turns regex operators into REGEXP and drops Postgres collations', () => {
    expect(rw("SELECT 1 WHERE c.relname OPERATOR(pg_catalog.~) '^(backups)$' COLLATE pg_catalog.default")).toBe(
      "SELECT 1 WHERE c.relname REGEXP '^(backups)$'",
    );
    expect(rw("SELECT 1 WHERE n !~ '^pg_' AND m ~* 'x'")).toBe("SELECT 1 WHERE n NOT REGEXP '^pg_' AND m REGEXP '(?i)' || 'x'");
    expect(rw('SELECT ~5 AS bits')).toBe('SELECT ~5 AS bits'); // unary ~ is bitwise not
    expect(rw('SELECT a FROM t ORDER BY a COLLATE NOCASE')).toBe('SELECT a FROM t ORDER BY a COLLATE NOCASE NULLS LAST');
  });

  it('strips pg_catalog. from functions only', () => {
    expect(rw('SELECT pg_catalog.format_type(a.atttypid, NULL) AS t FROM pg_catalog.pg_attribute a')).toBe(
      'SELECT format_type(a.atttypid, NULL) AS t FROM pg_catalog.pg_attribute a',
    );
  });

  it('rewrites arrays: = ANY, ARRAY(subquery), ARRAY[…], unnest and generate_series in FROM, subscripts', () => {
    expect(rw('SELECT 1 WHERE oid = any (pol.polroles)')).toBe('SELECT 1 WHERE oid IN (SELECT value FROM pg_unnest(coalesce(pol.polroles, \'{NULL}\'), \'ANY\'))');
    expect(rw('SELECT 1 WHERE x <> ALL (SELECT y FROM t)')).toBe('SELECT 1 WHERE x NOT IN (SELECT y FROM t)');
    expect(rw('SELECT ARRAY(SELECT b.rolname FROM r b) AS m')).toBe('SELECT (WITH _pg_array1(v) AS (SELECT b.rolname FROM r b) SELECT pg_array_agg(v) FROM _pg_array1) AS m');
    expect(rw("SELECT ARRAY['a', 'b'] AS a")).toBe("SELECT pg_array('a', 'b') AS a");
    expect(rw("SELECT 'toast.' || x AS o FROM pg_catalog.unnest(tc.reloptions) x")).toBe(
      `SELECT 'toast.' || "x".value AS o FROM pg_unnest(tc.reloptions) AS "x"`,
    );
    expect(rw('SELECT s FROM generate_series(1, 3) AS g(s)')).toBe('SELECT "g".value AS "s" FROM pg_series(1, 3) AS "g"');
    expect(rw('SELECT prattrs[s] AS a FROM t')).toBe('SELECT pg_subscript(prattrs, s) AS a FROM t');
    // A list: psycopg2's ARRAY[…] keeps its elements' SQL types; a parameter arrives as JSON (pg-params.ts),
    // which pg_unnest reads as it reads a JSON array column.
    expect(rw("SELECT id FROM t WHERE id = ANY(ARRAY[1, '2'])")).toBe("SELECT id FROM t WHERE id IN (1, '2')");
    expect(rw('SELECT id FROM t WHERE id = ANY($1)')).toBe("SELECT id FROM t WHERE id IN (SELECT value FROM pg_unnest(coalesce($1, '{NULL}'), 'ANY'))");
  });

  it('moves set-returning functions of a select list into its FROM clause, pairing those over one array', () => {
    expect(rw('SELECT unnest(ix.indkey) attnum, generate_subscripts(ix.indkey, 1) ord FROM pg_index ix WHERE ix.indisprimary')).toBe(
      'SELECT "_pg_srf1".value attnum, CASE WHEN CAST(1 AS INTEGER) = 1 THEN "_pg_srf1".ordinality END ord FROM pg_index ix, pg_unnest(ix.indkey) AS "_pg_srf1" WHERE ix.indisprimary',
    );
    expect(rw("SELECT unnest('{a,b}')")).toBe(`SELECT "_pg_srf1".value AS unnest FROM pg_unnest('{a,b}') AS "_pg_srf1"`);
    expect(rw('SELECT x FROM (SELECT generate_series(1, 3) AS x) s')).toBe('SELECT x FROM (SELECT "_pg_srf1".value AS x FROM pg_series(1, 3) AS "_pg_srf1") s');
  });

  it('quotes SQLite keywords used as column labels, and types times, dates, numerics and jsonb', () => {
    expect(rw('SELECT (SELECT 1) AS DEFAULT, 2 AS "order"')).toBe('SELECT (SELECT 1) AS "default", 2 AS "order"');
    const r = rewritePostgres(tokenize("SELECT now(), x::timestamptz, x::date AS d, '1.5'::numeric, j::jsonb FROM t"), false);
    // A cast of a column is named after the column, as Postgres names it; of anything else after the type.
    expect(r.sql).toBe(`SELECT now(), pg_timestamptz(x) AS "x", pg_date(x) AS d, CAST('1.5' AS REAL) AS "numeric", CAST(j AS TEXT) AS "j" FROM t`);
    expect(r.pgTypes).toEqual(['timestamptz', 'timestamptz', 'date', 'numeric', 'jsonb']);
  });

  it('names a resource before its column: service.resource.column (SQLAlchemy qualifies so)', () => {
    const r = rewritePostgres(tokenize('SELECT compute.droplets.id FROM compute.droplets WHERE compute.droplets.id > 1'), false, (schema) => schema === 'compute');
    expect(r.sql).toBe('SELECT digitalocean.compute.droplets.id FROM digitalocean.compute.droplets WHERE digitalocean.compute.droplets.id > 1');
  });

  it('rewrites E strings, trim(… FROM …), IS DISTINCT FROM, ILIKE, bare current_user', () => {
    expect(rw("SELECT E'a\\tb' AS s")).toBe("SELECT 'a\tb' AS s");
    expect(rw("SELECT trim(trailing ';' from pg_get_ruledef(r.oid, true)) AS d")).toBe("SELECT rtrim(pg_get_ruledef(r.oid, true), ';') AS d");
    expect(rw('SELECT 1 WHERE a IS DISTINCT FROM b AND c IS NOT DISTINCT FROM d')).toBe('SELECT 1 WHERE a IS NOT b AND c IS d');
    expect(rw("SELECT 1 WHERE a ILIKE 'x%'")).toBe("SELECT 1 WHERE a LIKE 'x%'");
    expect(rw('SELECT current_user')).toBe('SELECT current_user() AS "current_user"');
  });

  it('turns service.resource in FROM and JOIN into the resource name, and nothing else', () => {
    const qualify = (schema: string): boolean => schema === 'databases';
    const sql = 'SELECT b.x, databases.y FROM databases.clusters c JOIN "databases".backups b ON 1, pg_catalog.pg_class, nope.t';
    expect(rewritePostgres(tokenize(sql), false, qualify).sql).toBe(
      'SELECT b.x, databases.y FROM digitalocean.databases.clusters c JOIN digitalocean."databases".backups b ON 1, pg_catalog.pg_class, nope.t',
    );
    expect(rewritePostgres(tokenize('SELECT * FROM digitalocean.databases.backups'), false, qualify).changed).toBe(false);
  });

  it('gives derived tables their column lists through a CTE', () => {
    expect(rw("SELECT name FROM (VALUES ('a', '25'::pg_catalog.oid)) s(name, tp)")).toBe(
      `SELECT name FROM (WITH _pg_cols1("name", "tp") AS (VALUES ('a', CAST('25' AS INTEGER))) SELECT * FROM _pg_cols1) AS "s"`,
    );
  });

  it('escapes LIKE patterns with a backslash, as Postgres does by default', () => {
    expect(rw("SELECT 1 WHERE n NOT LIKE E'pg\\\\_%' AND m LIKE 'a\\_%' ESCAPE '!'")).toBe(
      "SELECT 1 WHERE n NOT LIKE 'pg\\_%' ESCAPE '\\' AND m LIKE 'a\\_%' ESCAPE '!'",
    );
  });

  it('leaves strings, comments, quoted names and plain SQLite alone', () => {
    const sql = `SELECT 'a::b ~ c' AS "x::y", json_extract(j, '$.a[1]') -- c::int ~ d\nFROM "digitalocean.databases.backups" WHERE a = 1`;
    const r = rewritePostgres(tokenize(sql), false);
    expect(r).toMatchObject({ sql, changed: false });
  });

  it('names unnamed columns as Postgres does and knows their types', () => {
    expect(rewritePostgres(tokenize('SELECT version(), $1::int, true, 1 = 1 AS eq, c.relname FROM pg_class c'), true)).toEqual({
      sql: 'SELECT version() AS "version", CAST($1 AS INTEGER) AS "int4", true AS "bool", 1 = 1 AS eq, c.relname FROM pg_class c',
      changed: true,
      columnTypes: [undefined, 'INTEGER', 'BOOLEAN', 'BOOLEAN', undefined],
      pgTypes: [undefined, undefined, undefined, undefined, undefined],
    });
    // Without functionNames SQLite's own names stay, but a cast is named as Postgres names it: after a column.
    expect(rw('SELECT count(*), x::text FROM t', false)).toBe('SELECT count(*), CAST(x AS TEXT) AS "x" FROM t');
    expect(rw('SELECT count(*), x::text, 1, CASE WHEN a THEN 1 END, a || b FROM t', true)).toBe(
      'SELECT count(*) AS "count", CAST(x AS TEXT) AS "x", 1 AS "?column?", CASE WHEN a THEN 1 END AS "case", a || b AS "?column?" FROM t',
    );
  });
});
