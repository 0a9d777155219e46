// Bad input through the whole front end (template → split → parse → session): random and mutated SQL must end
// in a result or a DoqlError, never another exception. No request is ever sent: the API factory refuses.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogDir } from '../catalog/load.js';
import type { Catalog } from '../catalog/types.js';
import { createSession, type DoqlSession } from '../engine/session.js';
import { DoqlError } from '../errors.js';
import { parseMutation } from '../sql/tree/mutation.js';
import { splitStatements } from '../sql/split.js';
import { parseStatement } from '../sql/statement.js';
import { renderTemplate } from '../sql/template.js';
import { EXAMPLES } from '../docs/sql-examples.js';
import { BUILT_CATALOG, buildMissing } from '../../test/cli/doql-home.js';

/** DOQL_FUZZ_RUNS=50000 for a long hunt; the default keeps the suite quick. */
const RUNS = Number(process.env.DOQL_FUZZ_RUNS ?? 1500);
/**
 * The same inputs every run, so that a failure is a change in doql, not in the draw (a random draw once reached no
 * statement that ends in one of the stages the session test counts); DOQL_FUZZ_SEED=<n> draws others for a hunt.
 */
const SEED = Number(process.env.DOQL_FUZZ_SEED ?? 20261202);

const VARS = { id: 'abc', n: 3, region: 'nyc3', database_cluster_uuid: 'u-1', flag: true };

/** Real statements of every kind, the seeds mutations start from. */
const SEEDS = [
  'SHOW PROVIDERS',
  "SHOW SERVICES IN digitalocean LIKE '%data%'",
  'SHOW EXTENDED RESOURCES IN digitalocean.databases',
  "SHOW METHODS IN digitalocean.databases.backups LIKE 'databases%'",
  'SHOW INSERT INTO digitalocean.compute.droplets /*+ REQUIRED */',
  'DESCRIBE EXTENDED digitalocean.databases.backups',
  "SELECT created_at, size_gigabytes FROM digitalocean.databases.backups WHERE database_cluster_uuid = '{{ database_cluster_uuid }}'",
  'SELECT c.id, b.created_at FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id',
  "SELECT json_extract('{\"a\":[1,2]}', '$.a[1]') AS x, 'it''s' AS y, \"quoted id\" FROM (SELECT 1 AS \"quoted id\")",
  'WITH t(x) AS (VALUES (1), (2)) SELECT x, count(*) OVER () FROM t ORDER BY x DESC LIMIT {{ n }}',
  "INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image) SELECT 'web-1', '{{ region }}', 's-1vcpu-1gb', 'ubuntu' RETURNING id",
  "UPDATE digitalocean.databases.clusters SET data__name = 'x' WHERE id = '{{ id }}'",
  "REPLACE digitalocean.compute.droplets SET data__name = 'y', data__tags = json('[1]') WHERE id IN ('a', 'b')",
  "DELETE FROM digitalocean.compute.droplets WHERE id = '{{ id }}' RETURNING *",
  "EXEC /*+ AWAIT */ digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id = '1' @@json = '{\"type\": \"reboot\"}'",
  "COPY (SELECT 1 AS a, NULL AS b) TO STDOUT WITH (FORMAT csv, HEADER true, DELIMITER ';', NULL 'x')",
  'COPY digitalocean.databases.backups (created_at) TO STDOUT CSV HEADER QUOTE AS \'"\'',
  'SELECT $$it\'s$$ AS a, $t$x$t$ || $$$$ AS b',
  "SELECT count(*) FROM digitalocean.compute.droplets WHERE created_at > now() - interval '1 week 2 hours'",
  "SELECT d.name, f.x, date_trunc('day', d.created_at), extract(year FROM d.created_at), json_agg(f.x) FROM digitalocean.compute.droplets d, jsonb_array_elements_text(d.tags) AS f(x) GROUP BY 1",
  'REGISTRY LIST',
  "REGISTRY PULL digitalocean FROM '/nonexistent/spec.json'",
  'SET search_path = public',
  'SHOW server_version',
  'BEGIN; COMMIT',
  '-- a comment\nSELECT 1; /* another */ SELECT 2',
];

const TOKENS = [
  'SELECT', 'FROM', 'WHERE', 'SHOW', 'DESCRIBE', 'INSERT', 'INTO', 'UPDATE', 'SET', 'REPLACE', 'DELETE', 'EXEC', 'REGISTRY',
  'PULL', 'LIST', 'COPY', 'TO', 'STDOUT', 'CSV', 'HEADER', 'FORMAT', 'IN', 'LIKE', 'EXTENDED', 'METHODS', 'RESOURCES', 'SERVICES', 'PROVIDERS', 'RETURNING', 'VALUES', 'WITH',
  'AND', 'OR', 'NOT', 'NULL', 'JOIN', 'ON', 'digitalocean', 'digitalocean.databases', 'digitalocean.databases.backups',
  'digitalocean.compute.droplets', 'data__name', 'id', '*', ',', ';', '(', ')', '.', '=', "'x'", "'", '"', '`', '[', ']',
  '@p', '@@json', '$1', '?', ':x', '/*+ AWAIT */', '/*', '*/', '--', '{{', '}}', '$$', '$t$', 'interval', "'3 days'", 'now()', '{{ id }}', '{{ nope }}', '1', '1e', '0x', '->>', '||',
];

