// The shell's persistent history: `<state dir>/history`, one entry a line, oldest first (like bash); a statement
// typed over several lines is one entry, its newlines (kept only where they matter) escaped as \n.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { doqlPaths } from '../catalog/paths.js';
import { tokenize } from '../sql/lexer.js';

export const HISTORY_SIZE = 1000;

export function historyFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(doqlPaths(env).state, 'history');
}

/** Entries newest first, as readline wants them; a missing or unreadable file is an empty history. */
export function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE).map(decode);
  } catch {
    return [];
  }
}

/** Saves readline's history (newest first); a failure to write is not worth stopping the shell for. */
export function saveHistory(file: string, newestFirst: readonly string[]): string | undefined {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${[...newestFirst].slice(0, HISTORY_SIZE).reverse().map(encode).join('\n')}\n`, { mode: 0o600 });
    return undefined;
  } catch (err) {
    return `cannot save history to ${file}: ${(err as Error).message}`;
  }
}

/**
 * The lines of one statement as one history entry: joined by spaces, so readline shows it on one line, unless a
 * `--` comment or a string spans a line end, where the newline is part of the meaning.
 */
export function historyEntry(lines: readonly string[]): string {
  const text = lines.join('\n');
  let tokens;
  try {
    tokens = tokenize(text);
  } catch {
    return text;
  }
  const newlineMatters = tokens.some((t) => t.kind !== 'space' && t.text.includes('\n')) || tokens.some((t) => t.kind === 'comment' && t.text.startsWith('--'));
  return newlineMatters ? text : lines.map((l) => l.trim()).filter(Boolean).join(' ');
}

function encode(entry: string): string {
  return entry.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function decode(line: string): string {
  return line.replace(/\\([\\n])/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}
