// Where the token and API URL come from: an explicit value, the environment, or doctl's config file.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { yaml } from '../lazy-yaml.js';
import { DoqlError } from '../errors.js';

export const DEFAULT_API_URL = 'https://api.digitalocean.com';

export type AuthSource = 'option' | 'DIGITALOCEAN_TOKEN' | 'DIGITALOCEAN_ACCESS_TOKEN' | 'doctl';

export interface ResolveAuthOptions {
  /** From `--token`. */
  token?: string;
  /** From `--context NAME`: a doctl auth context (else DIGITALOCEAN_CONTEXT). */
  context?: string;
  /** doql's own config file's `context`: used when neither a context nor a token variable is set. */
  defaultContext?: string;
  /** From `--api-url`. */
  apiUrl?: string;
  env: Record<string, string | undefined>;
  /** Overrides where doctl's config is looked for (tests, `--doctl-config`). */
  doctlConfigPath?: string;
  /** Defaults to process.platform / os.homedir(); given in tests. */
  platform?: NodeJS.Platform;
  homeDir?: string;
}

export interface ResolvedAuth {
  token: string;
  apiUrl: string;
  source: AuthSource;
  /** The doctl context used, when the token came from doctl's config. */
  context?: string;
  /** The doctl config file read, when the token came from it. */
  configPath?: string;
}

const NO_TOKEN_MESSAGE =
  'No DigitalOcean API token found. Set DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN), ' +
  'run `doctl auth init`, or use --sandbox to try doql offline.';
const NO_TOKEN_HINT = 'Create a token at https://cloud.digitalocean.com/account/api/tokens.';

/**
 * Resolves credentials. Token order: the explicit token; an explicit `--context` (a context the user
 * names beats the environment, as in doctl); DIGITALOCEAN_TOKEN; DIGITALOCEAN_ACCESS_TOKEN; doctl's
 * current context. API URL: explicit, DIGITALOCEAN_API_URL, https://api.digitalocean.com.
 */
export function resolveAuth(options: ResolveAuthOptions): ResolvedAuth {
  const apiUrl = resolveApiUrl(options);
  const explicit = clean(options.token);
  if (explicit) return { token: explicit, apiUrl, source: 'option' };

  // doctl reads DIGITALOCEAN_CONTEXT as it reads --context.
  const wantedContext = clean(options.context) ?? clean(options.env['DIGITALOCEAN_CONTEXT']);
  if (wantedContext) return { ...fromDoctl(options, wantedContext), apiUrl };

  for (const name of ['DIGITALOCEAN_TOKEN', 'DIGITALOCEAN_ACCESS_TOKEN'] as const) {
    const token = clean(options.env[name]);
    if (token) return { token, apiUrl, source: name };
  }
  const configured = clean(options.defaultContext);
  if (configured) return { ...fromDoctl(options, configured), apiUrl };
  const path = findDoctlConfig(options);
  if (path) {
    const config = readDoctlConfig(path);
    const context = clean(stringOf(config['context'])) ?? 'default';
    const token = contextToken(config, context);
    if (token) return { token, apiUrl, source: 'doctl', context, configPath: path };
  }
  throw new DoqlError('auth', NO_TOKEN_MESSAGE, { hint: NO_TOKEN_HINT });
}

/** Where a token came from and how to fix it, for the error when the API rejects it (never the token itself). */
export function describeAuthSource(auth: Pick<ResolvedAuth, 'source' | 'context' | 'configPath'>): { where: string; fix: string } {
  switch (auth.source) {
    case 'option':
      return { where: 'the -t/--access-token option', fix: 'check the token given to --access-token' };
    case 'DIGITALOCEAN_TOKEN':
    case 'DIGITALOCEAN_ACCESS_TOKEN':
      return { where: auth.source, fix: `check ${auth.source}, or run \`doctl auth init\`` };
    case 'doctl':
      return {
        where: `doctl context "${auth.context ?? 'default'}" (${auth.configPath ?? 'doctl config'})`,
        fix: `run \`doctl auth init --context ${auth.context ?? 'default'}\``,
      };
  }
}

function fromDoctl(options: ResolveAuthOptions, context: string): Omit<ResolvedAuth, 'apiUrl'> {
  const path = findDoctlConfig(options);
  if (!path) {
    throw new DoqlError('auth', `No doctl config file to take context "${context}" from; run \`doctl auth init --context ${context}\`.`, {
      hint: NO_TOKEN_HINT,
    });
  }
  const config = readDoctlConfig(path);
  const token = contextToken(config, context);
  if (!token) {
    const known = ['default', ...Object.keys(recordOf(config['auth-contexts']))].filter((v, i, a) => a.indexOf(v) === i);
    throw new DoqlError('auth', `doctl context "${context}" has no token in ${path}; known contexts: ${known.join(', ')}.`, {
      hint: `Run \`doctl auth init --context ${context}\`.`,
    });
  }
  return { token, source: 'doctl', context, configPath: path };
}

