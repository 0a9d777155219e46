// `doql serve`: the Postgres wire server in front of one doql session per connection.
import { readFileSync } from 'node:fs';
import { DoqlError } from '../errors.js';
import { createPgServer } from '../server/pg-server.js';
import { createRunContext } from './context.js';
import type { RunOptions } from './options.js';

export async function serveCommand(opts: RunOptions & Record<string, string | undefined>): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  const port = Number(opts.port ?? 5444);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new DoqlError('usage', `--port must be 0–65535, got ${opts.port}`);
  let password: string | undefined;
  if (opts.passwordEnv) {
    password = process.env[opts.passwordEnv];
    if (!password) throw new DoqlError('usage', `--password-env ${opts.passwordEnv}: that environment variable is not set`);
  }
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (opts.tlsCert || opts.tlsKey) {
    if (!opts.tlsCert || !opts.tlsKey) throw new DoqlError('usage', '--tls-cert and --tls-key go together');
    try {
      tls = { cert: readFileSync(opts.tlsCert), key: readFileSync(opts.tlsKey) };
    } catch (err) {
      throw new DoqlError('usage', `cannot read TLS files: ${(err as Error).message}`);
    }
  }
  const log = (line: string): void => {
    process.stderr.write(`doql serve: ${line}\n`);
  };
  // Sessions in a long-running server keep API results for 60 s unless told otherwise.
  const ctx = await createRunContext(opts, { defaultCacheTtl: 60, stderr: log, templating: false });
  const server = createPgServer({ sessionFactory: () => ctx.newSession(), password, tls, log });
  // The server logs its own `listening on host:port` line (port 0 shows the one picked).
  const addr = await server.listen(port, host);
  const source = opts.sandbox ? 'the sandbox' : 'DigitalOcean';
  log(`serving ${source}${password ? ' (password required)' : ''}; connect with: psql -h ${addr.host} -p ${addr.port} -d digitalocean`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  await ctx.close();
}
