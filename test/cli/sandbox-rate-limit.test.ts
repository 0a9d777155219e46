// `doql sandbox --rate-limit N` as a process: a large per-window limit lifts the hourly one too (which stayed at
// 5,000 and cut load tests short), `--hourly-limit` sets it, and the response headers say which limit binds.
import { afterEach, describe, expect, it } from 'vitest';
import { buildMissing, DOQL_BIN, tempDoqlHome } from './doql-home.js';
import { runProcess } from '../support/run-process.js';
import { startSandboxProcess, type SandboxProcess } from '../../src/sandbox/process.js';

const TOKEN = 'rate-limit-test';

describe.skipIf(buildMissing())('doql sandbox rate limits', () => {
  let sandbox: SandboxProcess | undefined;
  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });

  /** Starts `doql sandbox --port 0 …args` and returns the headers of one request. */
  async function headersWith(args: string[]): Promise<Record<string, string | null>> {
    const home = tempDoqlHome();
    sandbox = await startSandboxProcess(DOQL_BIN, ['--token', TOKEN, '--count', 'compute.droplets=1', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: home, DOQL_HOME: home },
      timeoutMs: 30_000,
    });
    const { url } = sandbox;
    const r = await fetch(`${url}/v2/droplets`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.status).toBe(200);
    return { limit: r.headers.get('ratelimit-limit'), remaining: r.headers.get('ratelimit-remaining') };
  }

  it('by default 250 a minute binds (the limit with the least room left is the one reported)', async () => {
    expect(await headersWith([])).toEqual({ limit: '250', remaining: '249' });
  });

  it('--rate-limit 100000 lifts the hourly limit with it: the per-window limit binds, not 5,000 an hour', async () => {
    expect(await headersWith(['--rate-limit', '100000'])).toEqual({ limit: '100000', remaining: '99999' });
  });

  it('--hourly-limit sets the hourly limit (0: none)', async () => {
    expect(await headersWith(['--rate-limit', '100000', '--hourly-limit', '7000'])).toEqual({ limit: '7000', remaining: '6999' });
    await sandbox!.stop();
    // 0 is none, not the default 5,000 (which would bind below 6,000 a minute had it not been lifted).
    expect(await headersWith(['--rate-limit', '6000', '--hourly-limit', '0'])).toEqual({ limit: '6000', remaining: '5999' });
  });

  it('--no-rate-limit turns both limits off: no ratelimit headers (commander refused the flag before)', async () => {
    expect(await headersWith(['--no-rate-limit'])).toEqual({ limit: null, remaining: null });
  });

  it('--help says so; a bad --hourly-limit is a usage error', async () => {
    const help = await runProcess(process.execPath, [DOQL_BIN, 'sandbox', '--help'], { env: { PATH: process.env.PATH ?? '' } });
    expect(help.stdout).toMatch(/--hourly-limit <n>\s+requests allowed per hour, 0 for none/);
    const home = tempDoqlHome();
    const bad = await runProcess(process.execPath, [DOQL_BIN, 'sandbox', '--port', '0', '--hourly-limit', '-1'], { env: { PATH: process.env.PATH ?? '', HOME: home, DOQL_HOME: home } });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--hourly-limit: invalid value -1');
  });
});
