// The doql command line: parses arguments, dispatches to a command, turns errors into one line and an exit code.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { DoqlError } from '../errors.js';
import { describeError } from './errors.js';
import { addRunOptions, type RunOptions } from './options.js';
import { runScript } from './run.js';
import { HELP_EXAMPLES } from './help.js';

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
      throw new DoqlError('usage', 'no statement given: doql "SELECT …", doql exec -f FILE.sql, or doql shell (see doql --help)');
    }
    await runScript(statements.join(' '), opts);
  });

  addRunOptions(
    program
      .command('exec')
      .description('run the statements in a file (-f -: standard input)')
      .requiredOption('-f, --file <file>', 'SQL file to run, or - for standard input'),
  ).action(async (_opts: unknown, cmd: Command) => {
    const opts = withGlobals<RunOptions & { file: string }>(cmd);
    await runScript(readScriptFile(opts.file), opts);
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
    .option('--token <token>', 'the token the sandbox accepts', 'doql-sandbox')
    .option('--count <resource=n>', 'how many of a resource to generate, e.g. compute.droplets=10000 (repeatable)', (v: string, p: string[] = []) => [...p, v], [])
    .option('--latency <ms>', 'latency added to every request', '0')
    .option('--jitter <ms>', 'random extra latency up to this', '0')
    .option('--fault-rate <fraction>', 'fraction of requests answered with a fault', '0')
    .option('--rate-limit <n>', 'requests allowed per window (default 250)')
    .option('--rate-window <seconds>', 'rate-limit window (default 60)')
    .option('--action-delay <ms>', 'time an action takes to complete', '2000')
    .option('--action-error-rate <fraction>', 'fraction of actions that end errored (default 0)')
    .option('--spec <file>', 'simulate this OpenAPI spec instead of the active catalog')
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
      .option('--tls-key <file>', 'TLS private key (PEM)'),
  ).action(async (_opts: unknown, cmd: Command) => {
    const { serveCommand } = await import('./serve-command.js');
    await serveCommand(withGlobals<RunOptions & Record<string, string | undefined>>(cmd));
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

export async function main(argv: string[]): Promise<void> {
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
    const { text, exitCode } = describeError(err, debug);
    process.stderr.write(`${text}\n`);
    process.exitCode = exitCode;
  }
}
