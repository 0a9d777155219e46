// What users of psql, sqlite3, StackQL and doctl type first: statements on stdin, exec --infile, -o pretty,
// several statement arguments, config precedence (flags > environment > config file), DIGITALOCEAN_CONTEXT,
// -t/--access-token, and a rejected token that says where it came from.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogDir } from '../../src/catalog/load.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { BUILT_CATALOG, buildMissing, DOQL_BIN, tempDoqlHome } from './doql-home.js';
import { runProcess } from '../support/run-process.js';

const missing = buildMissing();
if (missing) console.warn(`skipping the command-line input tests: ${missing}`);

function doql(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  return runProcess('node', [DOQL_BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', DOQL_HOME: tempDoqlHome(), NO_COLOR: '1', ...options.env },
    input: options.input,
  });
}

describe.skipIf(Boolean(missing))('statements in', () => {
  it('reads statements from stdin when it is not a terminal and none is given', async () => {
    const r = await doql(['--sandbox'], { input: 'SELECT 1 AS a;\n' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ a: 1 }]);
  });

  it.each([['--infile'], ['-i'], ['-f']])('exec %s FILE runs the file (StackQL spells it --infile)', async (flag) => {
    const home = tempDoqlHome();
    const file = join(home, 'q.iql');
    writeFileSync(file, 'SELECT 2 AS b;');
    const r = await doql(['exec', flag, file, '-o', 'json'], { env: { DOQL_HOME: home } });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([{ b: 2 }]);
  });

  it('-o pretty is the table', async () => {
    const r = await doql(['-o', 'pretty', 'SELECT 3 AS c']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('┌───┐\n│ c │\n├───┤\n│ 3 │\n└───┘\n(1 row)\n');
  });

  it('runs several statement arguments in order; -o json prints one document, an array per statement', async () => {
    const r = await doql(['-o', 'json', 'SELECT 1 a', 'SELECT 2 b; SELECT 3 c']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([[{ a: 1 }], [{ b: 2 }], [{ c: 3 }]]);
  });

  it('a statement that fails after others ran still leaves valid JSON of what ran', async () => {
    const r = await doql(['-o', 'json', 'SELECT 1 a; SELECT 2 b', 'SELECT nope FROM nowhere', 'SELECT 4 d']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual([[{ a: 1 }], [{ b: 2 }]]);
    expect(r.stderr).toMatch(/^doql: .*nowhere/);
  });
});

describe.skipIf(Boolean(missing))('configuration and credentials', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox({ catalog: loadCatalogDir(BUILT_CATALOG, 'default'), rateLimit: false });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  /** A DOQL_HOME whose config.yaml holds `text`, and a HOME with doctl's config (a good and a broken context). */
  function homes(configYaml: string) {
    const home = tempDoqlHome();
    mkdirSync(join(home, 'config'), { recursive: true });
    writeFileSync(join(home, 'config', 'config.yaml'), configYaml);
    const userHome = join(home, 'user');
    mkdirSync(join(userHome, '.config', 'doctl'), { recursive: true });
    const doctlConfig = join(userHome, '.config', 'doctl', 'config.yaml');
    writeFileSync(doctlConfig, `access-token: not-this-one\nauth-contexts:\n  good: ${sandbox.token}\n  broken: sekrit-broken-token\ncontext: default\n`);
    return { DOQL_HOME: home, HOME: userHome, doctlConfig };
  }
  const QUERY = 'SELECT count(*) AS n FROM digitalocean.compute.regions';

  it('DIGITALOCEAN_API_URL beats the config file’s api_url; --api-url beats both', async () => {
    const { doctlConfig: _, ...env } = homes('api_url: http://127.0.0.1:9\n');
    const fromEnv = await doql(['-o', 'json', QUERY], { env: { ...env, DIGITALOCEAN_TOKEN: sandbox.token, DIGITALOCEAN_API_URL: sandbox.url } });
    expect(fromEnv.stderr).toBe('');
    expect(JSON.parse(fromEnv.stdout)[0].n).toBeGreaterThan(0);
    const fromFlag = await doql(['--api-url', sandbox.url, '-o', 'json', QUERY], {
      env: { ...env, DIGITALOCEAN_TOKEN: sandbox.token, DIGITALOCEAN_API_URL: 'http://127.0.0.1:9' },
    });
    expect(fromFlag.stderr).toBe('');
    expect(fromFlag.code).toBe(0);
  });

  it('a misspelled config key is a warning naming the closest key', async () => {
    const { doctlConfig: _, ...env } = homes('concurency: 4\n');
    const r = await doql(['-o', 'json', 'SELECT 1 AS a'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^doql: .*config\.yaml: unknown key "concurency" ignored; did you mean concurrency\?\n$/);
  });

  it('DIGITALOCEAN_CONTEXT picks the doctl context, as --context does', async () => {
    const { doctlConfig: _, ...env } = homes('');
    const r = await doql(['--api-url', sandbox.url, '-o', 'json', QUERY], { env: { ...env, DIGITALOCEAN_CONTEXT: 'good' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it.each([['-t'], ['--access-token']])('%s TOKEN is the token, as in doctl', async (flag) => {
    const { doctlConfig: _, ...env } = homes('');
    const r = await doql([flag, sandbox.token, '--api-url', sandbox.url, '-o', 'json', QUERY], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a token rejected under --context names the context and its file, never the token', async () => {
    const { doctlConfig, ...env } = homes('');
    const r = await doql(['--context', 'broken', '--api-url', sandbox.url, QUERY], { env: { ...env, DIGITALOCEAN_TOKEN: sandbox.token } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the token from doctl context "broken" (${doctlConfig}) was rejected: run \`doctl auth init --context broken\``);
    expect(r.stderr).not.toContain('DIGITALOCEAN_TOKEN');
    expect(r.stderr).not.toContain('sekrit');
  });
});
