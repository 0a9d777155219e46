// `doql sandbox`: runs the simulator as a standalone server until SIGINT/SIGTERM.
import { untilStopped } from '../until-stopped.js';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { doqlPaths } from '../catalog/paths.js';
import { DoqlError } from '../errors.js';
import { loadCatalog } from '../catalog/load.js';
import type { LoadedCatalog } from '../catalog/load.js';
import type { FaultOptions } from './faults.js';
import type { SandboxOptions } from './types.js';
import { DEFAULT_RATE_LIMIT, type RateLimitOptions } from './rate-limit.js';

/** Options as the CLI parses them (commander hands strings; numbers are accepted too). */
export interface SandboxCommandOptions {
  host?: string;
  port?: number | string;
  seed?: number | string;
  /** Several (`--token A --token B`): one account each. */
  token?: string | string[];
  /** `['compute.droplets=10000', '/v2/vpcs=3']` or already a record. */
  count?: string[] | Record<string, number>;
  latency?: number | string;
  jitter?: number | string;
  faultRate?: number | string;
  rateLimit?: number | string;
  rateWindow?: number | string;
  /** `--hourly-limit N`: requests per hour (0: none); default: see hourlyLimitFor. */
  hourlyLimit?: number | string;
  /** `--no-rate-limit`: commander sets rateLimit to false. */
  noRateLimit?: boolean;
  actionDelay?: number | string;
  actionErrorRate?: number | string;
  spec?: string;
  stateFile?: string;
  /** `--tls`: HTTPS with a self-signed certificate, HTTP/2 offered. */
  tls?: boolean;
  /** `--cert-out FILE`: where the certificate's PEM goes (default: the cache folder, named by port). */
  certOut?: string;
}

export interface SandboxCommandIo {
  out: { write(text: string): unknown };
  /** The catalog to serve when --spec is not given (default: loadCatalog()). */
  catalog?: LoadedCatalog;
  /** Stops the server (besides SIGINT/SIGTERM); tests use it. */
  signal?: AbortSignal;
  /** Called once the server listens. */
  onListening?(url: string, token: string): void;
}

function num(name: string, raw: number | string | undefined, check: (n: number) => boolean = (n) => n >= 0): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isFinite(n) || !check(n)) throw new DoqlError('usage', `--${name}: invalid value ${String(raw)}`);
  return n;
}

