// `doql registry`: pulls DigitalOcean's spec into the user cache as a compiled catalog, lists pulls, picks one.
// Every change is a rename, so a failed or interrupted pull never leaves a half-written active catalog.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DoqlError } from '../errors.js';
import { compileSpec } from './compile.js';
import { encodeCatalog, INDEX_FILE } from './catalog-file.js';
import { countResources } from './diff.js';
import { DEFAULT_CATALOG_DIR } from './load.js';
import { closestNames } from './lookup.js';
import { doqlPaths } from './paths.js';
import { encodeSchemas } from './schema-file.js';
import { parseSpecText } from './spec-file.js';
import type { Catalog } from './types.js';

/** DigitalOcean's published spec, the one its own API docs are built from. */
export const DEFAULT_SPEC_URL = 'https://api-engineering.nyc3.cdn.digitaloceanspaces.com/spec-ci/DigitalOcean-public.v2.yaml';

const DOWNLOAD_TIMEOUT_MS = 120_000;
const ACTIVE_FILE = 'active.json';
/** Written beside catalog.json so a listing need not parse every catalog. */
const PULL_FILE = 'pull.json';

export interface RegistryEntry {
  /** `digitalocean-2.0-1a2b3c4d`, or `default` for the catalog built into doql. */
  name: string;
  /** File path or URL; for the built-in catalog, the vendored spec's path in the checkout. */
  source: string;
  specVersion: string;
  operations: number;
  resources: number;
  /** ISO time of the pull; empty for the built-in default. */
  pulledAt: string;
  active: boolean;
}

export interface RegistryOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the built-in catalog is (tests point it elsewhere). */
  defaultDir?: string;
}

export interface PullOptions extends RegistryOptions {
  /** A spec file path or an http(s) URL; DigitalOcean's published spec when absent. */
  from?: string;
  /** For tests; the global fetch otherwise. */
  fetch?: typeof globalThis.fetch;
  /** Installs a spec with fewer than half the active catalog's resources (a partial or wrong file, usually). */
  force?: boolean;
}

/** The pointer `active.json` holds. */
interface ActivePointer {
  name: string;
  source: string;
  pulledAt: string;
}

function isUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

/** A version string safe in a folder name (`2.0`, `1.3.17-beta`). */
function folderSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 40) || 'unknown';
}

async function download(url: string, fetchFn: typeof globalThis.fetch): Promise<string> {
  let response: Response;
  try {
    response = await fetchFn(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), headers: { accept: 'application/yaml, application/json, */*' } });
  } catch (err) {
    const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new DoqlError('network', `cannot download the spec from ${url}: ${cause}`, {
      cause: err,
      hint: 'check the network, or download the file yourself and use --from FILE',
    });
  }
  if (!response.ok) {
    throw new DoqlError('network', `cannot download the spec from ${url}: HTTP ${response.status} ${response.statusText}`.trim(), {
      hint: 'check the URL, or download the file yourself and use --from FILE',
    });
  }
  return response.text();
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(code ?? err);
    throw new DoqlError('spec', `${file}: cannot read the spec: ${why}`, { cause: err });
  }
}

/** Writes a file under a temporary name and renames it into place: readers see the old or the new, never half. */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** A spec's text from a file path or an http(s) URL, and its source as recorded (an absolute path or the URL). */
export async function readSpecSource(from: string, fetchFn: typeof globalThis.fetch = globalThis.fetch): Promise<{ text: string; source: string }> {
  return isUrl(from) ? { text: await download(from, fetchFn), source: from } : { text: readText(from), source: resolve(from) };
}

