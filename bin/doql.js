#!/usr/bin/env node
// Entry point. `npm run build` (also run by `npm install` through `prepare`) compiles the CLI into dist/ and bundles it
// into one script, dist/doql.cjs, with V8's code cache beside it (src/build/bundle-cli.ts): run that way, a cold
// command neither resolves ~150 modules nor compiles what the cache holds (src/bundle-loader.ts). Without the bundle,
// or with one older than the compiled files (a plain `npx tsc` since), dist/cli/main.js runs.
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/doql.cjs', import.meta.url));
const compiledMain = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

async function cli() {
  // How V8 tiers up WebAssembly (src/wasm-tiering.ts: a command does not pay for re-compiling the SQL parser's 1.1 MB
  // module with the optimizing compiler). Set before the bundle is compiled: V8's code cache records the flags it was
  // made with, and the build's training run goes through this file too.
  (await import('../dist/wasm-tiering.js')).applyWasmTiering();
  const { bundleIsCurrent, loadBundle } = await import('../dist/bundle-loader.js');
  if (!bundleIsCurrent(bundle, compiledMain)) return import('../dist/cli/main.js');
  return loadBundle(bundle).exports;
}

cli().then((m) => m.main(process.argv.slice(2))).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('doql: the build is missing; run `npm install` (or `npm run build`) in the doql checkout\n');
    process.exit(2);
  }
  throw err;
});
