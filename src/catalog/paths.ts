// Where doql keeps its files: the user cache (registry, sandbox state), config and state (history).
import envPaths from 'env-paths';
import { join } from 'node:path';

export interface DoqlPaths {
  cache: string;
  config: string;
  state: string;
  registry: string;
}

/** `DOQL_HOME` (used by tests) puts everything under one folder; otherwise env-paths' platform dirs. */
export function doqlPaths(env: NodeJS.ProcessEnv = process.env): DoqlPaths {
  if (env.DOQL_HOME) {
    const home = env.DOQL_HOME;
    return { cache: join(home, 'cache'), config: join(home, 'config'), state: join(home, 'state'), registry: join(home, 'cache', 'registry') };
  }
  const p = envPaths('doql', { suffix: '' });
  return { cache: p.cache, config: p.config, state: p.data.replace(/share\/doql$/, 'state/doql'), registry: join(p.cache, 'registry') };
}
