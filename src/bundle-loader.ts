// Runs one of the build's bundles (src/build/bundle-cli.ts: dist/doql.cjs for the command line, dist/doql-session.cjs
// for a session process) compiled from V8's code cache beside it, when the bundle is current.
//
// Why vm.Script: Node 20 has no compile cache of its own (module.enableCompileCache is Node 22), but a Script takes
// V8's cachedData; that needs one classic script, hence CommonJS. A cache made by another Node (or other V8 flags:
// see wasm-tiering.ts) is rejected by V8, and the bundle is compiled as any script is.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * The build's training runs set it to a bundle's file name (`doql.cjs`): a process that loads that bundle writes
 * its code cache when it exits, so the cache holds what a command or a session compiles, not only the top level.
 * A name, not a flag: the training run's own children (a session process of the command line) load another bundle.
 */
export const WRITE_CODE_CACHE = 'DOQL_WRITE_CODE_CACHE';

/**
 * True when `bundle` was built from the compiled files there now, judged by `source`, the module it was bundled from:
 * a plain `npx tsc` since `npm run build` rewrote the compiled files and left the bundle behind.
 */
export function bundleIsCurrent(bundle: string, source: string): boolean {
  try {
    return statSync(bundle).mtimeMs >= statSync(source).mtimeMs;
  } catch {
    return false;
  }
}

export interface LoadedBundle {
  exports: unknown;
  /** Whether V8 took the code cache: `rejected` (another Node, other flags) or `none` compiles everything. */
  codeCache: 'accepted' | 'rejected' | 'none';
}

/** Compiles and runs the bundle (ASCII, so read as latin1 without decoding). */
export function loadBundle(file: string): LoadedBundle {
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    // No cache: compiled as any script is.
  }
  const source = readFileSync(file, 'latin1');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} };
  const wrapper = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string) => void;
  if (process.env[WRITE_CODE_CACHE] === basename(file)) {
    // Written aside and renamed, so that no reader sees half a file. Registered before the bundle runs: a session
    // process's own exit handlers (and its exit on 'disconnect') come after.
    process.on('exit', () => {
      writeFileSync(`${file}.cache.tmp`, script.createCachedData());
      renameSync(`${file}.cache.tmp`, `${file}.cache`);
    });
  }
  wrapper(module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, codeCache: cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted' };
}
