// The module a session process starts from (server/session-process.ts forks it, for `doql serve` and the command
// line): the session bundle, dist/doql-session.cjs, compiled from its code cache (src/build/bundle-cli.ts), or
// serve-child.js itself when there is no current bundle. Either runs serve-child.ts's runSessionChild as it loads.
//
// Why: every new connection that finds no idle process, and every replacement after a cancel, timeout or crash,
// waits for a process to start; from ~150 compiled modules that cost ~200 ms of CPU, from the bundle ~110 ms, a bare
// forked node ~65 ms (`npm run bench -- serve-start`), on a machine where running statements want the same cores.
import { fileURLToPath } from 'node:url';
import { bundleIsCurrent, loadBundle } from '../bundle-loader.js';
import { applyWasmTiering } from '../wasm-tiering.js';
import type { FromChild } from '../server/session-messages.js';

// The parser sets it as it loads (sql/tree/parse.ts); set before the bundle is compiled too, because V8's code cache
// records the flags it was made with (the training process had set it by its exit) and is rejected under others.
applyWasmTiering();

const bundle = fileURLToPath(new URL('../doql-session.cjs', import.meta.url));
let loaded: Extract<FromChild, { t: 'loaded' }>;
if (bundleIsCurrent(bundle, fileURLToPath(new URL('./serve-child.js', import.meta.url)))) {
  loaded = { t: 'loaded', from: 'dist/doql-session.cjs', codeCache: loadBundle(bundle).codeCache };
} else {
  await import('./serve-child.js');
  loaded = { t: 'loaded', from: 'dist/cli/serve-child.js', codeCache: 'none' };
}
// What the server says under --verbose: a session process that quietly starts the slow way is otherwise unseen.
process.send?.(loaded);
