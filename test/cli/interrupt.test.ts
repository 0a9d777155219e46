// Ctrl-C (SIGINT) on a one-shot `doql "…"`: a CPU-bound local query stops within about a second, the process
// exits 130 with one line; a mutation stops sending and says what was sent, what may have happened and what not.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalogDir } from '../../src/catalog/load.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { BUILT_CATALOG, buildMissing, DOQL_BIN, tempDoqlHome } from './doql-home.js';
import { runProcess, type ProcessRun } from '../support/run-process.js';

const missing = buildMissing();
if (missing) console.warn(`skipping the Ctrl-C tests: ${missing}`);

const RUNAWAY = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) SELECT count(*) FROM r';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The pids of `pid`'s child processes. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls `test` until it holds (generous: the machine may be loaded); fails after `ms`. */
async function until<T>(test: () => T | undefined, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = test();
    if (value !== undefined) return value;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(Boolean(missing))('Ctrl-C on a one-shot doql', () => {
  const sandboxes: Sandbox[] = [];
  afterEach(async () => {
    for (const sb of sandboxes.splice(0)) await sb.close();
  });

  it('stops a CPU-bound local query within about a second: exit 130, one line, its session process gone', async () => {
    let interrupted = 0;
    let sessionProcesses: number[] = [];
    const run: ProcessRun = await runProcess('node', [DOQL_BIN, '-o', 'json', RUNAWAY], {
      env: { PATH: process.env.PATH ?? '', DOQL_HOME: tempDoqlHome(), NO_COLOR: '1' },
      timeoutMs: 60_000,
      whileRunning: (child) => {
        void (async () => {
          // The query runs in a session process of doql's: once it exists, give it a moment to be deep in SQLite.
          sessionProcesses = await until(() => {
            const found = childrenOf(child.pid as number);
            return found.length ? found : undefined;
          }, 'the session process');
          await sleep(1000);
          interrupted = performance.now();
          child.kill('SIGINT');
        })();
      },
    });
    expect(run.stderr).toBe('doql: statement cancelled (Ctrl-C)\n');
    expect(run.stdout).toBe('');
    expect(run.code).toBe(130);
    expect(performance.now() - interrupted).toBeLessThan(3000);
    expect(sessionProcesses.length).toBeGreaterThan(0);
    await until(() => (sessionProcesses.some(alive) ? undefined : true), 'the session process to end', 5000);
  });

  it('stops a CPU-bound query over a resource at once too: SQLite computes in this process, so Ctrl-C ends it', async () => {
    let interrupted = 0;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const overResource = `${RUNAWAY}, (SELECT 1 FROM digitalocean.compute.sizes LIMIT 1) s`;
    const run: ProcessRun = await runProcess('node', [DOQL_BIN, '--sandbox', '-v', '-o', 'json', overResource], {
      env: { PATH: process.env.PATH ?? '', DOQL_HOME: tempDoqlHome(), NO_COLOR: '1' },
      timeoutMs: 60_000,
      whileRunning: (child) => {
        let err = '';
        child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
        child.once('exit', (code, signal) => (exited = { code, signal }));
        void (async () => {
          // -v prints the sizes request once answered: from then on the statement is SQLite's alone.
          await until(() => (/GET \S*\/v2\/sizes\S* → 200/.test(err) ? true : undefined), 'the sizes request');
          await sleep(1000);
          interrupted = performance.now();
          child.kill('SIGINT');
        })();
      },
    });
    expect(performance.now() - interrupted).toBeLessThan(3000);
    expect(run.stdout).toBe('');
    // Ended by the signal itself (a shell shows 130), or by doql's own handler if it came between two runs.
    expect(exited?.signal === 'SIGINT' || run.code === 130, JSON.stringify({ exited, stderr: run.stderr })).toBe(true);
  });

  it('a DELETE stops sending: the request in flight is reported as of unknown outcome, the others as not sent, and they stay', async () => {
    // Every request takes 5 s and one goes at a time: Ctrl-C comes while the first DELETE is out.
    const sb = await createSandbox({ catalog: loadCatalogDir(BUILT_CATALOG, 'default'), latencyMs: 5000, count: { 'compute.droplets': 3 } });
    sandboxes.push(sb);
    const [a, b, c] = sb.ids('compute.droplets');
    const env = { PATH: process.env.PATH ?? '', DOQL_HOME: tempDoqlHome(), NO_COLOR: '1', DIGITALOCEAN_TOKEN: sb.token };
    const run = await runProcess(
      'node',
      [DOQL_BIN, '-v', '--api-url', sb.url, '--concurrency', '1', '--yes', `DELETE FROM digitalocean.compute.droplets WHERE id IN (${a}, ${b}, ${c})`],
      {
        env,
        timeoutMs: 60_000,
        whileRunning: (child) => {
          let stderr = '';
          let signalled = false;
          child.stderr?.on('data', (d: Buffer) => {
            stderr += d.toString('utf8');
            // -v prints each request once answered: the list is done, so the first DELETE goes out now; 1.5 s
            // later it is surely out, and 3.5 s from its answer.
            if (/GET \S+\/v2\/droplets\S* → 200/.test(stderr) && !signalled) {
              signalled = true;
              setTimeout(() => child.kill('SIGINT'), 1500);
            }
          });
        },
      },
    );
    expect(run.code).toBe(130);
    const last = run.stderr.trim().split('\n').pop();
    expect(last).toContain(`succeeded: none; failed: DELETE /v2/droplets/${a}; not sent: DELETE /v2/droplets/${b}, DELETE /v2/droplets/${c}`);
    expect(last).toContain(`DELETE /v2/droplets/${a}: cancelled after the request was sent; the outcome is unknown`);
    expect(run.stderr).not.toMatch(/DELETE \S+\/v2\/droplets\/(\d+) → 20/);
    // Nothing unsent was sent later: b and c are still there.
    const left = await runProcess('node', [DOQL_BIN, '--api-url', sb.url, '-o', 'json', 'SELECT id FROM digitalocean.compute.droplets ORDER BY id'], { env });
    expect(left.code).toBe(0);
    const ids = (JSON.parse(left.stdout) as { id: number }[]).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining([Number(b), Number(c)]));
  });
});
