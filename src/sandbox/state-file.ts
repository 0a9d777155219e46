// Persists sandbox state between processes (`doql --sandbox`: an INSERT in one run is seen by the next).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DoqlError } from '../errors.js';
import type { StoreSnapshot } from './store.js';

const FORMAT = 'doql-sandbox-state';
const VERSION = 1;

export interface SavedState {
  format: typeof FORMAT;
  version: number;
  /** State made under another spec is not reused: collections and schemas may differ. */
  specHash: string;
  seed: number;
  store: StoreSnapshot;
}

/** The saved state, or undefined when there is none or it was made for another spec or format. */
export function readState(file: string, specHash: string): SavedState | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DoqlError('config', `cannot read sandbox state ${file}: ${(err as Error).message.split('\n')[0]}`, {
      hint: 'delete the file to start from the seed again',
      cause: err,
    });
  }
  const state = parsed as Partial<SavedState>;
  if (state.format !== FORMAT || state.version !== VERSION || state.specHash !== specHash || !state.store) return undefined;
  return state as SavedState;
}

export function writeState(file: string, specHash: string, seed: number, store: StoreSnapshot): void {
  const state: SavedState = { format: FORMAT, version: VERSION, specHash, seed, store };
  mkdirSync(dirname(file), { recursive: true });
  // Write then rename: a crash mid-write never leaves half a state file behind.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}