/** Downloads (or reads), validates and compiles a spec, stores it in the registry and makes it the active one. */
export async function pullSpec(options: PullOptions = {}): Promise<RegistryEntry & { dir: string }> {
  const from = options.from ?? DEFAULT_SPEC_URL;
  const { text, source } = await readSpecSource(from, options.fetch);
  // Parse and compile before touching the registry: a bad spec changes nothing on disk.
  const { catalog, schemas } = compileSpec(parseSpecText(text, from), { file: from, source });
  const active = options.force ? undefined : listRegistry(options).find((e) => e.active);
  assertPlausible(catalog, from, { force: options.force, baseline: active && { name: `the active catalog's`, of: active.name, resources: active.resources } });
  const name = `digitalocean-${folderSafe(catalog.specVersion)}-${catalog.specHash.slice(0, 8)}`;
  const pulledAt = new Date().toISOString();
  const meta: Omit<RegistryEntry, 'active'> = {
    name,
    source,
    specVersion: catalog.specVersion,
    operations: catalog.operationCount,
    resources: countResources(catalog),
    pulledAt,
  };

  const { registry } = doqlPaths(options.env);
  mkdirSync(registry, { recursive: true });
  const dir = join(registry, name);
  const staging = join(registry, `.staging-${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(staging);
    const file = encodeCatalog(catalog);
    writeFileSync(join(staging, 'catalog.json'), file.text);
    writeFileSync(join(staging, INDEX_FILE), file.index);
    writeFileSync(join(staging, 'schemas.json'), encodeSchemas(schemas));
    writeFileSync(join(staging, PULL_FILE), JSON.stringify(meta));
    replaceDir(staging, dir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (err instanceof DoqlError) throw err;
    throw new DoqlError('config', `cannot write the catalog into ${registry}: ${(err as Error).message}`, { cause: err });
  }
  const pointer: ActivePointer = { name, source, pulledAt };
  writeFileAtomic(join(registry, ACTIVE_FILE), `${JSON.stringify(pointer, null, 2)}\n`);
  return { ...meta, active: true, dir };
}

/**
 * A pull replaces the catalog every command uses, so a spec that would take most of it away (a truncated
 * download, a spec for one service, an error page that happens to parse) is refused; the active one stays.
 */
export function assertPlausible(
  catalog: Catalog,
  from: string,
  options: { force?: boolean; baseline?: { name: string; of: string; resources: number }; kept?: string },
): void {
  const kept = options.kept ?? 'the active catalog is unchanged';
  const resources = countResources(catalog);
  if (resources === 0) {
    throw new DoqlError('spec', `${from}: the spec compiles to no resources (${catalog.operationCount} operations); ${kept}`, {
      hint: 'check that it is DigitalOcean\'s API spec, with operations under "paths"',
    });
  }
  const { baseline } = options;
  if (options.force || !baseline || resources >= baseline.resources / 2) return;
  throw new DoqlError(
    'spec',
    `${from}: the spec compiles to ${resources} resources, fewer than half of ${baseline.name} ${baseline.resources} (${baseline.of}); ${kept}`,
    { hint: 'if this is the spec you want, run it again with --force' },
  );
}

/** Renames `from` to `to`; an older folder of the same name (the same spec pulled again) is swapped out. */
function replaceDir(from: string, to: string): void {
  if (!existsSync(to)) {
    renameSync(from, to);
    return;
  }
  const old = `${to}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
  renameSync(to, old);
  try {
    renameSync(from, to);
  } catch (err) {
    renameSync(old, to);
    throw err;
  }
  rmSync(old, { recursive: true, force: true });
}

function activeName(registry: string): string {
  const pointer = readJson<ActivePointer>(join(registry, ACTIVE_FILE));
  return pointer && existsSync(join(registry, pointer.name, 'catalog.json')) ? pointer.name : 'default';
}

function defaultEntry(dir: string, active: boolean): RegistryEntry {
  const catalog = readJson<Catalog>(join(dir, 'catalog.json'));
  return {
    name: 'default',
    source: catalog?.source ?? 'vendor/digitalocean-openapi (not built: run npm run build)',
    specVersion: catalog?.specVersion ?? 'unknown',
    operations: catalog?.operationCount ?? 0,
    resources: catalog ? countResources(catalog) : 0,
    pulledAt: '',
    active,
  };
}

/** The catalogs one can use: the built-in `default` first, then pulls, newest first. */
export function listRegistry(options: RegistryOptions = {}): RegistryEntry[] {
  const { registry } = doqlPaths(options.env);
  const active = activeName(registry);
  const pulls: RegistryEntry[] = [];
  if (existsSync(registry)) {
    for (const name of readdirSync(registry)) {
      if (name.startsWith('.')) continue;
      const meta = readJson<Omit<RegistryEntry, 'active'>>(join(registry, name, PULL_FILE));
      if (!meta || !existsSync(join(registry, name, 'catalog.json')) || !existsSync(join(registry, name, 'schemas.json'))) continue;
      pulls.push({ ...meta, name, active: name === active });
    }
  }
  pulls.sort((a, b) => b.pulledAt.localeCompare(a.pulledAt) || a.name.localeCompare(b.name));
  return [defaultEntry(options.defaultDir ?? DEFAULT_CATALOG_DIR, active === 'default'), ...pulls];
}

/** Makes a pulled catalog (or the built-in `default`) the one doql uses. */
export function useRegistry(name: string, options: RegistryOptions = {}): RegistryEntry {
  const { registry } = doqlPaths(options.env);
  const entries = listRegistry(options);
  const entry = entries.find((e) => e.name === name);
  if (!entry) {
    const near = closestNames(name, entries.map((e) => e.name));
    const list = entries.map((e) => e.name).join(', ');
    throw new DoqlError('not_found', `unknown registry entry ${name}${near.length ? `: did you mean ${near.join(' or ')}?` : ''}`, {
      hint: `doql registry list shows them: ${list}`,
    });
  }
  const pointerFile = join(registry, ACTIVE_FILE);
  if (name === 'default') {
    // No pointer means the built-in catalog (load.ts falls back to it).
    if (existsSync(pointerFile)) unlinkSync(pointerFile);
  } else {
    const pointer: ActivePointer = { name, source: entry.source, pulledAt: entry.pulledAt };
    writeFileAtomic(pointerFile, `${JSON.stringify(pointer, null, 2)}\n`);
  }
  return { ...entry, active: true };
}
