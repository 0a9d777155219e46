#!/usr/bin/env node
// Entry point. `npm run build` (also run by `npm install` through `prepare`) compiles the CLI into dist/ and bundles it
// into one script, dist/doql.cjs, with V8's code cache beside it (src/build/bundle-cli.ts): run that way, a cold
// command neither resolves ~150 modules nor compiles what the cache holds. Without the bundle, or with one older than
// the compiled files (a plain `npx tsc` since), dist/cli/main.js runs.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const bundle = new URL('../dist/doql.cjs', import.meta.url);

/** The bundle's main(), compiled from V8's code cache when it has one that fits this node (else compiled as usual). */
function loadBundle(source) {
  const file = fileURLToPath(bundle);
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    // No cache: compiled as any script is.
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, fileURLToPath(new URL('.', bundle)));
  // The build's training run (bundle-cli.ts) asks for the cache once it has run a command, so the cache holds what
  // a command compiles, not only the top level. Written aside and renamed, so no reader sees half a file.
  if (process.env.DOQL_WRITE_CODE_CACHE === '1') {
    process.on('exit', () => {
      writeFileSync(`${file}.cache.tmp`, script.createCachedData());
      renameSync(`${file}.cache.tmp`, `${file}.cache`);
    });
  }
  return module.exports;
}

/** True when dist/doql.cjs was built from the compiled files there now: `npx tsc` since `npm run build` rewrote them. */
function bundleIsCurrent() {
  try {
    return statSync(bundle).mtimeMs >= statSync(new URL('../dist/cli/main.js', import.meta.url)).mtimeMs;
  } catch {
    return false;
  }
}

async function cli() {
  // How V8 tiers up WebAssembly (src/wasm-tiering.ts: a command does not pay for re-compiling the SQL parser's 1.1 MB
  // module with the optimizing compiler). Set before the bundle is compiled: V8's code cache records the flags it was
  // made with, and the build's training run goes through this file too.
  (await import('../dist/wasm-tiering.js')).applyWasmTiering();
  if (!bundleIsCurrent()) return import('../dist/cli/main.js');
  // The bundle is ASCII (bundle-cli.ts), which latin1 reads without decoding.
  return loadBundle(readFileSync(bundle, 'latin1'));
}

cli().then((m) => m.main(process.argv.slice(2))).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('doql: the build is missing; run `npm install` (or `npm run build`) in the doql checkout\n');
    process.exit(2);
  }
  throw err;
});
