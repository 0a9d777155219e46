// MCP over Streamable HTTP at /mcp: stateless (a fresh MCP server per POST over one shared runner), a bearer
// token checked before anything else, and Host checked on a loopback bind against DNS rebinding.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { DoqlError } from '../errors.js';

export const MCP_PATH = '/mcp';
/** Larger request bodies are refused: a statement is a few kilobytes. */
const MAX_BODY_BYTES = 1 << 20;

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const v = isIP(host);
  return (v === 4 && host.startsWith('127.')) || (v === 6 && (host === '::1' || host === '0:0:0:0:0:0:0:1'));
}

export interface HttpServing {
  url: string;
  close(): Promise<void>;
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/** Compares digests, so the time taken says nothing about how much of the token matched. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function bearerOf(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1].trim();
}

/** The body, or undefined once it passes the limit (reading stops; the answer closes the connection). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function serveHttp(options: {
  host: string;
  port: number;
  /** Clients must send `Authorization: Bearer <token>`; required off loopback. */
  token?: string;
  newServer: () => McpServer;
  log: (line: string) => void;
}): Promise<HttpServing> {
  const { host, token, newServer, log } = options;
  const loopback = isLoopback(host);
  if (!loopback && !token) {
    throw new DoqlError('usage', `doql mcp --http on ${host} needs a bearer token`, { hint: 'add --token-env NAME, NAME being an environment variable holding the token clients must send' });
  }
  let allowedHosts: string[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== MCP_PATH) return jsonRpcError(res, 404, -32000, `not found: MCP is served at ${MCP_PATH}`);
    if (token && !sameSecret(bearerOf(req) ?? '', token)) {
      return jsonRpcError(res, 401, -32001, 'unauthorized: send Authorization: Bearer <token>', { 'www-authenticate': 'Bearer realm="doql"' });
    }
    if (req.method !== 'POST') return jsonRpcError(res, 405, -32000, 'method not allowed: this server is stateless, POST only', { allow: 'POST' });
    const raw = await readBody(req);
    if (!raw) return jsonRpcError(res, 413, -32600, `request body over ${MAX_BODY_BYTES} bytes`, { connection: 'close' });
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return jsonRpcError(res, 400, -32700, 'parse error: the body is not JSON');
    }
    const server = newServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      ...(loopback ? { enableDnsRebindingProtection: true, allowedHosts } : {}),
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`request failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) jsonRpcError(res, 500, -32603, 'internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (err) => reject(new DoqlError('usage', `doql mcp: cannot listen on ${host}:${options.port}: ${err.message}`, { hint: 'choose another --port (0 picks a free one)' })));
    http.listen(options.port, host, () => resolve());
  });
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;
  const hostPart = isIP(host) === 6 ? `[${host}]` : host;
  allowedHosts = [`${hostPart}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`];
  return {
    url: `http://${hostPart}:${port}${MCP_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
