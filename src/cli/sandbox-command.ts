// `doql sandbox …` serves the simulator over HTTP; `doql sandbox reset` forgets the state kept for `--sandbox`.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DoqlError } from '../errors.js';
import { doqlPaths } from '../catalog/paths.js';

/** Where `doql --sandbox` keeps the simulated account between runs. */
export function sandboxStateFile(): string {
  return join(doqlPaths().cache, 'sandbox', 'state.json');
}

export async function sandboxCommand(action: string | undefined, opts: Record<string, unknown>): Promise<void> {
  if (action === 'reset') {
    const file = sandboxStateFile();
    const had = existsSync(file);
    rmSync(file, { force: true });
    process.stderr.write(`doql: sandbox state ${had ? 'reset' : 'was already fresh'} (${file})\n`);
    return;
  }
  if (action !== undefined) throw new DoqlError('usage', `unknown sandbox action "${action}": use \`doql sandbox\` to serve or \`doql sandbox reset\``);
  const { runSandboxServer } = await import('../sandbox/command.js');
  await runSandboxServer({
    host: opts.host as string,
    port: opts.port as string,
    seed: opts.seed as string,
    token: opts.token as string,
    count: opts.count as string[],
    latency: opts.latency as string,
    jitter: opts.jitter as string,
    faultRate: opts.faultRate as string,
    rateLimit: opts.rateLimit as string | undefined,
    rateWindow: opts.rateWindow as string | undefined,
    actionDelay: opts.actionDelay as string,
    actionErrorRate: opts.actionErrorRate as string | undefined,
    spec: opts.spec as string | undefined,
  });
}