function counts(raw: SandboxCommandOptions['count']): Record<string, number> | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) return raw;
  const out: Record<string, number> = {};
  for (const entry of raw) {
    const m = /^([^=]+)=(\d+)$/.exec(entry.trim());
    if (!m) throw new DoqlError('usage', `--count: expected RESOURCE=N (e.g. compute.droplets=1000), got "${entry}"`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

function tokensOf(raw: SandboxCommandOptions['token']): Pick<SandboxOptions, 'token' | 'tokens'> {
  const list = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((t) => t.trim());
  if (list.some((t) => t === '')) throw new DoqlError('usage', '--token: a token cannot be empty');
  return list.length > 1 ? { tokens: list } : list.length === 1 ? { token: list[0] } : {};
}

/** Parses `doql sandbox` arguments (without the command name) for standalone use and tests. */
export function parseSandboxArgs(argv: string[]): SandboxCommandOptions {
  const out: SandboxCommandOptions = {};
  const flags: Record<string, keyof SandboxCommandOptions> = {
    '--host': 'host',
    '--port': 'port',
    '--seed': 'seed',
    '--token': 'token',
    '--latency': 'latency',
    '--jitter': 'jitter',
    '--fault-rate': 'faultRate',
    '--rate-limit': 'rateLimit',
    '--rate-window': 'rateWindow',
    '--hourly-limit': 'hourlyLimit',
    '--action-delay': 'actionDelay',
    '--action-error-rate': 'actionErrorRate',
    '--spec': 'spec',
    '--state-file': 'stateFile',
    '--cert-out': 'certOut',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    if (flag === '--no-rate-limit') {
      out.noRateLimit = true;
      continue;
    }
    if (flag === '--tls') {
      out.tls = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new DoqlError('usage', `${flag} needs a value`);
    if (flag === '--count') {
      (out.count = (out.count as string[] | undefined) ?? []).push(value);
      continue;
    }
    if (flag === '--token') {
      out.token = out.token === undefined ? value : [...(Array.isArray(out.token) ? out.token : [out.token]), value];
      continue;
    }
    const key = flags[flag];
    if (!key) throw new DoqlError('usage', `unknown option ${flag} for doql sandbox`);
    (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** Sandbox options from command options (validated: every problem is a usage error naming the flag). */
export function sandboxOptionsFrom(o: SandboxCommandOptions): SandboxOptions {
  // `--no-rate-limit` reaches here as rateLimit false (commander) or noRateLimit (parseSandboxArgs).
  const unlimited = o.noRateLimit || (o.rateLimit as unknown) === false;
  const rateLimit = unlimited ? undefined : num('rate-limit', o.rateLimit, (n) => Number.isInteger(n) && n > 0);
  const rateWindow = num('rate-window', o.rateWindow, (n) => n > 0);
  const hourlyLimit = num('hourly-limit', o.hourlyLimit, (n) => Number.isInteger(n) && n >= 0);
  const faultRate = num('fault-rate', o.faultRate, (n) => n >= 0 && n <= 1);
  const faults: FaultOptions | undefined = faultRate ? { rate: faultRate } : undefined;
  return {
    host: o.host,
    port: num('port', o.port, (n) => Number.isInteger(n) && n >= 0 && n < 65536),
    seed: num('seed', o.seed, Number.isInteger),
    ...tokensOf(o.token),
    count: counts(o.count),
    latencyMs: num('latency', o.latency),
    jitterMs: num('jitter', o.jitter),
    faults,
    rateLimit:
      unlimited
        ? false
        : rateLimit !== undefined || rateWindow !== undefined || hourlyLimit !== undefined
          ? rateLimitOptions(rateLimit ?? DEFAULT_RATE_LIMIT.limit, rateWindow ?? DEFAULT_RATE_LIMIT.windowSeconds, hourlyLimit)
          : undefined,
    actionDelayMs: num('action-delay', o.actionDelay),
    actionErrorRate: num('action-error-rate', o.actionErrorRate, (n) => n >= 0 && n <= 1),
    catalog: o.spec ? loadCatalog({ specFile: o.spec }) : undefined,
    stateFile: o.stateFile,
    tls: Boolean(o.tls || o.certOut),
  };
}

/**
 * The sandbox's limits: the per-window one given, and an hourly one (`--hourly-limit`, 0 for none) that by default
 * keeps DigitalOcean's proportion to it, a third of what the window allows in an hour (5,000 for 250 a minute) and
 * never below 5,000: a large `--rate-limit` for a load test is not cut short by the hourly limit.
 */
function rateLimitOptions(limit: number, windowSeconds: number, hourly: number | undefined): RateLimitOptions {
  const DEFAULT_HOURLY = DEFAULT_RATE_LIMIT.hourly ?? 5000;
  return { limit, windowSeconds, hourly: hourly ?? Math.max(DEFAULT_HOURLY, Math.ceil((limit * 3600) / windowSeconds / 3)) };
}

/** Writes the certificate where clients can read it; returns the path and whether doql chose it (to remove on stop). */
function writeCertificate(pem: string, url: string, certOut: string | undefined): { file: string; ours: boolean } {
  const file = certOut ? resolve(certOut) : join(doqlPaths().cache, 'sandbox', `cert-${new URL(url).port}.pem`);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, pem);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new DoqlError('usage', `--cert-out: cannot write ${file} (${code})`, { hint: 'give --cert-out a path in a writable folder' });
  }
  return { file, ours: !certOut };
}

/** Starts the sandbox, prints its URL and token, and serves until SIGINT/SIGTERM (or io.signal). */
export async function runSandboxServer(
  options: SandboxCommandOptions | string[],
  io: SandboxCommandIo = { out: process.stdout },
): Promise<void> {
  const parsed = Array.isArray(options) ? parseSandboxArgs(options) : options;
  const { createSandbox } = await import('./index.js');
  const resolved = sandboxOptionsFrom(parsed);
  const sandbox = await createSandbox({ ...resolved, catalog: resolved.catalog ?? io.catalog });
  let certificate: { file: string; ours: boolean } | undefined;
  try {
    if (sandbox.ca) certificate = writeCertificate(sandbox.ca, sandbox.url, parsed.certOut);
  } catch (err) {
    await sandbox.close();
    throw err;
  }
  const ca = certificate ? ` --ca ${certificate.file}` : '';
  const accounts =
    sandbox.tokens.length === 1
      ? `token: ${sandbox.token}\n`
      : sandbox.tokens.map((t, i) => `token: ${t} (account ${i + 1})\n`).join('') +
        `one doctl context per token (auth-contexts: {a: ${sandbox.tokens[0]}, b: ${sandbox.tokens[1]}}) reaches both: doql --api-url ${sandbox.url}${ca} --context a,b …\n`;
  io.out.write(
    `doql sandbox listening on ${sandbox.url}${certificate ? ' (HTTP/2 and HTTP/1.1)' : ''}\n${accounts}` +
      (certificate ? `certificate: ${certificate.file} (trust it with --ca or NODE_EXTRA_CA_CERTS)\n` : '') +
      `try: DIGITALOCEAN_TOKEN=${sandbox.token} doql --api-url ${sandbox.url}${ca} "SELECT id, name FROM digitalocean.compute.droplets"\n`,
  );
  io.onListening?.(sandbox.url, sandbox.token);
  await untilStopped({ signal: io.signal });
  await sandbox.close();
  if (certificate?.ours) rmSync(certificate.file, { force: true });
  io.out.write('doql sandbox stopped\n');
}
