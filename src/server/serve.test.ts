// `doql serve` with real peers: the built binary, psql 15 and the `pg` driver. psql's meta-commands are
// answered from the catalog; rows come from a fake DigitalOcean API on localhost.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../../test/api/fake-do-server.js';
import { loadCatalogDir } from '../catalog/load.js';
import { createSandbox, type Sandbox } from '../sandbox/index.js';
import { BUILT_CATALOG, buildMissing } from '../../test/cli/doql-home.js';
import { psql, psqlRows, startDoqlServe, withPgClient, type DoqlServe } from '../../test/serve/doql-serve.js';
import { BACKUPS, CLUSTERS, SLOW_CLUSTER, startFakeDigitalOcean } from '../../test/serve/fake-digitalocean.js';

const CANARY = 'dop_v1_canary0123456789abcdef0123456789abcdef0123456789abcdef01234567';
const missing = buildMissing();

describe.skipIf(missing)('doql serve: psql meta-commands answered from the catalog', () => {
  let server: DoqlServe;
  beforeAll(async () => {
    server = await startDoqlServe([], { DIGITALOCEAN_TOKEN: CANARY, DIGITALOCEAN_API_URL: 'http://127.0.0.1:9' });
  });
  afterAll(() => server?.stop());

  it('\\dt lists every resource as a table in its service schema', async () => {
    const run = await psqlRows(server.port, '\\dt');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('databases | backups | table | doql\n');
    expect(run.stdout).toContain('compute | droplets | table | doql\n');
    expect(run.stdout).not.toContain('pg_catalog');
  });

  it('\\dt databases.* and \\dt digitalocean.databases.* list one service', async () => {
    for (const pattern of ['databases.*', 'digitalocean.databases.*']) {
      const run = await psqlRows(server.port, `\\dt ${pattern}`);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const schemas = new Set(run.stdout.trim().split('\n').map((l) => l.split(' | ')[0]));
      expect([...schemas]).toEqual(['databases']);
      expect(run.stdout).toContain('databases | clusters | table | doql');
    }
  });

  it('\\dt digitalocean.* lists every resource once, as service.resource, and that name queries', async () => {
    const run = await psqlRows(server.port, '\\dt digitalocean.*');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('digitalocean | databases.backups | table | doql\n');
    expect(run.stdout).toContain('digitalocean | compute.droplets | table | doql\n');
    const plain = await psqlRows(server.port, '\\dt');
    expect(run.stdout.trim().split('\n')).toHaveLength(plain.stdout.trim().split('\n').length);
    expect(plain.stdout).not.toContain('digitalocean |');
    const d = await psql(server.port, ['-c', '\\d digitalocean."databases.backups"']);
    expect(d.stdout).toMatch(/^ size_gigabytes +\| double precision +\|/m);
  });

  it.each(['databases.backups', 'digitalocean.databases.backups'])('\\d %s shows the columns with Postgres types', async (name) => {
    const run = await psql(server.port, ['-c', `\\d ${name}`]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('Table "databases.backups"');
    expect(run.stdout).toMatch(/^ created_at +\| timestamp with time zone +\| +\| +\| *$/m);
    expect(run.stdout).toMatch(/^ size_gigabytes +\| double precision +\|/m);
    // The required parameter is a column a query must give: "not null".
    expect(run.stdout).toMatch(/^ database_cluster_uuid +\| text +\| +\| not null +\|/m);
  });

  it('\\d+ shows descriptions as comments', async () => {
    const run = await psql(server.port, ['-c', '\\d+ databases.backups']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('The size of the database backup in GBs.');
    expect(run.stdout).toContain('[required parameter: give it in WHERE or a join]');
  });

  it('\\d of a name in several services describes each', async () => {
    const run = await psql(server.port, ['-c', '\\d clusters']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('Table "databases.clusters"');
    expect(run.stdout).toContain('Table "kubernetes.clusters"');
    expect(run.stdout).toMatch(/^ num_nodes +\| bigint/m);
    expect(run.stdout).toMatch(/^ auto_upgrade +\| boolean/m);
  });

  it('\\dn lists the services as schemas, \\l the database', async () => {
    const dn = await psqlRows(server.port, '\\dn');
    expect(dn).toMatchObject({ code: 0, stderr: '' });
    expect(dn.stdout).toContain('databases | doql\n');
    expect(dn.stdout).toContain('compute | doql\n');
    const l = await psqlRows(server.port, '\\l');
    expect(l.stdout).toMatch(/^digitalocean \| doql \| UTF8/m);
  });

  it('\\d of an unknown relation says so, as Postgres does', async () => {
    const run = await psql(server.port, ['-c', '\\d nope']);
    expect(run.stderr).toBe('Did not find any relation named "nope".\n');
  });

  it.each(['\\dv', '\\di', '\\ds', '\\dm', '\\dE'])('%s finds nothing, as Postgres says', async (command) => {
    const run = await psql(server.port, ['-c', command]);
    expect(run).toMatchObject({ code: 0, stdout: '', stderr: 'Did not find any relations.\n' });
  });

  it.each([
    '\\dt+',
    '\\d',
    '\\d+',
    '\\dn+',
    '\\l+',
    '\\dT',
    '\\du',
    '\\dg',
    '\\dx',
    '\\dp',
    '\\df',
    '\\dd',
    '\\dA',
    '\\dD',
    '\\dP',
    '\\d+ information_schema.columns',
    '\\dS+ pg_class',
    '\\d+ compute.droplets',
  ])('%s runs without an error', async (command) => {
    const run = await psql(server.port, ['-c', command]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
  });

  it('answers \\gdesc (a described prepared statement, then VALUES with column aliases)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'doql-gdesc-')), 'gdesc.sql');
    writeFileSync(file, 'SELECT version(), 1::int AS n, true AS b \\gdesc\n');
    const run = await psql(server.port, ['-A', '-t', '-f', file]);
    expect(run).toMatchObject({ code: 0, stdout: 'version|text\nn|integer\nb|boolean\n', stderr: '' });
  });

  it('answers version(), SHOW and SET', async () => {
    const run = await psql(server.port, ['-A', '-t', '-c', 'SELECT version()', '-c', 'SHOW server_version', '-c', "SET application_name = 'x'"]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^PostgreSQL 16\.0 \(doql\).*\n16\.0 \(doql\)\nSET\n$/);
  });

  it('answers information_schema queries', async () => {
    const tables = await psqlRows(server.port, "SELECT table_schema, table_name, table_type FROM information_schema.tables WHERE table_schema = 'databases' AND table_name LIKE 'back%'");
    expect(tables).toMatchObject({ code: 0, stdout: 'databases | backups | BASE TABLE\n' });
    const columns = await psqlRows(
      server.port,
      "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'databases' AND table_name = 'backups' ORDER BY ordinal_position",
    );
    expect(columns.stdout).toContain('created_at | timestamp with time zone | YES\nsize_gigabytes | double precision | YES\n');
    expect(columns.stdout).toContain('database_cluster_uuid | text | NO\n');
  });

  it('fails an unknown resource with ERROR and the did-you-mean message, exit code 1', async () => {
    const nope = await psql(server.port, ['-c', 'SELECT * FROM digitalocean.databases.nope']);
    expect(nope.code).toBe(1);
    expect(nope.stderr).toContain('ERROR:  unknown resource digitalocean.databases.nope');
    const near = await psql(server.port, ['-c', 'SELECT * FROM digitalocean.databases.backup']);
    expect(near.code).toBe(1);
    expect(near.stderr).toContain('ERROR:  unknown resource digitalocean.databases.backup: did you mean digitalocean.databases.backups?');
  });

  it('serves the pg driver: casts of parameters, a prepared statement twice, typed columns', async () => {
    await withPgClient(server.port, async (client) => {
      expect((await client.query('SELECT $1::text AS x', ['hello'])).rows).toEqual([{ x: 'hello' }]);
      const typed = await client.query('SELECT $1::int + 1 AS n, $2::boolean AS b, 1.5::float8 AS f', ['41', 'true']);
      expect(typed.rows).toEqual([{ n: 42, b: true, f: 1.5 }]); // int4 + int4 is int4, as in Postgres: pg parses it
      // Binary results too: int4 in 4 bytes, int2 in 2, a literal beyond int4 an int8 (pg gives it as text).
      const binary = await client.query({ text: "SELECT 1 AS a, (-2)::int2 AS b, 3000000000 AS c, length('abc') AS d", binary: true });
      expect(binary.fields.map((f) => f.dataTypeID)).toEqual([23, 21, 20, 23]);
      expect(binary.rows).toEqual([{ a: 1, b: -2, c: '3000000000', d: 3 }]);
      for (const v of ['first', 'second']) {
        const r = await client.query({ name: 'twice', text: 'SELECT $1::text AS v, current_database() AS db', values: [v] });
        expect(r.rows).toEqual([{ v, db: 'digitalocean' }]);
      }
      const rel = await client.query(
        "SELECT c.relname, n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = 'databases.backups'::regclass",
      );
      expect(rel.rows).toEqual([{ relname: 'backups', nspname: 'databases' }]);
    });
  });

  it('never shows or logs the DigitalOcean token', async () => {
    const run = await psql(server.port, ['-c', 'SELECT * FROM digitalocean.databases.clusters', '-c', 'SELECT * FROM pg_settings']);
    expect(run.stderr).toMatch(/^ERROR: /m); // the API at 127.0.0.1:9 refuses connections
    expect(run.stdout + run.stderr).not.toContain(CANARY);
    expect(server.log()).not.toContain(CANARY);
    expect(server.log()).not.toContain(CANARY.slice(0, 20));
  });
});

describe.skipIf(missing)('doql serve: rows from a (fake) DigitalOcean API', () => {
  let api: FakeServer;
  let server: DoqlServe;
  const seed = CLUSTERS[1];
  const joinOrdered =
    'SELECT c.name, count(*) FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id GROUP BY c.name ORDER BY c.name';

  beforeAll(async () => {
    api = await startFakeDigitalOcean();
    server = await startDoqlServe([], { DIGITALOCEAN_TOKEN: CANARY, DIGITALOCEAN_API_URL: api.url });
  });
  afterAll(async () => {
    await server?.stop();
    await api?.close();
  });

  it('runs the seed query with a literal id found by another query', async () => {
    const id = await psqlRows(server.port, "SELECT id FROM digitalocean.databases.clusters WHERE name = 'beta' LIMIT 1");
    expect(id).toMatchObject({ code: 0, stdout: `${seed.id}\n` });
    const run = await psqlRows(server.port, `SELECT created_at, size_gigabytes FROM digitalocean.databases.backups WHERE database_cluster_uuid = '${seed.id}'`);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    // created_at is timestamptz on the wire: psql prints it as Postgres does.
    const pgTime = (t: string): string => t.replace('T', ' ').replace(/Z$/, '+00');
    expect(run.stdout).toBe(BACKUPS[seed.id].map((b) => `${pgTime(b.created_at)} | ${b.size_gigabytes}\n`).join(''));
  });

  it('runs a join that needs one API call per cluster', async () => {
    const run = await psqlRows(server.port, joinOrdered);
    expect(run).toMatchObject({ code: 0, stdout: 'alpha | 2\nbeta | 3\n', stderr: '' });
  });

  it('takes the schema.table names psql shows and completes (databases.backups)', async () => {
    const run = await psqlRows(server.port, joinOrdered.replace(/digitalocean\./g, ''));
    expect(run).toMatchObject({ code: 0, stdout: 'alpha | 2\nbeta | 3\n', stderr: '' });
  });

  it('gives 50 concurrent pg clients the same right answer', async () => {
    const one = (): Promise<unknown> => withPgClient(server.port, async (client) => (await client.query({ text: joinOrdered, rowMode: 'array' })).rows);
    const answers = await Promise.all(Array.from({ length: 50 }, one));
    for (const rows of answers) {
      expect(rows).toEqual([
        ['alpha', '2'],
        ['beta', '3'],
      ]);
    }
  });

  it('cancels a slow statement on Ctrl-C (CancelRequest)', async () => {
    const started = Date.now();
    const run = await psql(server.port, ['-c', `SELECT * FROM digitalocean.databases.backups WHERE database_cluster_uuid = '${SLOW_CLUSTER}'`], (child) => {
      const poll = setInterval(() => {
        if (api.requests.some((r) => r.path === `/v2/databases/${SLOW_CLUSTER}/backups`)) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 20);
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ERROR: .*cancel/m);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('sends the token to the API only: never to clients or the log', async () => {
    expect(api.requests.length).toBeGreaterThan(0);
    expect(api.requests.every((r) => r.headers.authorization === `Bearer ${CANARY}`)).toBe(true);
    const run = await psql(server.port, ["-c", "SELECT * FROM digitalocean.databases.backups WHERE database_cluster_uuid = 'no-such-cluster'"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('404');
    expect(run.stdout + run.stderr).not.toContain(CANARY);
    expect(server.log()).not.toContain(CANARY);
  });
});

const JOIN =
  'SELECT c.name, count(*) FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id GROUP BY c.name';

describe.skipIf(missing)('doql serve --sandbox', () => {
  let server: DoqlServe;
  beforeAll(async () => {
    server = await startDoqlServe(['--sandbox'], { DIGITALOCEAN_TOKEN: CANARY });
  });
  afterAll(() => server?.stop());

  /** Per cluster, its backups counted with the seed query (one literal id at a time): what the join must say. */
  async function expectedJoin(): Promise<string[][]> {
    const clusters = await psqlRows(server.port, 'SELECT id, name FROM digitalocean.databases.clusters');
    expect(clusters).toMatchObject({ code: 0, stderr: '' });
    const rows: string[][] = [];
    for (const line of clusters.stdout.trim().split('\n')) {
      const [id, name] = line.split(' | ');
      const backups = await psqlRows(server.port, `SELECT created_at, size_gigabytes FROM digitalocean.databases.backups WHERE database_cluster_uuid = '${id}'`);
      expect(backups).toMatchObject({ code: 0, stderr: '' });
      const n = backups.stdout.trim() ? backups.stdout.trim().split('\n').length : 0;
      if (n > 0) rows.push([name, String(n)]);
    }
    return rows.sort((a, b) => a[0].localeCompare(b[0]));
  }

  it('runs the seed query with an id found by SELECT id … LIMIT 1', async () => {
    const id = await psqlRows(server.port, 'SELECT id FROM digitalocean.databases.clusters LIMIT 1');
    expect(id).toMatchObject({ code: 0, stderr: '' });
    expect(id.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    const run = await psqlRows(server.port, `SELECT created_at, size_gigabytes FROM digitalocean.databases.backups WHERE database_cluster_uuid = '${id.stdout.trim()}'`);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^(\d{4}-\d\d-\d\d [\d:]+\+00 \| \d+(\.\d+)?\n)+$/);
  });

  it('answers the join as the seed queries add up, to psql and to 50 concurrent pg clients', async () => {
    const expected = await expectedJoin();
    expect(expected.length).toBeGreaterThan(0);
    const run = await psqlRows(server.port, `${JOIN} ORDER BY c.name`);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(expected.map((r) => `${r.join(' | ')}\n`).join(''));

    const one = (): Promise<unknown> => withPgClient(server.port, async (client) => (await client.query({ text: `${JOIN} ORDER BY 1`, rowMode: 'array' })).rows);
    const answers = await Promise.all(Array.from({ length: 50 }, one));
    for (const rows of answers) expect(rows).toEqual(expected);
  });

  it("exports with psql's \\copy: CSV with a header into a file, and COPY … TO STDOUT in text format", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doql-copy-'));
    const file = join(dir, 'clusters.csv');
    const query = 'SELECT name, region, num_nodes FROM digitalocean.databases.clusters ORDER BY name';
    const copied = await psql(server.port, ['-c', `\\copy (${query}) TO '${file}' CSV HEADER`]);
    expect(copied).toMatchObject({ code: 0, stderr: '' });
    const rows = await psqlRows(server.port, query);
    expect(rows.stdout.trim()).not.toBe('');
    const expected = ['name,region,num_nodes', ...rows.stdout.trim().split('\n').map((l) => l.split(' | ').join(','))];
    expect(copied.stdout).toBe(`COPY ${expected.length - 1}\n`);
    expect(readFileSync(file, 'utf8')).toBe(`${expected.join('\n')}\n`);

    // Text format: tab-separated, \N for NULL, backslash escapes.
    const text = await psql(server.port, ['-c', "COPY (SELECT 'a\tb\\c' AS s, NULL AS n, 1 = 1 AS t, 2.5 AS r) TO STDOUT"]);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toBe('a\\tb\\\\c\t\\N\tt\t2.5\n'); // 1 = 1 is a boolean, t as in Postgres
    const refused = await psql(server.port, ['-c', 'COPY digitalocean.compute.droplets FROM STDIN']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('COPY … FROM is not supported: create resources with INSERT INTO');
  });

  it('BEGIN … ROLLBACK: the status says in a block, and the notices say a change sent meanwhile stays done', async () => {
    await withPgClient(server.port, async (client) => {
      const statuses: string[] = [];
      const notices: string[] = [];
      client.connection.on('readyForQuery', (m: { status: string }) => statuses.push(m.status));
      client.on('notice', (n) => notices.push(n.message ?? ''));
      await client.query('BEGIN');
      await client.query("INSERT INTO digitalocean.compute.tags (data__name) VALUES ('in-a-block')");
      await client.query('SAVEPOINT s1');
      await client.query('ROLLBACK TO SAVEPOINT s1');
      await client.query('ROLLBACK');
      const after = await client.query("SELECT name FROM digitalocean.compute.tags WHERE name = 'in-a-block'");
      expect(statuses).toEqual(['T', 'T', 'T', 'T', 'I', 'I']);
      expect(notices).toEqual([
        'INSERT was sent to the API now: doql has no transactions, so ROLLBACK cannot undo it',
        'ROLLBACK did not undo the 1 change sent since BEGIN: doql has no transactions',
      ]);
      expect(after.rows).toEqual([{ name: 'in-a-block' }]);
    });
  });

  it('describes and lists what it serves', async () => {
    const run = await psqlRows(server.port, '\\dt databases.*');
    expect(run.stdout).toContain('databases | backups | table | doql');
    expect(server.log()).not.toContain(CANARY);
  });
});

describe.skipIf(missing)('doql serve against a sandbox with latency', () => {
  let sandbox: Sandbox;
  let server: DoqlServe;
  beforeAll(async () => {
    sandbox = await createSandbox({ catalog: loadCatalogDir(BUILT_CATALOG, 'built'), rateLimit: false });
    server = await startDoqlServe([], { DIGITALOCEAN_TOKEN: sandbox.token, DIGITALOCEAN_API_URL: sandbox.url });
  });
  afterAll(async () => {
    await server?.stop();
    await sandbox?.close();
  });

  it('refuses writes in a read-only transaction or session (25006) before sending anything', async () => {
    const posts = (): number => Object.entries(sandbox.requests().byRoute).reduce((n, [route, c]) => n + (route.startsWith('GET') ? 0 : c), 0);
    const before = posts();
    const insert = "INSERT INTO digitalocean.compute.tags (data__name) VALUES ('read-only')";
    const run = await psql(server.port, [
      '-c', 'BEGIN READ ONLY', '-c', 'SHOW transaction_read_only', '-c', insert, '-c', 'ROLLBACK',
      '-c', 'SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY', '-c', "DELETE FROM digitalocean.compute.tags WHERE tag_id = 'x'",
      '-c', 'BEGIN READ WRITE', '-c', 'SHOW transaction_read_only', '-c', 'COMMIT',
      '-c', 'SET default_transaction_read_only = off', '-c', 'SHOW transaction_read_only',
    ]);
    expect(run.stderr.match(/^ERROR: .*$/gm)).toEqual(['ERROR:  cannot execute INSERT in a read-only transaction', 'ERROR:  cannot execute DELETE in a read-only transaction']);
    expect(run.stdout).toMatch(/transaction_read_only\s*\n-+\s*\n on\b[\s\S]*transaction_read_only\s*\n-+\s*\n off\b[\s\S]*transaction_read_only\s*\n-+\s*\n off\b/);
    expect(posts()).toBe(before);
  });

  it('cancels a statement waiting on a slow API when psql gets Ctrl-C', async () => {
    sandbox.setLatency(15_000);
    try {
      const started = Date.now();
      const run = await psql(server.port, ['-c', JOIN], (child) => {
        setTimeout(() => child.kill('SIGINT'), 700);
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Cancel request sent');
      expect(run.stderr).toMatch(/^ERROR: .*cancel/m);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      sandbox.setLatency(0);
    }
    // The server goes on serving.
    const after = await psqlRows(server.port, 'SELECT count(*) FROM digitalocean.databases.clusters');
    expect(after).toMatchObject({ code: 0, stderr: '' });
    expect(Number(after.stdout)).toBeGreaterThan(0);
  });
});
