// Shared by the several-accounts tests: one sandbox serving two accounts (tokens A and B), a doctl config
// naming them as contexts `a` and `b` in a throwaway HOME, and the real CLI run against both.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';
import { doql, startSandbox, tempDir, type CliResult } from '../select/helpers.js';

export const TOKEN_A = 'token-of-account-a';
export const TOKEN_B = 'token-of-account-b';

/** A sandbox with two accounts: A (seed 1) and B (seed 2), so their rows differ. */
export function startTwoAccounts(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ tokens: [TOKEN_A, TOKEN_B], count: { 'compute.droplets': 3 }, ...options });
}

/** A HOME whose doctl config has contexts a and b (current context a). */
export function doctlHome(contexts: Record<string, string> = { a: TOKEN_A, b: TOKEN_B }): string {
  const home = tempDir('doql-accounts-');
  const dir = join(home, '.config', 'doctl');
  mkdirSync(dir, { recursive: true });
  const lines = ['context: a', 'auth-contexts:', ...Object.entries(contexts).map(([k, v]) => `  ${k}: ${v}`)];
  writeFileSync(join(dir, 'config.yaml'), `${lines.join('\n')}\n`);
  return home;
}

/** `doql --api-url <sandbox> ARGS` with HOME holding the doctl config (no token in the environment). */
export function doqlAccounts(sb: Sandbox, home: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return doql(['--api-url', sb.url, ...args], { HOME: home, DOQL_HOME: join(home, 'doql'), ...env });
}

/** Requests each account served since the last resetCounts(). */
export function requestsOf(sb: Sandbox): { a: number; b: number } {
  return { a: sb.requests(TOKEN_A).total, b: sb.requests(TOKEN_B).total };
}
