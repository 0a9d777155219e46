// Build step (`npm run build`, after tsc): bundles the compiled CLI (dist/cli/main.js) into one CommonJS file,
// dist/doql.cjs, and a session process's code (dist/cli/serve-child.js) into another, dist/doql-session.cjs, and
// records V8's code cache for each (dist/doql.cjs.cache, dist/doql-session.cjs.cache) from a training run, so a cold
// `doql`, and each session process `doql serve` or the shell starts, reads one file and compiles almost nothing.
// bin/doql.js and cli/session-entry.ts load them (bundle-loader.ts).
//
// Why: a cold command spent ~100 ms of CPU resolving, reading and compiling ~150 modules before its first
// request, and a session process ~70 ms of its ~200 ms. Node 20 has no compile cache of its own
// (module.enableCompileCache is Node 22), but vm.Script takes V8's cachedData; that needs one classic script, hence
// CommonJS, and no dynamic import() inside it (a script made from cached data loses its import callback), hence the
// packages loaded with import() are required.
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { createApiClient } from '../api/client.js';
import { fetchItems, type FetchKey } from '../engine/fetcher.js';
import type { EngineApi } from '../engine/fetcher.js';
import { WRITE_CODE_CACHE } from '../bundle-loader.js';
import type { ServeChildConfig } from '../cli/serve-child.js';
import { errorData, type FromChild, type ToChild } from '../server/session-messages.js';
import { startSandboxProcess, type SandboxProcess } from '../sandbox/process.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');

/** A bundle: the compiled module it starts from, and what runs without it. */
interface Bundle {
  entry: string;
  file: string;
  without: string;
}
export const CLI_BUNDLE: Bundle = { entry: join(dist, 'cli', 'main.js'), file: join(dist, 'doql.cjs'), without: 'doql runs dist/cli/main.js and starts slower' };
export const SESSION_BUNDLE: Bundle = {
  entry: join(dist, 'cli', 'serve-child.js'),
  file: join(dist, 'doql-session.cjs'),
  without: 'session processes run dist/cli/serve-child.js and start slower',
};

/**
 * Each module keeps its own `import.meta.url` (the file tsc wrote in dist/), so what it finds beside itself
 * (the compiled catalog, package.json, session-entry.js) is found as before. A package a module loads through
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

/**
 * libpg-query's JavaScript (its Emscripten loader, ~70 kB) is bundled, so the code cache holds it too (~8 ms of a
 * session process's start compiled it): only where it finds its .wasm changes, from the bundle's folder (its
 * __dirname) to the package's own. A libpg-query whose loader no longer reads so fails the build's bundling loudly
 * (and doql then runs its compiled modules), rather than a bundle that cannot find the parser.
 */
const LIBPG_QUERY_DIR = 'scriptDirectory=__dirname+"/"';
const libpgQueryWasmBeside: Plugin = {
  name: 'libpg-query-wasm-beside',
  setup(b) {
    b.onLoad({ filter: /[\\/]libpg-query[\\/]wasm[\\/]libpg-query\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (text.split(LIBPG_QUERY_DIR).length !== 2) throw new Error(`${args.path} does not set ${LIBPG_QUERY_DIR} once: the bundle could not find its .wasm`);
      const dir = 'scriptDirectory=require("node:path").dirname(require.resolve("libpg-query/wasm/libpg-query.wasm"))+"/"';
      return { contents: text.replace(LIBPG_QUERY_DIR, dir), loader: 'js' };
    });
  },
};

async function bundle(target: Bundle): Promise<void> {
  const name = `dist/${basename(target.file)}`;
  const result = await build({
    entryPoints: [target.entry],
    outfile: target.file,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // A native addon (better-sqlite3/lib/util.js must be the addon's own module: virtual-table.ts reads its symbol),
    // and the parser's .wasm, found at run time (libpgQueryWasmBeside).
    external: ['better-sqlite3', 'better-sqlite3/*', 'libpg-query/wasm/libpg-query.wasm'],
    plugins: [ownImportMetaUrl, libpgQueryWasmBeside],
    banner: { js: 'const __doqlModuleUrl = (rel) => require("node:url").pathToFileURL(require("node:path").join(__dirname, rel)).href;' },
    logLevel: 'warning',
    legalComments: 'none',
    // ASCII only, so bundle-loader.ts reads it as latin1 (no UTF-8 decoding of ~2 MB); no comments or indentation to read.
    charset: 'ascii',
    minifyWhitespace: true,
    metafile: true,
  });
  // Bundled modules' import() became plain calls; one left for Node to run would fail in the cached script.
  const left = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
  if (left.length) throw new Error(`${name} would import() ${left.join(', ')} at run time: require it instead`);
  if (/[^\x00-\x7f]/.test(readFileSync(target.file, 'latin1'))) throw new Error(`${name} is not ASCII, which bundle-loader.ts reads it as`);
}

/** A `doql sandbox` process for the training runs. */
const startSandbox = (env: NodeJS.ProcessEnv): Promise<SandboxProcess> =>
  startSandboxProcess(join(root, 'bin', 'doql.js'), ['--count', 'databases.clusters=3', '--rate-limit', '1000000'], { env, timeoutMs: 60_000 });

const JOIN = 'SELECT c.name, b.created_at, b.size_gigabytes FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id';

/** Runs the CLI bundle once over the work a cold command does (a JOIN fanned out against the sandbox), writing its code cache. */
function trainCli(url: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'doql.js'), '--api-url', url, '-o', 'json', JOIN], {
    env: { ...env, [WRITE_CODE_CACHE]: basename(CLI_BUNDLE.file) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`the training run failed: ${r.stderr.toString().trim()}`);
}

