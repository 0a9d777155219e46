// The options every statement-running command shares, their parsing, and the config-file defaults.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { yaml } from '../lazy-yaml.js';
import { DoqlError } from '../errors.js';
import { doqlPaths } from '../catalog/paths.js';
import { closestNames } from '../catalog/lookup.js';
import type { Vars } from '../sql/template.js';
import { FORMAT_NAMES, type FormatName } from './format/formatter.js';

export interface RunOptions {
  output?: FormatName;
  header: boolean;
  color: boolean;
  expanded: boolean;
  var: string[];
  vars?: string;
  sandbox: boolean;
  apiUrl?: string;
  /** A PEM file of CA certificates to trust besides the system's (env DOQL_CA, config ca). */
  ca?: string;
  /** A doctl auth context, a comma list of them, or `all`: each statement runs over every one named. */
  context?: string;
  /** With several contexts: a failing account's rows are left out with a warning instead of failing the statement. */
  partial?: boolean;
  /** doctl's -t/--access-token. */
  accessToken?: string;
  /** How NULL prints in text outputs (psql's \pset null); JSON keeps null. */
  null?: string;
  /** Longest rate-limit wait, in seconds, before a statement fails instead (default 60). */
  maxWait?: number;
  spec?: string;
  concurrency?: number;
  cacheTtl?: number;
  retries?: number;
  timeout?: number;
  verbose: boolean;
  stats: boolean;
  debug: boolean;
  dryRun: boolean;
  yes: boolean;
  waitTimeout?: number;
}

function intArg(name: string, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new DoqlError('usage', `${name} must be a number ≥ ${min}, got "${value}"`);
    return n;
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Other tools' names for a format: StackQL's `-o pretty` is the boxed table. */
const FORMAT_ALIASES: Record<string, FormatName> = { pretty: 'table' };

/** A format name or alias as the format it names, or undefined. */
export function formatNamed(value: string): FormatName | undefined {
  if ((FORMAT_NAMES as readonly string[]).includes(value)) return value as FormatName;
  return FORMAT_ALIASES[value];
}

function formatArg(value: string): FormatName {
  const format = formatNamed(value);
  if (!format) throw new InvalidArgumentError(`Allowed choices are ${FORMAT_NAMES.join(', ')} (pretty = table).`);
  return format;
}

/** Adds the shared options to a command. */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-o, --output <format>', `output format: ${FORMAT_NAMES.join(', ')} (table on a terminal, json otherwise)`).argParser(formatArg))
    .option('--no-header', 'leave out the header line (table, csv, tsv, text; json has none)')
    .option('--null <text>', 'how NULL prints in table, csv, tsv, text and markdown (default: empty)')
    .option('--no-color', 'plain output (also when NO_COLOR is set)')
    .option('-x, --expanded', 'one field a line, like psql \\x', false)
    .option('--var <name=value>', 'set a {{ name }} template variable (repeatable)', collect, [])
    .option('--vars <file>', 'template variables from a JSON or YAML file')
    .option('--sandbox', 'run against the built-in DigitalOcean simulator (no token needed)', false)
    .option('--api-url <url>', 'DigitalOcean API base URL (env DIGITALOCEAN_API_URL)')
    .option('--ca <file>', "trust the CA certificates in this PEM file too, e.g. doql sandbox --tls's (env DOQL_CA)")
    .option('--context <names>', 'doctl auth context to take the token from; a,b or all runs each statement over those accounts (env DIGITALOCEAN_CONTEXT)')
    .option('--partial', "with several contexts, return the other accounts' rows when one fails (a warning names it)", false)
    .option('-t, --access-token <token>', 'DigitalOcean API token (as doctl; prefer DIGITALOCEAN_TOKEN, which stays out of `ps`)')
    .option('--spec <file>', 'use this OpenAPI spec (JSON or YAML) instead of the active catalog')
    .option('--concurrency <n>', 'most requests in flight (default 100; DigitalOcean limits requests per minute and hour, not in flight)', intArg('--concurrency', 1))
    .option('--cache-ttl <seconds>', 'keep API results this long in a session (default: 0 one-shot, 60 shell)', intArg('--cache-ttl'))
    .option('--retries <n>', 'retries for failed reads (default 5)', intArg('--retries'))
    .option('--timeout <seconds>', 'longest a statement may take, rate-limit waits included (each request: 30 s at most)', intArg('--timeout', 1))
    .option('--max-wait <seconds>', "longest wait for DigitalOcean's rate limit before failing (default 60)", intArg('--max-wait'))
    .option('-v, --verbose', 'print each HTTP request on stderr (token redacted)', false)
    .option('--stats', 'print requests, pages, retries, cache hits, rounds and time on stderr', false)
    .option('--debug', 'print stack traces with errors', false)
    .option('--dry-run', 'print the requests mutations would send, send none', false)
    .option('-y, --yes', 'allow changes to several rows without asking', false)
    .option('--wait-timeout <seconds>', 'longest wait for /*+ AWAIT */ (default 600)', intArg('--wait-timeout', 1));
}

