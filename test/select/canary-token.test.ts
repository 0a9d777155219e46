// The API token never leaks: a random canary token runs through representative CLI commands (success,
// -v, --stats, --debug, a failing statement, an auth failure, a 5xx, a dry run) and must not appear in
// stdout, stderr or any file doql leaves under DOQL_HOME.
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { buildMissing, doql, startSandbox, tempDir, type CliResult } from './helpers.js';

const missingBuild = buildMissing();

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isDirectory()) out.push(...filesUnder(path));
    else if (st.isFile()) out.push(path);
  }
  return out;
}

/** The token as itself, and as it would look base64- or URL-encoded. */
function forms(token: string): string[] {
  return [token, Buffer.from(token).toString('base64'), encodeURIComponent(token), Buffer.from(`Bearer ${token}`).toString('base64')];
}

describe.skipIf(Boolean(missingBuild))('the API token never appears in output or files', () => {
  const canary = `dop_v1_${randomBytes(32).toString('hex')}`;
  const wrongCanary = `dop_v1_${randomBytes(32).toString('hex')}`;
  const home = tempDir('doql-home-canary-');
  let sb: Sandbox;
  const outputs: { name: string; r: CliResult }[] = [];

  beforeAll(async () => {
    sb = await startSandbox({ seed: 61, token: canary, count: { 'compute.droplets': 20 } });
  });
  afterAll(() => sb.close());

  const run = async (name: string, args: string[], token = canary): Promise<CliResult> => {
    const r = await doql(['--api-url', sb.url, ...args], { DOQL_HOME: home, DIGITALOCEAN_TOKEN: token });
    outputs.push({ name, r });
    return r;
  };

  it('representative commands behave as expected and none prints or stores the canary token', async () => {
    const [ok, verbose, stats, failing, auth, dryRun] = await Promise.all([
      run('success', ['-o', 'json', 'SELECT id, name FROM digitalocean.compute.droplets']),
      run('-v', ['-v', '-o', 'csv', "SELECT id FROM digitalocean.compute.droplets WHERE tag_name = 'x'; SELECT count(*) FROM digitalocean.databases.clusters"]),
      run('--stats', ['--stats', '-o', 'json', 'SELECT count(*) FROM digitalocean.compute.droplets']),
      run('failing statement, -v --debug', ['-v', '--debug', "SELECT * FROM digitalocean.databases.backups WHERE database_cluster_uuid = 'no-such-cluster'"]),
      run('wrong token', ['-v', '--stats', '--debug', 'SELECT id FROM digitalocean.compute.droplets'], wrongCanary),
      run('dry run', [
        '--dry-run',
        '-v',
        "INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image) SELECT 'web-1', 'nyc3', 's-1vcpu-1gb', 'ubuntu-22-04-x64'",
      ]),
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toHaveLength(20);
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/v2\/droplets\?tag_name=x&per_page=200 → 200/);
    expect(stats.code).toBe(0);
    expect(stats.stderr).toMatch(/^stats: requests 1,/);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/doql: 404 GET \/v2\/databases\/no-such-cluster\/backups: /);
    expect(auth.code).toBe(1);
    expect(auth.stderr).toMatch(/401/);

    // A 5xx on every request (retries exhausted), printed with -v, --stats and --debug.
    sb.setFaults({ rate: 1, kinds: ['503'] });
    try {
      const fault = await run('5xx', ['-v', '--stats', '--debug', '--retries', '1', 'SELECT id FROM digitalocean.compute.droplets WHERE droplet_id = 1']);
      expect(fault.code).toBe(1);
      expect(fault.stderr).toMatch(/503/);
    } finally {
      sb.setFaults(undefined);
    }
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toMatch(/"url": "(http:\/\/127\.0\.0\.1:\d+)?\/v2\/droplets"/);

    for (const { name, r } of outputs) {
      for (const secret of [canary, wrongCanary]) {
        for (const form of forms(secret)) {
          expect(r.stdout.includes(form), `${name}: stdout holds the token`).toBe(false);
          expect(r.stderr.includes(form), `${name}: stderr holds the token`).toBe(false);
        }
      }
    }
    for (const file of filesUnder(home)) {
      const text = readFileSync(file, 'latin1');
      for (const secret of [canary, wrongCanary]) {
        for (const form of forms(secret)) expect(text.includes(form), `${file} holds the token`).toBe(false);
      }
    }
  });
});
