// Shared by the SELECT behaviour tests: a real sandbox, a session built the way the CLI builds one,
// direct HTTP to the sandbox (the ground truth), and the real CLI as a child process.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClient, type ApiClient, type RequestEvent } from '../../src/api/client.js';
import { loadCatalogDir, type LoadedCatalog } from '../../src/catalog/load.js';
import { createSession, type DoqlSession } from '../../src/engine/session.js';
import type { CellValue } from '../../src/engine/types.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { BUILT_CATALOG, DOQL_BIN } from '../cli/doql-home.js';
import { runProcess, type ProcessRun } from '../support/run-process.js';

export { buildMissing } from '../cli/doql-home.js';

let loaded: LoadedCatalog | undefined;
/** The built-in catalog (dist/catalog/default), as the CLI loads it. */
export function catalog(): LoadedCatalog {
  return (loaded ??= loadCatalogDir(BUILT_CATALOG, 'default'));
}

export function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return createSandbox({ catalog: catalog(), rateLimit: false, ...options });
}

export interface TestSession {
  session: DoqlSession;
  client: ApiClient;
  /** Every HTTP attempt the client made, path + query relative to the sandbox. */
  urls: string[];
  /** Rows of the last statement's result, bigints as numbers. */
  rows(sql: string): Promise<unknown[][]>;
  /** Like rows(), each row as an object keyed by column name. */
  objects(sql: string): Promise<Record<string, unknown>[]>;
}

/** A session like the CLI's: createSession over createApiClient pointed at the sandbox. */
export function sessionFor(
  sb: Sandbox,
  options: { cacheTtlMs?: number; client?: Partial<Parameters<typeof createApiClient>[0]>; cache?: DoqlSession['cache'] } = {},
): TestSession {
  const urls: string[] = [];
  const client = createApiClient({
    baseUrl: sb.url,
    token: sb.token,
    onRequest: (ev: RequestEvent) => urls.push(ev.url.slice(sb.url.length)),
    ...options.client,
  });
  const session = createSession({ catalog: catalog(), api: () => client, cacheTtlMs: options.cacheTtlMs, cache: options.cache });
  const last = async (sql: string) => {
    const results = await session.execute(sql);
    return results[results.length - 1]!;
  };
  return {
    session,
    client,
    urls,
    rows: async (sql) => (await last(sql)).rows.map((r) => r.map(plain)),
    objects: async (sql) => {
      const r = await last(sql);
      return r.rows.map((row) => Object.fromEntries(row.map((v, i) => [r.columns[i]!.name, plain(v)])));
    },
  };
}

/** bigint → number (every id here is far below 2^53). */
export function plain(v: CellValue): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

/** GET straight from the sandbox: the ground truth a query's rows are compared with. */
export async function directGet(sb: Sandbox, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${sb.url}${path}`, { headers: { authorization: `Bearer ${sb.token}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

/** Every item of a DigitalOcean list, page by page, straight from the sandbox. */
export async function directList(sb: Sandbox, path: string, key: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let page = 1; ; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const body = await directGet(sb, `${path}${sep}per_page=200&page=${page}`);
    const items = body[key] as Record<string, unknown>[];
    out.push(...items);
    const next = (body.links as { pages?: { next?: string } } | undefined)?.pages?.next;
    if (!next || items.length === 0) return out;
  }
}

export const routes = (sb: Sandbox): Record<string, number> => sb.requests().byRoute;

export function tempDir(prefix = 'doql-select-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export type CliResult = ProcessRun;

/**
 * Runs `node bin/doql.js ARGS` asynchronously (an in-process sandbox must keep serving while it runs),
 * with a clean environment: PATH, a throwaway HOME and DOQL_HOME, NO_COLOR, plus `env`.
 */
export function doql(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const home = env.DOQL_HOME ?? tempDir('doql-home-');
  return runProcess(process.execPath, [DOQL_BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: home, DOQL_HOME: home, NO_COLOR: '1', ...env },
  });
}

/** `doql --api-url <sandbox> …` with the sandbox's token in DIGITALOCEAN_TOKEN. */
export function doqlAt(sb: Sandbox, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return doql(['--api-url', sb.url, ...args], { DIGITALOCEAN_TOKEN: sb.token, ...env });
}
