// What the mutation tests share: an in-process sandbox, a session on it that records what doql sends, rows as
// objects, and the doql command line run as a child process (asynchronously, so the in-process sandbox keeps serving).
import { createApiClient, type ApiClient } from '../../src/api/client.js';
import { createSession, type DoqlSession, type MutationOptions } from '../../src/engine/session.js';
import type { EngineApi } from '../../src/engine/fetcher.js';
import type { StatementResult } from '../../src/engine/types.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { builtInCatalog } from '../sandbox/test-catalog.js';
import { DOQL_BIN, tempDoqlHome } from '../cli/doql-home.js';
import { runProcess, type ProcessRun } from '../support/run-process.js';

export const DROPLET_SIZE = 's-1vcpu-1gb';
export const DROPLET_IMAGE = 'ubuntu-24-04-x64';

/** `INSERT INTO droplets … VALUES` for these names (and tags), ready to run. */
export function insertDroplets(rows: { name: string; tags?: string[] }[]): string {
  const values = rows.map((r) => `('${r.name}', 'nyc3', '${DROPLET_SIZE}', '${DROPLET_IMAGE}', '${JSON.stringify(r.tags ?? [])}')`);
  return `INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image, data__tags) VALUES ${values.join(', ')}`;
}

const open: { close(): Promise<void> }[] = [];

/** A sandbox on the built-in spec: no rate limit, actions done in 100 ms unless told otherwise. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sb = await createSandbox({ catalog: builtInCatalog(), rateLimit: false, actionDelayMs: 100, ...options });
  open.push(sb);
  return sb;
}

export interface SentRequest {
  method: string;
  path: string;
  query?: Record<string, unknown>;
  body?: unknown;
}

export interface TestSession {
  session: DoqlSession;
  /** Every request doql handed to the API client, in order (what went on the wire, before retries). */
  sent: SentRequest[];
  /** Requests other than GET: what changed something. */
  changes(): SentRequest[];
  run(sql: string): Promise<StatementResult[]>;
  /** The first statement's rows as objects (column name → value). */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  client: ApiClient;
}

export function sessionOn(sb: Sandbox, mutation: Partial<MutationOptions> = {}, options: { cacheTtlMs?: number; baseUrl?: string } = {}): TestSession {
  const client = createApiClient({ baseUrl: options.baseUrl ?? sb.url, token: sb.token, backoffBaseMs: 1, backoffMaxMs: 5 });
  open.push(client);
  const sent: SentRequest[] = [];
  const api: EngineApi = {
    request: (req) => {
      sent.push({ method: req.method.toUpperCase(), path: req.path, ...(req.query && Object.keys(req.query).length ? { query: req.query } : {}), ...(req.body !== undefined ? { body: req.body } : {}) });
      return client.request(req);
    },
    list: (req) => {
      sent.push({ method: 'GET', path: req.path, ...(req.query && Object.keys(req.query).length ? { query: req.query } : {}) });
      return client.list(req);
    },
  };
  const session = createSession({ catalog: builtInCatalog(), api: () => api, cacheTtlMs: options.cacheTtlMs ?? 0, mutation: { waitTimeoutMs: 10_000, ...mutation } });
  const run = (sql: string): Promise<StatementResult[]> => session.execute(sql);
  return {
    session,
    sent,
    changes: () => sent.filter((r) => r.method !== 'GET'),
    run,
    rows: async (sql) => objects((await run(sql))[0]),
    client,
  };
}

export function objects(r: StatementResult): Record<string, unknown>[] {
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, typeof row[i] === 'bigint' ? Number(row[i]) : row[i]])));
}

/** Requests the sandbox served, by route (`POST /v2/droplets`), without the zero entries. */
export function routes(sb: Sandbox): Record<string, number> {
  return sb.requests().byRoute;
}

/** The error a statement fails with (fails the test when it succeeds). */
export async function failure(p: Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string; hint?: string };
  }
  throw new Error('expected the statement to fail, but it succeeded');
}

export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((x) => x.close()));
}

export type CliResult = ProcessRun;

/**
 * Runs bin/doql.js with a fresh DOQL_HOME (or the given one), no terminal on any stream, and only the
 * environment given: `sandbox` points it at an in-process sandbox through --api-url and DIGITALOCEAN_TOKEN.
 */
export function doql(args: string[], options: { sandbox?: Sandbox; home?: string; input?: string; cwd?: string } = {}): Promise<CliResult> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', DOQL_HOME: options.home ?? tempDoqlHome(), NO_COLOR: '1' };
  const pre: string[] = [];
  if (options.sandbox) {
    env.DIGITALOCEAN_TOKEN = options.sandbox.token;
    pre.push('--api-url', options.sandbox.url);
  }
  // Options go after the statement or subcommand, as a user may type them.
  return runProcess(process.execPath, [DOQL_BIN, ...args, ...pre], { env, cwd: options.cwd, input: options.input });
}

/** `-o jsonl` output as objects. */
export function jsonl(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A fresh sandbox with droplets `names` tagged `ci` (names start with `ci-`); counts start at zero. */
export async function withCiDroplets(names: string[]): Promise<{ sb: Sandbox; ids: string[] }> {
  const sb = await startSandbox();
  const seed = sessionOn(sb);
  await seed.run(insertDroplets(names.map((name) => ({ name, tags: ['ci'] }))));
  const ids = (await seed.rows(`SELECT id FROM digitalocean.compute.droplets WHERE name LIKE 'ci-%'`)).map((x) => String(x.id));
  sb.resetCounts();
  return { sb, ids };
}
