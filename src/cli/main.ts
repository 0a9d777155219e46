// The doql command line: parses arguments, dispatches to a command, turns errors into one line and an exit code.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { DoqlError } from '../errors.js';
import { addRunOptions, type RunOptions } from './options.js';
import { runScript } from './one-shot.js';
import { HELP_EXAMPLES } from './help.js';
import { mark } from '../timings.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

function readScriptFile(file: string): string {
  if (file === '-') return readFileSync(0, 'utf8');
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DoqlError('usage', `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? String(err))}`);
  }
}

/** Standard input as text; a closed or unreadable one is empty (`doql <&-` is "no statement given"). */
function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

/**
 * A subcommand's options with those given before it (`doql --dry-run exec -f x.sql`): an option set on the
 * subcommand wins, then one set on the program; defaults apply only when neither was given. Dropping a
 * `--dry-run` typed before the subcommand would send what the user meant to preview.
 */
function withGlobals<T>(cmd: Command): T {
  const parent = cmd.parent;
  const local = cmd.opts();
  if (!parent) return local as T;
  const global = parent.opts();
  const out: Record<string, unknown> = { ...global, ...local };
  for (const key of Object.keys(global)) {
    const src = cmd.getOptionValueSource(key);
    const given = src !== undefined && src !== 'default' && src !== 'implied';
    const globalGiven = parent.getOptionValueSource(key) !== undefined && parent.getOptionValueSource(key) !== 'default';
    if (!given && globalGiven) out[key] = key === 'var' ? [...(global[key] as string[]), ...((local[key] as string[] | undefined) ?? [])] : global[key];
  }
  return out as T;
}

/**
 * Set by the commands that run statements and end (`doql "…"`, `doql exec`): once their output is written the
 * process exits at once, rather than waiting for idle keep-alive connections and timers to wind down.
 */
let endWhenDone = false;

/** Exits once stdout and stderr have handed over everything written to them. */
async function exitNow(): Promise<never> {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.writableLength > 0) await new Promise((resolve) => stream.once('drain', resolve));
  }
  process.exit();
}

