// Build step (`npm run build`, after tsc): bundles the compiled CLI (dist/cli/main.js) into one CommonJS file,
// dist/doql.cjs, and records V8's code cache for it (dist/doql.cjs.cache) from a training run, so a cold `doql`
// reads one file and compiles almost nothing. bin/doql.js loads it.
//
// Why: a cold command spent ~100 ms of CPU resolving, reading and compiling ~150 modules before its first
// request. Node 20 has no compile cache of its own (module.enableCompileCache is Node 22), but vm.Script takes
// V8's cachedData; that needs one classic script, hence CommonJS, and no dynamic import() inside it (a script
// made from cached data loses its import callback), hence the packages loaded with import() are required.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
export const BUNDLE = join(dist, 'doql.cjs');

/**
 * Each module keeps its own `import.meta.url` (the file tsc wrote in dist/), so what it finds beside itself
 * (the compiled catalog, package.json, serve-child.js) is found as before. A package a module loads through
 * `createRequire(import.meta.url)` (undici's parts, yaml) becomes a require esbuild bundles (and the code cache
 * holds), unless it is external, when the bundle requires it at run time from the same node_modules.
 */
const ownImportMetaUrl: Plugin = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(`${dist}${sep}`)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      const rel = relative(dist, args.path).split('\\').join('/');
      const contents = text
        .replace(/^const require = createRequire\(import\.meta\.url\);$/m, '')
        .replace(/\bcreateRequire\(import\.meta\.url\)\(/g, 'require(')
        .replace(/\bimport\.meta\.url\b/g, `__doqlModuleUrl(${JSON.stringify(rel)})`);
      // Anything else of import.meta (dirname, resolve) would be undefined in a CommonJS bundle.
      if (contents.includes('import.meta')) throw new Error(`${rel} uses import.meta beyond import.meta.url`);
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

async function bundle(): Promise<void> {
  const result = await build({
    entryPoints: [join(dist, 'cli', 'main.js')],
    outfile: BUNDLE,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // A native addon, and a package that finds its .wasm beside its own files.
    // better-sqlite3/lib/util.js must be the addon's own module (virtual-table.ts reads its symbol).
    external: ['better-sqlite3', 'better-sqlite3/*', 'libpg-query'],
    plugins: [ownImportMetaUrl],
    banner: { js: 'const __doqlModuleUrl = (rel) => require("node:url").pathToFileURL(require("node:path").join(__dirname, rel)).href;' },
    logLevel: 'warning',
    legalComments: 'none',
    // ASCII only, so bin/doql.js reads it as latin1 (no UTF-8 decoding of ~2 MB); no comments or indentation to read.
    charset: 'ascii',
    minifyWhitespace: true,
    metafile: true,
  });
  // Bundled modules' import() became plain calls; one left for Node to run would fail in the cached script.
  const left = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
  if (left.length) throw new Error(`dist/doql.cjs would import() ${left.join(', ')} at run time: require it instead`);
  if (/[^\x00-\x7f]/.test(readFileSync(BUNDLE, 'latin1'))) throw new Error('dist/doql.cjs is not ASCII, which bin/doql.js reads it as');
}

/** Runs the bundle once over the work a cold command does (a JOIN fanned out against a sandbox), writing its code cache. */
async function train(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'doql-build-'));
  const env = { ...process.env, DOQL_HOME: home, DIGITALOCEAN_TOKEN: 'doql-sandbox', DOQL_TIMINGS: undefined };
  const sandbox = spawn(process.execPath, [join(root, 'bin', 'doql.js'), 'sandbox', '--port', '0', '--count', 'databases.clusters=3', '--rate-limit', '1000000'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('the sandbox did not start within 60 s')), 60_000);
      sandbox.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m && out.includes('try:')) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      sandbox.on('exit', (code) => reject(new Error(`the sandbox exited (${code})`)));
    });
    const sql = 'SELECT c.name, b.created_at, b.size_gigabytes FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id';
    const r = spawnSync(process.execPath, [join(root, 'bin', 'doql.js'), '--api-url', url, '-o', 'json', sql], {
      env: { ...env, DOQL_WRITE_CODE_CACHE: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (r.status !== 0) throw new Error(`the training run failed: ${r.stderr.toString().trim()}`);
    if (!existsSync(`${BUNDLE}.cache`)) throw new Error('the training run wrote no code cache');
  } finally {
    sandbox.kill('SIGTERM');
    rmSync(home, { recursive: true, force: true });
  }
}

/** An error's first line; esbuild's BuildFailure says what failed in its errors, its message only how many. */
const why = (err: unknown): string =>
  (err as { errors?: { text: string }[] }).errors?.[0]?.text ?? (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
rmSync(`${BUNDLE}.cache`, { force: true });
try {
  await bundle();
} catch (err) {
  // Without the bundle bin/doql.js runs dist/cli/main.js: slower to start, but a build is not failed for it.
  rmSync(BUNDLE, { force: true });
  process.stderr.write(`bundle-cli: dist/doql.cjs not built (${why(err)}); doql runs dist/cli/main.js and starts slower\n`);
  process.exit(0);
}
try {
  await train();
} catch (err) {
  // The bundle runs without a cache (compiled as any script is): slower to start, but a build is not failed for it.
  rmSync(`${BUNDLE}.cache`, { force: true });
  process.stderr.write(`bundle-cli: no code cache for dist/doql.cjs (${why(err)}); doql starts slower\n`);
}