/** A mutation of a real statement: cut, insert, delete, replace or repeat a slice. */
const mutated = (seeds: string[]): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.constantFrom('cut', 'insert', 'delete', 'replace', 'repeat'), fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 }))), { minLength: 1, maxLength: 4 }))
    .map(([seed, edits]) => {
      let s = seed;
      for (const [pos, len, op, text] of edits) {
        const at = s.length ? pos % (s.length + 1) : 0;
        if (op === 'cut') s = s.slice(0, at);
        else if (op === 'insert') s = s.slice(0, at) + text + s.slice(at);
        else if (op === 'delete') s = s.slice(0, at) + s.slice(at + len);
        else if (op === 'replace') s = s.slice(0, at) + text + s.slice(at + len);
        else s = s.slice(0, at) + s.slice(at, at + len).repeat(3) + s.slice(at);
      }
      return s;
    });

const randomTokens = fc.array(fc.constantFrom(...TOKENS), { maxLength: 14 }).map((t) => t.join(' '));
const junk = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme-composite', maxLength: 40 }), fc.string({ maxLength: 40 }));
const unterminated = fc.tuple(fc.constantFrom(...SEEDS), fc.constantFrom("'", '"', '`', '[', '/*', '{{')).map(([s, q]) => `${s} ${q}abc`);

function sqlInput(seeds: string[]): fc.Arbitrary<string> {
  return fc.oneof({ arbitrary: mutated(seeds), weight: 6 }, { arbitrary: randomTokens, weight: 2 }, { arbitrary: junk, weight: 1 }, { arbitrary: unterminated, weight: 1 });
}

/** Fails the property when anything but a DoqlError escapes, naming the input. */
async function onlyDoqlErrors(sql: string, run: () => unknown): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof DoqlError) {
      expect(err.message).not.toMatch(/\n/);
      return;
    }
    throw new Error(`${(err as Error)?.constructor?.name ?? typeof err} escaped for input ${JSON.stringify(sql)}: ${String(err)}`, { cause: err });
  }
}

async function parseAll(sql: string): Promise<void> {
  for (const st of splitStatements(renderTemplate(sql, VARS))) {
    const stmt = parseStatement(st.text, st.tokens);
    if (stmt.kind === 'mutation') await parseMutation(stmt.text, stmt.tokens);
  }
}

describe('the SQL front end on bad input', () => {
  it('template → split → parse throws only DoqlErrors', async () => {
    await fc.assert(
      fc.asyncProperty(sqlInput(SEEDS), (sql) => onlyDoqlErrors(sql, () => parseAll(sql))),
      { numRuns: RUNS * 2, seed: SEED },
    );
  });

  it('an unterminated string is a parse error with its line and column', async () => {
    const err = await parseAll("SELECT 1;\nSELECT 'abc").then(
      () => undefined,
      (e: unknown) => e as DoqlError,
    );
    expect(err).toBeInstanceOf(DoqlError);
    expect(err?.message).toBe('syntax error at line 2, column 8: unterminated string literal');
  });
});

const missing = buildMissing();
if (missing) console.warn(`skipping the session fuzz test: ${missing}`);

describe.skipIf(Boolean(missing))('a session on bad input', () => {
  let catalog: Catalog;
  let sessions: DoqlSession[];
  let seeds: string[];
  let requests = 0;
  const outcomes: Record<string, number> = {};

  beforeAll(() => {
    catalog = loadCatalogDir(BUILT_CATALOG, 'default').catalog;
    const make = (dryRun: boolean): DoqlSession =>
      createSession({
        catalog: { catalog, origin: 'test', schemas: () => loadCatalogDir(BUILT_CATALOG, 'default').schemas() },
        api: () => {
          requests++;
          throw new DoqlError('auth', 'no token in this test');
        },
        vars: VARS,
        mutation: { dryRun, yes: true, waitTimeoutMs: 1000 },
      });
    // A dry run plans mutations all the way to their requests (body validation included) and sends none.
    sessions = [make(false), make(true)];
    // Every docs example is a real statement too.
    const examples = Object.values(catalog.services).flatMap((s) => Object.values(s.resources).flatMap((r) => r.methods.map((m) => EXAMPLES[m.verb](r, m))));
    // Their placeholders are filled in, so that mutations of them get past templating to the parser and engine.
    const filled = examples.filter((_, i) => i % 5 === 0).map((e) => e.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => (name in VARS ? `{{ ${name} }}` : '1')));
    seeds = [...SEEDS, ...filled];
  });

  it('session.executeEach (live and --dry-run) ends in results or a DoqlError, and never reaches the network', async () => {
    await fc.assert(
      fc.asyncProperty(sqlInput(seeds), fc.nat(1), (sql, which) =>
        onlyDoqlErrors(sql, async () => {
          try {
            await sessions[which].executeEach(sql, {}, () => {
              outcomes.result = (outcomes.result ?? 0) + 1;
            });
          } catch (err) {
            if (err instanceof DoqlError) outcomes[err.code] = (outcomes[err.code] ?? 0) + 1;
            throw err;
          }
        }),
      ),
      { numRuns: RUNS, seed: SEED },
    );
    // The inputs reach every stage: results, parse errors, catalog look-ups and the (refusing) API.
    for (const o of ['result', 'parse', 'not_found', 'auth']) expect(outcomes[o] ?? 0, `${o} in ${JSON.stringify(outcomes)}`).toBeGreaterThan(0);
    // The factory was asked (statements that need the API), but it refused, so no request could be sent.
    expect(requests).toBeGreaterThan(0);
  });
});
