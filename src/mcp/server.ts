// One MCP server: doql's tools and doc pages over a shared runner (one per stdio process, one per HTTP request).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Catalog } from '../catalog/types.js';
import { registerDocPages } from './resources.js';
import type { McpRunner } from './runner.js';
import { registerTools } from './tools.js';

const INSTRUCTIONS = `doql answers questions about a DigitalOcean account with SQL. Tables are resources named digitalocean.<service>.<resource>.
Find one with search_resources, read its columns with describe_resource, then run SELECTs with query (joins, aggregates and JSON operators work; the engine pages and fans out).
Preview any change with plan; execute (when enabled) needs confirm_rows for a change of several rows.`;

export function createMcpServer(catalog: Catalog, runner: McpRunner, version: string): McpServer {
  const server = new McpServer({ name: 'doql', version }, { instructions: INSTRUCTIONS, capabilities: { tools: {}, resources: {} } });
  registerTools(server, catalog, runner);
  registerDocPages(server, catalog);
  return server;
}