/**
 * What a session process is trained on: what a wire client's connection sends first (a driver's or psql's
 * catalog questions, SET), SELECTs over resources (fetched through the parent) and a parameter.
 */
const SESSION_STATEMENTS: { sql: string; params?: unknown[] }[] = [
  { sql: 'SELECT 1' },
  { sql: "SET statement_timeout = '10s'" },
  { sql: 'SHOW statement_timeout' },
  { sql: 'SELECT version(), current_database()' },
  { sql: "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'v') ORDER BY 1, 2 LIMIT 5" },
  { sql: 'SELECT name, region, status FROM digitalocean.databases.clusters WHERE name <> $1 ORDER BY name', params: ['none'] },
  { sql: JOIN },
  { sql: 'SELECT region, count(*) FROM digitalocean.databases.clusters GROUP BY region' },
];

/**
 * Forks a session process (cli/session-entry.ts, as the server does) and plays the server's side of
 * session-messages.ts over SESSION_STATEMENTS, its requests made against the sandbox; then disconnects, and the
 * process writes its code cache as it exits.
 */
async function trainSession(url: string, env: NodeJS.ProcessEnv): Promise<void> {
  const api = createApiClient({ baseUrl: url, token: 'doql-sandbox' });
  const handle = async (op: string, args: unknown[]): Promise<unknown> => {
    if (op === 'fetch') return fetchItems(api, args[0] as FetchKey);
    if (op === 'request') return api.request(args[0] as Parameters<EngineApi['request']>[0]);
    if (op === 'list') return api.list(args[0] as Parameters<EngineApi['list']>[0]);
    if (op === 'accounts') return { names: ['default'] };
    return null;
  };
  const child = fork(join(dist, 'cli', 'session-entry.js'), [], {
    env: { ...env, [WRITE_CODE_CACHE]: basename(SESSION_BUNDLE.file) },
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const send = (message: ToChild): void => void child.send(message);
  let settle: ((message: FromChild) => void) | undefined;
  child.on('message', (message: FromChild) => {
    if (message.t === 'call') {
      handle(message.op, message.args).then(
        (value) => send({ t: 'reply', call: message.call, value }),
        (err: unknown) => send({ t: 'reply', call: message.call, error: errorData(err) }),
      );
    } else if ((message.t === 'result' && message.streaming) || (message.t === 'rows' && message.rows)) {
      send({ t: 'more', id: message.id });
    } else if (message.t === 'ready' || message.t === 'done' || message.t === 'error') {
      settle?.(message);
    }
  });
  /** The process's next ready, done or error, within 60 s. */
  const next = (): Promise<FromChild> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the session process did not answer within 60 s ${stderr}`)), 60_000);
      void exited.then((code) => reject(new Error(`the session process exited (${code}) ${stderr}`)));
      settle = (message) => {
        clearTimeout(timer);
        resolve(message);
      };
    });
  try {
    const config: ServeChildConfig = {
      vars: {},
      mutation: { dryRun: true, yes: false, waitTimeoutMs: 0 },
      allowRegistry: false,
      servesEveryPath: false,
      settings: { statement_timeout: '5min' },
      accounts: { names: ['default'] },
    };
    send({ t: 'init', config });
    await next();
    let state: Extract<FromChild, { t: 'done' }>['state'] = { settings: {} };
    for (const [i, { sql, params }] of SESSION_STATEMENTS.entries()) {
      send({ t: 'exec', id: i + 1, sql, params, state, backend: { pid: process.pid, user: 'doql', activity: [] } });
      const end = await next();
      if (end.t === 'error') throw new Error(`the training statement ${sql} failed: ${end.error.message}`);
      if (end.t === 'done') state = end.state;
    }
    child.disconnect();
    const code = await exited;
    if (code !== 0) throw new Error(`the session process exited (${code}) ${stderr}`);
  } finally {
    child.kill('SIGKILL');
    await api.close();
  }
}

/** An error's first line; esbuild's BuildFailure says what failed in its errors, its message only how many. */
const why = (err: unknown): string =>
  (err as { errors?: { text: string }[] }).errors?.[0]?.text ?? (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

const built: Bundle[] = [];
for (const target of [CLI_BUNDLE, SESSION_BUNDLE]) {
  rmSync(`${target.file}.cache`, { force: true });
  try {
    await bundle(target);
    built.push(target);
  } catch (err) {
    // Without the bundle its compiled modules run: slower to start, but a build is not failed for it.
    rmSync(target.file, { force: true });
    process.stderr.write(`bundle-cli: dist/${basename(target.file)} not built (${why(err)}); ${target.without}\n`);
  }
}
if (built.length) {
  const home = mkdtempSync(join(tmpdir(), 'doql-build-'));
  const env = { ...process.env, DOQL_HOME: home, DIGITALOCEAN_TOKEN: 'doql-sandbox', DOQL_TIMINGS: undefined, [WRITE_CODE_CACHE]: undefined };
  const trainers = new Map<Bundle, (url: string) => void | Promise<void>>([
    [CLI_BUNDLE, (url) => trainCli(url, env)],
    [SESSION_BUNDLE, (url) => trainSession(url, env)],
  ]);
  let sandbox: SandboxProcess | undefined;
  for (const target of built) {
    try {
      sandbox ??= await startSandbox(env);
      await trainers.get(target)!(sandbox.url);
      if (!existsSync(`${target.file}.cache`)) throw new Error('the training run wrote no code cache');
    } catch (err) {
      // The bundle runs without a cache (compiled as any script is): slower to start, but a build is not failed for it.
      rmSync(`${target.file}.cache`, { force: true });
      process.stderr.write(`bundle-cli: no code cache for dist/${basename(target.file)} (${why(err)}); it starts slower\n`);
    }
  }
  await sandbox?.stop();
  rmSync(home, { recursive: true, force: true });
}
