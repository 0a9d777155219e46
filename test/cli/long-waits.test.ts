// Long waits that say what they wait for, through the command line against the sandbox's real rate limits,
// faults and failed actions: the rate-limit notice, --max-wait, --timeout around waits, a large fan-out
// announced, -v showing a truncated body as a failed attempt, and a failed AWAIT naming what the INSERT created.
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalogDir } from '../../src/catalog/load.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { BUILT_CATALOG, buildMissing, DOQL_BIN, tempDoqlHome } from './doql-home.js';
import { runProcess } from '../support/run-process.js';

const missing = buildMissing();
if (missing) console.warn(`skipping the long-wait tests: ${missing}`);

const sandboxes: Sandbox[] = [];
async function sandbox(options: SandboxOptions): Promise<Sandbox> {
  const sb = await createSandbox({ catalog: loadCatalogDir(BUILT_CATALOG, 'default'), ...options });
  sandboxes.push(sb);
  return sb;
}
function doql(sb: Sandbox, args: string[], timeoutMs = 40_000) {
  return runProcess('node', [DOQL_BIN, '--api-url', sb.url, ...args], {
    env: { PATH: process.env.PATH ?? '', DOQL_HOME: tempDoqlHome(), NO_COLOR: '1', DIGITALOCEAN_TOKEN: sb.token },
    timeoutMs,
  });
}
/** One request per droplet, sent at once. */
function actionsOfEvery(sb: Sandbox): string {
  return `SELECT id FROM digitalocean.compute.droplet_actions WHERE droplet_id IN (${sb.ids('compute.droplets').join(', ')})`;
}
/** Three droplets: three requests, which a budget of two cannot send at once. */
const THREE = { count: { 'compute.droplets': 3 } };

describe.skipIf(Boolean(missing))('waiting on the rate limit', () => {
  afterEach(async () => {
    for (const sb of sandboxes.splice(0)) await sb.close();
  });

  it('a wait longer than 5 s is said once on stderr, and the statement then completes', async () => {
    const sb = await sandbox({ ...THREE, rateLimit: { limit: 2, windowSeconds: 8, hourly: 0 } });
    const r = await doql(sb, ['-o', 'json', actionsOfEvery(sb)]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/^waiting [6-9] s for DigitalOcean's rate limit \(2\/min\)\n$/);
    expect(r.ms).toBeGreaterThan(5_000);
  });

  it('a wait longer than --max-wait fails at once, saying when the limit resets', async () => {
    const sb = await sandbox({ ...THREE, rateLimit: { limit: 250, windowSeconds: 60, hourly: 2 } });
    const r = await doql(sb, ['-o', 'json', actionsOfEvery(sb)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^doql: DigitalOcean's rate limit \(2\/hour\) is used up until \d\d:\d\d:\d\d \(in (59 min|1 h)\); doql waits at most 60 s \(try again after it resets, or allow a longer wait with --max-wait SECONDS\)\n$/,
    );
    expect(r.ms).toBeLessThan(5_000);
  });

  it('--max-wait sets how long is too long', async () => {
    const sb = await sandbox({ ...THREE, rateLimit: { limit: 2, windowSeconds: 8, hourly: 0 } });
    const r = await doql(sb, ['--max-wait', '3', actionsOfEvery(sb)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^doql: DigitalOcean's rate limit \(2\/min\) is used up until .* \(in [6-9] s\); doql waits at most 3 s/);
    expect(r.ms).toBeLessThan(5_000);
  });

  it('--timeout bounds the whole statement, its rate-limit wait included', async () => {
    const sb = await sandbox({ ...THREE, rateLimit: { limit: 2, windowSeconds: 8, hourly: 0 } });
    const r = await doql(sb, ['--timeout', '2', actionsOfEvery(sb)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^doql: stopped after 2 s: --timeout bounds each statement, rate-limit waits included \(raise --timeout, or narrow the statement\)\n$/m);
    expect(r.ms).toBeLessThan(5_000);
  });
});

describe.skipIf(Boolean(missing))('a statement that sends many requests', () => {
  afterEach(async () => {
    for (const sb of sandboxes.splice(0)) await sb.close();
  });
  const MANY = { rateLimit: false as const, count: { 'compute.droplets': 300 } };

  it('without a terminal, says how many requests it sends and goes ahead (a read changes nothing)', async () => {
    const sb = await sandbox(MANY);
    sb.resetCounts();
    const r = await doql(sb, ['-o', 'json', actionsOfEvery(sb)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("doql: this statement sends 300 requests, about 72 s of DigitalOcean's rate limit (250/min); sending them (--yes skips this notice)\n");
    expect(sb.requests().total).toBe(300);
  });

  it('--yes: no notice', async () => {
    const sb = await sandbox(MANY);
    const r = await doql(sb, ['--yes', '-o', 'json', actionsOfEvery(sb)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe.skipIf(Boolean(missing))('-v and failed attempts', () => {
  afterEach(async () => {
    for (const sb of sandboxes.splice(0)) await sb.close();
  });

  it('an attempt whose body was truncated shows as failed, not → 200', async () => {
    const sb = await sandbox({ rateLimit: false, faults: { rate: 1, kinds: ['truncate'] } });
    const r = await doql(sb, ['-v', '--retries', '1', 'SELECT slug FROM digitalocean.compute.regions']);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('GET '));
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/v2\/regions\?per_page=200 → 200 failed: HTTP 200 with a truncated or invalid JSON body \d+ ms/);
    expect(lines[1]).toMatch(/\(attempt 2\)$/);
  });
});

describe.skipIf(Boolean(missing))('INSERT /*+ AWAIT */ whose action fails', () => {
  afterEach(async () => {
    for (const sb of sandboxes.splice(0)) await sb.close();
  });

  it('names the droplet it created, which exists', async () => {
    const sb = await sandbox({ rateLimit: false, actionDelayMs: 100, actionErrorRate: 1 });
    const r = await doql(sb, [
      "INSERT /*+ AWAIT */ INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image) SELECT 'doomed-1', 'nyc3', 's-1vcpu-1gb', 'ubuntu-24-04-x64'",
    ]);
    expect(r.code).toBe(1);
    const m = /^doql: action \d+ \(create\) errored; the INSERT created digitalocean\.compute\.droplets id (\d+), which exists \(inspect it with SELECT \* FROM digitalocean\.compute\.droplets WHERE id = \1, or DELETE it\)\n$/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const found = await doql(sb, ['-o', 'json', `SELECT name FROM digitalocean.compute.droplets WHERE id = ${m![1]}`]);
    expect(JSON.parse(found.stdout)).toEqual([{ name: 'doomed-1' }]);
  });
});