/**
 * Every doctl auth context that has a token (`--context all`): `default` (its `access-token`) first when set,
 * then `auth-contexts` in the file's order.
 */
export function doctlContextNames(options: Pick<ResolveAuthOptions, 'env' | 'doctlConfigPath' | 'platform' | 'homeDir'>): string[] {
  const path = findDoctlConfig(options);
  if (!path) throw new DoqlError('auth', '--context all: no doctl config file to list contexts from; run `doctl auth init`.', { hint: NO_TOKEN_HINT });
  const config = readDoctlConfig(path);
  const names = ['default', ...Object.keys(recordOf(config['auth-contexts']))].filter((v, i, a) => a.indexOf(v) === i);
  const usable = names.filter((n) => contextToken(config, n) !== undefined);
  if (usable.length === 0) throw new DoqlError('auth', `--context all: doctl config ${path} has no context with a token.`, { hint: 'Run `doctl auth init --context NAME`.' });
  return usable;
}

/** doctl keeps the "default" context's token in `access-token`, every other one under `auth-contexts`. */
function contextToken(config: Record<string, unknown>, context: string): string | undefined {
  if (context === 'default') return clean(stringOf(config['access-token']));
  return clean(stringOf(recordOf(config['auth-contexts'])[context]));
}

/**
 * doctl's config: the given path; else the OS config dir + doctl/config.yaml, as Go's os.UserConfigDir
 * puts it ($XDG_CONFIG_HOME or ~/.config; ~/Library/Application Support on macOS; %APPDATA% on Windows),
 * then ~/.config/doctl/config.yaml, where older doctl versions and manual setups keep it on macOS too.
 */
export function doctlConfigCandidates(options: Pick<ResolveAuthOptions, 'env' | 'platform' | 'homeDir'>): string[] {
  const platform = options.platform ?? process.platform;
  const home = options.homeDir ?? options.env['HOME'] ?? homedir();
  const candidates: string[] = [];
  if (platform === 'darwin') candidates.push(join(home, 'Library', 'Application Support', 'doctl', 'config.yaml'));
  else if (platform === 'win32' && options.env['APPDATA']) candidates.push(join(options.env['APPDATA'], 'doctl', 'config.yaml'));
  else if (options.env['XDG_CONFIG_HOME']) candidates.push(join(options.env['XDG_CONFIG_HOME'], 'doctl', 'config.yaml'));
  candidates.push(join(home, '.config', 'doctl', 'config.yaml'));
  return candidates.filter((v, i, a) => a.indexOf(v) === i);
}

function findDoctlConfig(options: Pick<ResolveAuthOptions, 'env' | 'doctlConfigPath' | 'platform' | 'homeDir'>): string | undefined {
  if (options.doctlConfigPath) return existsSync(options.doctlConfigPath) ? options.doctlConfigPath : undefined;
  return doctlConfigCandidates(options).find((p) => existsSync(p));
}

function readDoctlConfig(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new DoqlError('config', `Cannot read doctl config ${path}${typeof code === 'string' ? ` (${code})` : ''}.`);
  }
  try {
    // uniqueKeys off: doctl's own writer never repeats keys, and a hand edit that does should still work.
    return recordOf(yaml().parse(text, { uniqueKeys: false }) as unknown);
  } catch (err) {
    // The parser's message quotes the offending line, which may hold a token: report the position only.
    const pos = (err as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new DoqlError('config', `doctl config ${path} is not valid YAML${pos ? ` (line ${pos})` : ''}.`);
  }
}

function resolveApiUrl(options: ResolveAuthOptions): string {
  const explicit = clean(options.apiUrl);
  const fromEnv = clean(options.env['DIGITALOCEAN_API_URL']);
  const raw = explicit ?? fromEnv ?? DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidUrl(raw, explicit ? '--api-url' : 'DIGITALOCEAN_API_URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidUrl(raw, explicit ? '--api-url' : 'DIGITALOCEAN_API_URL');
  return raw.replace(/\/+$/, '');
}

function invalidUrl(raw: string, from: string): DoqlError {
  return new DoqlError(from === '--api-url' ? 'usage' : 'config', `${from} is not an http(s) URL: ${raw}`);
}

function clean(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function recordOf(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
