// Runs the real `doql mcp` (bin/doql.js, so `npm run build` first) and talks to it with the MCP SDK's own client,
// over stdio or Streamable HTTP; sandbox state files are seeded here so that `--sandbox` has known rows.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { DOQL_BIN, tempDoqlHome } from '../cli/doql-home.js';
import { catalog } from '../select/helpers.js';
import { sandboxStateFile } from '../../src/cli/sandbox-command.js';
import { stopChild } from '../support/run-process.js';

export { stopChild };

export interface ToolAnswer {
  isError: boolean;
  text: string;
}

export interface McpSession {
  client: Client;
  /** Calls a tool; its one text item and whether it is a tool error. */
  call(name: string, args: Record<string, unknown>): Promise<ToolAnswer>;
  /** Calls a tool that must succeed and parses its JSON answer. */
  json<T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T>;
  /** Every answer's text so far, for leak checks. */
  transcript(): string[];
  close(): Promise<void>;
}

function session(client: Client, close: () => Promise<void>): McpSession {
  const seen: string[] = [];
  const call = async (name: string, args: Record<string, unknown>): Promise<ToolAnswer> => {
    const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
    const text = r.content.map((c) => (c.type === 'text' ? c.text : JSON.stringify(c))).join('\n');
    seen.push(text);
    return { isError: Boolean(r.isError), text };
  };
  return {
    client,
    call,
    json: async <T>(name: string, args: Record<string, unknown>): Promise<T> => {
      const r = await call(name, args);
      if (r.isError) throw new Error(`${name} failed: ${r.text}`);
      return JSON.parse(r.text) as T;
    },
    transcript: () => seen,
    close,
  };
}

/** The environment a spawned doql gets: PATH, a throwaway HOME and DOQL_HOME (no doctl config of the user's). */
export function cleanEnv(home: string, env: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, DOQL_HOME: home, NO_COLOR: '1', ...env };
}

/** `doql mcp ARGS` over stdio, with the SDK's StdioClientTransport; `stderr()` is what the server logged. */
export async function stdioMcp(args: string[], options: { home?: string; env?: Record<string, string> } = {}): Promise<McpSession & { stderr(): string }> {
  const home = options.home ?? tempDoqlHome();
  const transport = new StdioClientTransport({ command: process.execPath, args: [DOQL_BIN, 'mcp', ...args], env: cleanEnv(home, options.env), stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const client = new Client({ name: 'doql-test', version: '1.0.0' });
  await client.connect(transport);
  return { ...session(client, () => client.close()), stderr: () => stderr };
}

export interface HttpMcpServer {
  url: string;
  child: ChildProcess;
  log(): string;
  /** Connects the SDK's Streamable HTTP client, with these extra headers on every request. */
  connect(headers?: Record<string, string>): Promise<McpSession>;
  stop(): Promise<void>;
}

/** Starts `doql mcp --http --port 0 ARGS`; resolves once it logs the URL it listens on. */
export function httpMcp(args: string[], options: { home?: string; env?: Record<string, string> } = {}): Promise<HttpMcpServer> {
  const home = options.home ?? tempDoqlHome();
  const child = spawn(process.execPath, [DOQL_BIN, 'mcp', '--http', '--port', '0', ...args], { env: cleanEnv(home, options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let started = false;
  child.stdout?.on('data', (d: Buffer) => (log += d.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`doql mcp did not start:\n${log}`)), 20_000);
    const onExit = (code: number | null): void => fail(new Error(`doql mcp exited (${code}):\n${log}`));
    function fail(err: Error): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    }
    child.on('exit', onExit);
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString('utf8');
      const m = started ? null : /listening on (http:\/\/\S+)/.exec(log);
      if (!m) return;
      started = true;
      clearTimeout(timer);
      child.off('exit', onExit);
      // Whatever address it bound, the test connects over loopback only.
      const url = m[1].replace(/^http:\/\/[^/]+:(\d+)/, 'http://127.0.0.1:$1');
      resolve({
        url,
        child,
        log: () => log,
        connect: async (headers = {}) => {
          const client = new Client({ name: 'doql-test', version: '1.0.0' });
          await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
          return session(client, () => client.close());
        },
        stop: () => stopChild(child),
      });
    });
  });
}


/**
 * A DOQL_HOME whose `--sandbox` state is this sandbox's (seed, counts): the sandbox is returned still running,
 * as the ground truth to compare answers with. Close it before the test ends.
 */
export async function seededHome(options: SandboxOptions = {}): Promise<{ home: string; truth: Sandbox }> {
  const home = tempDoqlHome();
  // The file `doql --sandbox` reads for the default catalog (one state per catalog).
  const stateFile = sandboxStateFile(catalog().catalog.specHash, { DOQL_HOME: home });
  const truth = await createSandbox({ catalog: catalog(), rateLimit: false, stateFile, ...options });
  truth.save();
  return { home, truth };
}
