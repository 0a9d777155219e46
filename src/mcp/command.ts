// `doql mcp`: serves doql's tools to AI agents over stdio (the default) or Streamable HTTP (--http).
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { DoqlError } from '../errors.js';
import { createRunContext } from '../cli/context.js';
import type { RunOptions } from '../cli/options.js';
import { isLoopback, serveHttp } from './http.js';
import { McpRunner } from './runner.js';
import { untilStopped } from '../until-stopped.js';
import { createMcpServer } from './server.js';

export interface McpOptions extends RunOptions {
  allowWrites?: boolean;
  http?: boolean;
  host?: string;
  port?: string;
  tokenEnv?: string;
}

/** `version` is doql's, as `doql --version` prints it: the MCP server reports it to clients. */
export async function mcpCommand(opts: McpOptions, version: string): Promise<void> {
  const log = (line: string): void => {
    process.stderr.write(`doql mcp: ${line}\n`);
  };
  const host = opts.host ?? '127.0.0.1';
  const port = Number(opts.port ?? 8808);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new DoqlError('usage', `--port must be 0–65535, got ${opts.port}`);
  if (!opts.http && (opts.host !== undefined || opts.port !== undefined || opts.tokenEnv)) {
    throw new DoqlError('usage', '--host, --port and --token-env are for --http', { hint: 'doql mcp serves stdio by default; add --http to serve over HTTP' });
  }
  let token: string | undefined;
  if (opts.tokenEnv) {
    token = process.env[opts.tokenEnv];
    if (!token) throw new DoqlError('usage', `--token-env ${opts.tokenEnv}: that environment variable is not set`);
  }
  // Refused before anything starts (the sandbox, the API client): a server open to the network without a token.
  if (opts.http && !isLoopback(host) && !token) {
    throw new DoqlError('usage', `doql mcp --http on ${host} needs a bearer token`, { hint: 'add --token-env NAME, NAME being an environment variable holding the token clients must send' });
  }
  // Agents write values into the SQL: no {{ }} templating. Stdout belongs to the protocol: every line for
  // people goes to stderr.
  const ctx = await createRunContext(opts, { defaultCacheTtl: 0, stderr: log, templating: false });
  const runner = new McpRunner(ctx, Boolean(opts.allowWrites));
  const newServer = () => createMcpServer(ctx.catalog.catalog, runner, version);
  const source = opts.sandbox ? 'the sandbox' : 'DigitalOcean';
  const writes = opts.allowWrites ? 'writes allowed (execute, with confirm_rows for several rows)' : 'read-only (no execute; --allow-writes adds it)';
  try {
    if (opts.http) {
      const serving = await serveHttp({ host, port, token, newServer, log });
      // One line, so that whoever waits for `listening on` has read all of it.
      log(`serving ${source}, ${writes}${token ? ', bearer token required' : ''}; listening on ${serving.url}`);
      try {
        await untilStopped();
      } finally {
        await serving.close();
      }
    } else {
      const server = newServer();
      await server.connect(new StdioServerTransport());
      log(`serving ${source} over stdio, ${writes}`);
      await untilStopped({ stdin: true });
      await server.close();
    }
  } finally {
    await ctx.close();
  }
}