/** `--var a=b` pairs and `--vars FILE` merged (command-line pairs win). */
export function loadVars(options: Pick<RunOptions, 'var' | 'vars'>): Vars {
  const vars: Vars = {};
  if (options.vars) {
    let text: string;
    try {
      text = readFileSync(options.vars, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new DoqlError('usage', `cannot read vars file ${options.vars}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? String(err))}`);
    }
    let data: unknown;
    try {
      data = yaml().parse(text);
    } catch (err) {
      throw new DoqlError('usage', `vars file ${options.vars} is not valid JSON or YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new DoqlError('usage', `vars file ${options.vars} must hold an object of name: value pairs`);
    }
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
      vars[k] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
    }
  }
  for (const pair of options.var) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new DoqlError('usage', `--var needs name=value, got "${pair}"`);
    vars[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return vars;
}

export interface ConfigDefaults {
  output?: FormatName;
  concurrency?: number;
  cacheTtl?: number;
  context?: string;
  apiUrl?: string;
  ca?: string;
  maxWait?: number;
  /** Keys the file sets that doql does not know, each with the closest known key: warned about, not fatal. */
  warnings: string[];
}

/** The keys config.yaml may set, and the other spellings each accepts. */
const CONFIG_KEYS: Record<string, readonly string[]> = {
  output: ['output'],
  concurrency: ['concurrency'],
  cache_ttl: ['cache_ttl', 'cache-ttl', 'cacheTtl'],
  context: ['context'],
  api_url: ['api_url', 'api-url'],
  ca: ['ca'],
  max_wait: ['max_wait', 'max-wait'],
};

/**
 * `~/.config/doql/config.yaml`: defaults for output, concurrency, cache TTL, context, API URL, CA file and max wait.
 * They rank last: a flag beats the environment, which beats this file.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConfigDefaults {
  const file = join(doqlPaths(env).config, 'config.yaml');
  if (!existsSync(file)) return { warnings: [] };
  let data: unknown;
  try {
    data = yaml().parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DoqlError('config', `cannot read ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!data || typeof data !== 'object') return { warnings: [] };
  const d = data as Record<string, unknown>;
  const out: ConfigDefaults = { warnings: [] };
  const spellings = Object.values(CONFIG_KEYS).flat();
  for (const key of Object.keys(d)) {
    if (spellings.includes(key)) continue;
    const near = closestNames(key, Object.keys(CONFIG_KEYS), 1);
    out.warnings.push(`doql: ${file}: unknown key "${key}" ignored${near.length ? `; did you mean ${near[0]}?` : ` (known keys: ${Object.keys(CONFIG_KEYS).join(', ')})`}`);
  }
  const get = (key: string): unknown => CONFIG_KEYS[key].map((k) => d[k]).find((v) => v !== undefined);
  const output = get('output');
  if (typeof output === 'string') {
    const format = formatNamed(output);
    if (!format) throw new DoqlError('config', `${file}: output must be one of ${FORMAT_NAMES.join(', ')}`);
    out.output = format;
  }
  const concurrency = get('concurrency');
  if (typeof concurrency === 'number') out.concurrency = concurrency;
  const ttl = get('cache_ttl');
  if (typeof ttl === 'number') out.cacheTtl = ttl;
  const context = get('context');
  if (typeof context === 'string') out.context = context;
  const url = get('api_url');
  if (typeof url === 'string') out.apiUrl = url;
  const ca = get('ca');
  if (typeof ca === 'string') out.ca = ca;
  const maxWait = get('max_wait');
  if (typeof maxWait === 'number') out.maxWait = maxWait;
  return out;
}