export function buildProgram(): Command {
  const program = new Command('doql');
  program
    .description('Query, deploy and manage DigitalOcean resources with SQL')
    .version(version(), '--version', 'print the version')
    .argument('[statements...]', 'SQL statements to run, e.g. "SHOW SERVICES IN digitalocean"')
    .addHelpText('after', HELP_EXAMPLES)
    .showSuggestionAfterError(true)
    .enablePositionalOptions()
    .helpCommand(false)
    .configureOutput({
      outputError: (str, write) => write(`doql: ${str.replace(/^error: /, '').trimEnd()}\n`),
    })
    .exitOverride();
  addRunOptions(program);
  program.action(async (statements: string[], opts: RunOptions) => {
    if (statements.length === 0) {
      if (process.stdin.isTTY && process.stdout.isTTY) {
        const { runShell } = await import('./shell.js');
        await runShell(opts);
        return;
      }
      // `echo "SELECT 1;" | doql`: statements come from stdin when it is not a terminal, as psql and sqlite3 read them.
      const piped = process.stdin.isTTY ? '' : readStdin();
      if (piped.trim() === '') throw new DoqlError('usage', 'no statement given: doql "SELECT …", doql exec -f FILE.sql, or doql shell (see doql --help)');
      statements = [piped];
    }
    // Each argument is its own script, run in order (`doql "SELECT 1 a" "SELECT 2 b"`).
    endWhenDone = true;
    await runScript(statements, opts);
  });

  addRunOptions(
    program
      .command('exec')
      .description('run the statements in a file (-f -: standard input)')
      .option('-f, --file <file>', 'SQL file to run, or - for standard input')
      // StackQL's spelling of the same option.
      .addOption(new Option('-i, --infile <file>', 'the same as -f').hideHelp()),
  ).action(async (_opts: unknown, cmd: Command) => {
    const opts = withGlobals<RunOptions & { file?: string; infile?: string }>(cmd);
    const file = opts.file ?? opts.infile ?? (process.stdin.isTTY ? undefined : '-');
    if (file === undefined) throw new DoqlError('usage', "exec needs a file: doql exec -f FILE.sql (or -f - for standard input)");
    endWhenDone = true;
    await runScript([readScriptFile(file)], opts);
  });

  addRunOptions(program.command('shell').description('interactive SQL shell')).action(async (_opts: unknown, cmd: Command) => {
    const { runShell } = await import('./shell.js');
    await runShell(withGlobals<RunOptions>(cmd));
  });

  program
    .command('sandbox')
    .description('run the DigitalOcean API simulator as a server (or `doql sandbox reset`)')
    .argument('[action]', '`reset` forgets the state kept for `doql --sandbox`')
    .allowUnknownOption(false)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '8080')
    .option('--seed <n>', 'seed for the generated account', '1')
    .option('--token <token>', 'a token the sandbox accepts; repeat for several accounts, each with its own resources (default doql-sandbox)', (v: string, p: string[] = []) => [...p, v], [])
    .option('--count <resource=n>', 'how many of a resource to generate, e.g. compute.droplets=10000 (repeatable)', (v: string, p: string[] = []) => [...p, v], [])
    .option('--latency <ms>', 'latency added to every request', '0')
    .option('--jitter <ms>', 'random extra latency up to this', '0')
    .option('--fault-rate <fraction>', 'fraction of requests answered with a fault', '0')
    .option('--rate-limit <n>', 'requests allowed per window (default 250); the hourly limit rises with it (see --hourly-limit)')
    .option('--rate-window <seconds>', 'rate-limit window (default 60)')
    .option('--hourly-limit <n>', 'requests allowed per hour, 0 for none (default 5000, or a third of what --rate-limit allows in an hour if more, as DigitalOcean\'s 5,000 for 250 a minute)')
    .option('--no-rate-limit', 'no rate limits at all (no 429s, no ratelimit-* headers)')
    .option('--action-delay <ms>', 'time an action takes to complete', '2000')
    .option('--action-error-rate <fraction>', 'fraction of actions that end errored (default 0)')
    .option('--spec <file>', 'simulate this OpenAPI spec instead of the active catalog')
    .option('--tls', 'serve HTTPS (HTTP/2 and HTTP/1.1) with a self-signed certificate made at start')
    .option('--cert-out <file>', 'with --tls: write the certificate here (default: a file in the cache folder, printed at start)')
    .action(async (action: string | undefined, _opts: unknown, cmd: Command) => {
      const { sandboxCommand } = await import('./sandbox-command.js');
      // `doql --spec FILE sandbox` simulates that spec, as `doql sandbox --spec FILE` does.
      const { spec } = withGlobals<{ spec?: string }>(cmd);
      await sandboxCommand(action, { ...cmd.opts(), spec });
    });

  const registry = program.command('registry').description('the DigitalOcean API spec doql uses');
  registry
    .command('list')
    .description('installed specs and which is active')
    .option('-o, --output <format>', 'output format')
    .action(async (opts: { output?: string }) => {
      const { registryList } = await import('./registry-command.js');
      await registryList(opts);
    });
  registry
    .command('pull')
    .description("download DigitalOcean's current spec (or --from FILE|URL), compile it and make it active")
    .argument('[provider]', 'provider', 'digitalocean')
    .option('--from <fileOrUrl>', 'a spec file or URL instead of the published one')
    .option('--force', "install it even if it has fewer than half the active catalog's resources")
    .action(async (_provider: string, opts: { from?: string; force?: boolean }) => {
      const { registryPull } = await import('./registry-command.js');
      await registryPull(opts.from, opts.force === true);
    });
  registry
    .command('use')
    .description('make an installed spec (or `default`) active')
    .argument('<name>')
    .action(async (name: string) => {
      const { registryUse } = await import('./registry-command.js');
      await registryUse(name);
    });

  addRunOptions(
    program
      .command('serve')
      .description('serve the Postgres wire protocol, for psql, BI tools and drivers')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--port <port>', 'port to listen on', '5444')
      .option('--password-env <name>', 'environment variable holding the password clients must give')
      .option('--tls-cert <file>', 'TLS certificate (PEM)')
      .option('--tls-key <file>', 'TLS private key (PEM)')
      .option('--statement-timeout <duration>', 'cancel a statement that runs longer (30s, 5min; 0: never); SET statement_timeout changes it per session', '5min')
      .option('--allow-registry', "let clients run REGISTRY statements (they read the server's files, fetch URLs and switch its active catalog)"),
  ).action(async (_opts: unknown, cmd: Command) => {
    const { serveCommand } = await import('./serve-command.js');
    await serveCommand(withGlobals<RunOptions & import('./serve-command.js').ServeOptions>(cmd));
  });

  addRunOptions(
    program
      .command('mcp')
      .description('serve doql to AI agents over the Model Context Protocol (stdio, or --http)')
      .option('--allow-writes', 'offer the execute tool (INSERT, UPDATE, REPLACE, DELETE, EXEC)', false)
      .option('--http', 'serve Streamable HTTP at /mcp instead of stdio', false)
      .option('--host <host>', 'address to listen on with --http (default 127.0.0.1)')
      .option('--port <port>', 'port to listen on with --http (default 8808)')
      .option('--token-env <name>', 'environment variable holding the bearer token HTTP clients must send'),
  ).action(async (_opts: unknown, cmd: Command) => {
    const { mcpCommand } = await import('../mcp/command.js');
    await mcpCommand(withGlobals<import('../mcp/command.js').McpOptions>(cmd), version());
  });

  addRunOptions(
    program
      .command('sync')
      .description('copy resources into a SQLite file or PostgreSQL as snapshots, to query their history')
      .requiredOption('--to <fileOrUrl>', 'a SQLite file (history.db) or a postgres:// URL')
      .option('--resources <list>', 'what to copy, e.g. compute.droplets,databases.*')
      .option('--query <file>', 'also copy the rows of the SELECT in FILE, into a table named after it (repeatable)', (v: string, p: string[] = []) => [...p, v], [])
      .option('--mode <mode>', 'append (keep every snapshot) or replace (keep the latest)', 'append'),
  ).action(async (_opts: unknown, cmd: Command) => {
    const { syncCommand } = await import('./sync-command.js');
    await syncCommand(withGlobals<import('./sync-command.js').SyncCommandOptions>(cmd));
  });

  program
    .command('docs')
    .description('write one Markdown page per resource')
    .requiredOption('--out <dir>', 'folder to write into')
    .option('--spec <file>', 'document this OpenAPI spec instead of the active catalog')
    .action(async (_opts: unknown, cmd: Command) => {
      const { docsCommand } = await import('./docs-command.js');
      const { out, spec } = withGlobals<{ out: string; spec?: string }>(cmd);
      await docsCommand({ out, spec });
    });

  program
    .command('help')
    .description('help on a command or topic')
    .argument('[topic]')
    .action(async (topic?: string) => {
      const { helpTopic } = await import('./help.js');
      process.stdout.write(helpTopic(program, topic));
    });
  return program;
}

/**
 * A reader that goes away (`doql --help | head`) closes the pipe: stop quietly with exit 0, as a program killed by
 * SIGPIPE would, instead of an EPIPE stack trace.
 */
function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
}

export async function main(argv: string[]): Promise<void> {
  mark('modules');
  endQuietlyOnClosedPipe();
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its message (help and version exit 0).
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    // Loaded only on failure: a command that succeeds never needs it.
    const { describeError } = await import('./errors.js');
    const { text, exitCode } = describeError(err, debug);
    process.stderr.write(`${text}\n`);
    process.exitCode = exitCode;
  }
  if (endWhenDone) await exitNow();
}
