// Build step (`npm run build`, before the bundles): compiles the native virtual table (src/native/doql_columns.c)
// into dist/native/doql_columns.so against the SQLite headers better-sqlite3 ships (the extension calls SQLite
// through the loader's routines, so it links nothing). Without a C compiler, or if compiling fails, one warning
// line is printed and the build goes on: doql then uses the JavaScript virtual tables (engine/native-rows.ts).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const source = join(root, 'src', 'native', 'doql_columns.c');
/** Where engine/native-rows.ts looks for it. */
const NATIVE_ROWS_PATH = join(root, 'dist', 'native', 'doql_columns.so');
const headers = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'deps', 'sqlite3');

mkdirSync(dirname(NATIVE_ROWS_PATH), { recursive: true });
// A stale one would be loaded with a format the new code no longer writes.
rmSync(NATIVE_ROWS_PATH, { force: true });
const compiler = process.env.CC || 'cc';
const r = spawnSync(compiler, ['-O2', '-Wall', '-shared', '-fPIC', '-I', headers, source, '-o', NATIVE_ROWS_PATH], { encoding: 'utf8' });
if (r.status !== 0) {
  const why = r.error ? r.error.message : (r.stderr.trim().split('\n')[0] ?? `exit ${r.status}`);
  process.stderr.write(`doql build: warning: the native virtual table was not built (${why}); rows will cross through JavaScript\n`);
} else if (r.stderr.trim()) {
  process.stderr.write(r.stderr);
}
