// The shell's persistent history: `<state dir>/history`, one entry a line, oldest first (like bash).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { doqlPaths } from '../catalog/paths.js';

export const HISTORY_SIZE = 1000;

export function historyFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(doqlPaths(env).state, 'history');
}

/** Entries newest first, as readline wants them; a missing or unreadable file is an empty history. */
export function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

/** Saves readline's history (newest first); a failure to write is not worth stopping the shell for. */
export function saveHistory(file: string, newestFirst: readonly string[]): string | undefined {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${[...newestFirst].slice(0, HISTORY_SIZE).reverse().join('\n')}\n`, { mode: 0o600 });
    return undefined;
  } catch (err) {
    return `cannot save history to ${file}: ${(err as Error).message}`;
  }
}
