// `COPY … TO STDOUT` on the command line writes Postgres's COPY formats (what psql's \copy gets from `doql serve`).
import { jsonbText } from '../../src/engine/pg-text-forms.js';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildMissing, DOQL_BIN, tempDoqlHome } from './doql-home.js';
import { runProcess } from '../support/run-process.js';

const missing = buildMissing();
if (missing) console.warn(`skipping the COPY command-line tests: ${missing}`);

describe.skipIf(Boolean(missing))('COPY … TO STDOUT on the command line', () => {
  const home = tempDoqlHome();
  const doql = (sql: string, ...args: string[]) =>
    runProcess('node', [DOQL_BIN, '--sandbox', ...args, sql], { env: { PATH: process.env.PATH ?? '', DOQL_HOME: home, NO_COLOR: '1' } });
  const QUERY = 'SELECT id, name, num_nodes, tags FROM digitalocean.databases.clusters ORDER BY name';

  it('writes CSV with a header, quoting what needs it, whatever -o says', async () => {
    const rows = await doql(QUERY, '-o', 'json');
    expect(rows.code).toBe(0);
    const clusters = JSON.parse(rows.stdout) as { id: string; name: string; num_nodes: number; tags: unknown }[];
    expect(clusters.length).toBeGreaterThan(0);
    // COPY writes values as Postgres's output functions do: jsonb as `["a", "b"]`.
    const csvField = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const expected = ['id,name,num_nodes,tags', ...clusters.map((c) => [c.id, c.name, String(c.num_nodes), c.tags === null ? '' : csvField(jsonbText(JSON.stringify(c.tags)))].join(','))];
    for (const form of [`COPY (${QUERY}) TO STDOUT WITH (FORMAT csv, HEADER)`, `COPY (${QUERY}) TO STDOUT CSV HEADER`]) {
      const r = await doql(form, '-o', 'table');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${expected.join('\n')}\n`);
      expect(r.stderr).toBe(`COPY ${clusters.length}\n`);
    }
  });

  it('the table form copies the named columns of a resource', async () => {
    const r = await doql('COPY digitalocean.databases.clusters (name) TO STDOUT');
    const names = await doql('SELECT name FROM digitalocean.databases.clusters', '-o', 'text', '--no-header');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(names.stdout);
  });

  it("reads psql's old option syntax and keywords as column names, as Postgres's grammar does", async () => {
    const r = await doql("COPY digitalocean.vpcs.vpcs (name, default) TO STDOUT DELIMITER AS ';' CSV HEADER");
    const rows = await doql('SELECT name, "default" FROM digitalocean.vpcs.vpcs', '-o', 'json');
    expect(r.code, r.stderr).toBe(0);
    const expected = (JSON.parse(rows.stdout) as { name: string; default: boolean }[]).map((v) => `${v.name};${v.default ? 't' : 'f'}\n`);
    expect(r.stdout).toBe(`name;default\n${expected.join('')}`);
    const off = await doql('COPY (SELECT 1 AS a) TO STDOUT (FORMAT csv, HEADER off)');
    expect(off.stdout).toBe('1\n');
  });

  it('refuses COPY FROM, a file on the server side and binary format, with exit code 1 and nothing written', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'doql-copy-')), 'out.csv');
    const cases: [string, string][] = [
      ['COPY digitalocean.compute.tags FROM STDIN', 'COPY … FROM is not supported'],
      [`COPY (SELECT 1) TO '${file}'`, 'COPY can only write TO STDOUT'],
      ['COPY (SELECT 1) TO STDOUT (FORMAT binary)', 'FORMAT binary) is not supported'],
      ['COPY (DELETE FROM digitalocean.compute.tags) TO STDOUT', 'copies the rows of a SELECT'],
      ["COPY (SELECT 1) TO PROGRAM 'touch x'", 'COPY can only write TO STDOUT'],
      ['COPY (SELECT 1) TO STDOUT (FORMAT csv, HEADR)', 'unknown COPY option "headr"'],
    ];
    for (const [sql, message] of cases) {
      const r = await doql(sql);
      expect(r.code, sql).toBe(1);
      expect(r.stderr, sql).toContain(message);
      expect(r.stdout, sql).toBe('');
    }
    expect(existsSync(file)).toBe(false);
  });
});
