// `doql sandbox …` serves the simulator over HTTP; `doql sandbox reset` forgets the state kept for `--sandbox`.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DoqlError } from '../errors.js';
import { doqlPaths } from '../catalog/paths.js';
import { hashString } from '../sandbox/prng.js';

function sandboxStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(doqlPaths(env).cache, 'sandbox');
}

/**
 * Where `doql --sandbox` keeps the simulated account between runs: one file per catalog (its spec hash), so a
 * run with `--spec FILE` neither sees nor wipes what runs on the default catalog made.
 */
export function sandboxStateFile(specHash: string, env: NodeJS.ProcessEnv = process.env, context?: string): string {
  return join(sandboxStateDir(env), `state-${specHash.replace(/[^A-Za-z0-9]/g, '')}${context === undefined ? '' : `-context-${contextFileName(context)}`}.json`);
}

/**
 * Each `--sandbox` account's place (its generated resources and id range) from its context's name, so that `--context
 * b` is the same account b alone or beside a (a place by list position would give the first of any list the same
 * resources). No name (plain `--sandbox`) is place 0, as before contexts; two names of one list never share a place.
 */
export function sandboxAccountSlots(names: readonly (string | undefined)[]): number[] {
  const used = new Set<number>();
  return names.map((name) => {
    let slot = name === undefined ? 0 : 1 + (hashString(name) % 999);
    while (used.has(slot)) slot = (slot % 999) + 1;
    used.add(slot);
    return slot;
  });
}

/**
 * `--sandbox --context a,b` simulates one account per context name, each kept in its own file: the name as it
 * is when it is plain, else its bytes in hex (so that two names never share a file).
 */
function contextFileName(context: string): string {
  return /^[A-Za-z0-9_]+$/.test(context) ? context : `x${Buffer.from(context).toString('hex')}`;
}

export async function sandboxCommand(action: string | undefined, opts: Record<string, unknown>): Promise<void> {
  if (action === 'reset') {
    // Every catalog's state: starting over means the whole simulated account, whichever spec made it.
    const dir = sandboxStateDir();
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^state(-[A-Za-z0-9]+)?(-context-[A-Za-z0-9_]+)?\.json$/.test(f)) : [];
    for (const f of files) rmSync(join(dir, f), { force: true });
    process.stderr.write(`doql: sandbox state ${files.length ? 'reset' : 'was already fresh'} (${dir})\n`);
    return;
  }
  if (action !== undefined) throw new DoqlError('usage', `unknown sandbox action "${action}": use \`doql sandbox\` to serve or \`doql sandbox reset\``);
  const { runSandboxServer } = await import('../sandbox/command.js');
  await runSandboxServer({
    host: opts.host as string,
    port: opts.port as string,
    seed: opts.seed as string,
    token: (opts.token as string[]).length ? (opts.token as string[]) : 'doql-sandbox',
    count: opts.count as string[],
    latency: opts.latency as string,
    jitter: opts.jitter as string,
    faultRate: opts.faultRate as string,
    rateLimit: opts.rateLimit as string | undefined,
    rateWindow: opts.rateWindow as string | undefined,
    hourlyLimit: opts.hourlyLimit as string | undefined,
    actionDelay: opts.actionDelay as string,
    actionErrorRate: opts.actionErrorRate as string | undefined,
    spec: opts.spec as string | undefined,
    tls: opts.tls as boolean | undefined,
    certOut: opts.certOut as string | undefined,
  });
}
