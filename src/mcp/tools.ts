// The MCP tools: their JSON schemas and descriptions, and each call's answer as JSON text or a tool error
// carrying the CLI's own one-line message.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Catalog } from '../catalog/types.js';
import { describeError } from '../cli/errors.js';
import { describeResource, searchResources } from './catalog-tools.js';
import type { McpRunner } from './runner.js';

export const DEFAULT_MAX_ROWS = 100;
const MOST_ROWS = 10_000;

/** Any failure as the CLI prints it (`doql: …`), never a crashed server or a stack trace. */
async function answer(work: () => unknown): Promise<CallToolResult> {
  try {
    const value = await work();
    // Compact: an agent pays for every character of a 100-row answer.
    return { content: [{ type: 'text', text: JSON.stringify(value) }] };
  } catch (err) {
    return { content: [{ type: 'text', text: describeError(err, false).text }], isError: true };
  }
}

const SQL = z.string().min(1).describe('One SQL statement in doql\'s dialect (StackQL names: digitalocean.<service>.<resource>). Put values in the SQL as literals; {{ }} templates are not expanded.');

export function registerTools(server: McpServer, catalog: Catalog, runner: McpRunner): void {
  server.registerTool(
    'search_resources',
    {
      title: 'Find DigitalOcean resources',
      description:
        'Find the DigitalOcean resources (SQL tables such as digitalocean.databases.backups) that match keywords, e.g. "database backups" or "droplet". ' +
        'Each hit has a one-line description, its SQL verbs and the parameters a SELECT must give (select_requires). Reads the catalog only; no API call. ' +
        'Next: describe_resource for its columns.',
      inputSchema: {
        keyword: z.string().min(1).describe('Words to look for in resource names, services, descriptions and column names (all must match)'),
        limit: z.number().int().min(1).max(100).optional().describe('Most resources to return (default 20)'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ keyword, limit }) => answer(() => searchResources(catalog, keyword, limit ?? 20)),
  );

  server.registerTool(
    'describe_resource',
    {
      title: 'Describe a resource',
      description:
        "A resource's columns (with types and descriptions), methods, parameters (which are required for SELECT: select_requires) and an example SELECT to adapt. " +
        'Reads the catalog only; no API call. An unknown name fails with the closest names.',
      inputSchema: {
        resource: z.string().min(1).describe('Full resource name, e.g. digitalocean.databases.backups'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ resource }) => answer(() => describeResource(catalog, resource)),
  );

  server.registerTool(
    'query',
    {
      title: 'Run a read statement',
      description:
        'Run one read statement — SELECT (joins, CTEs, aggregates, window functions, JSON operators; the engine does paging and fan-out), SHOW or DESCRIBE — and get rows as JSON. ' +
        'The answer has columns (name, SQL type), rows (objects), row_count (all rows the statement gave), truncated (true when only the first max_rows are shown) and requests (API calls it cost). ' +
        'Required parameters go in WHERE (database_cluster_uuid = \'…\') or come from a join. Changes (INSERT, UPDATE, DELETE, EXEC) are refused here.',
      inputSchema: {
        sql: SQL,
        max_rows: z.number().int().min(1).max(MOST_ROWS).optional().describe(`Most rows to return (default ${DEFAULT_MAX_ROWS}); row_count still counts them all`),
      },
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    ({ sql, max_rows }, extra) => answer(() => runner.query(sql, max_rows ?? DEFAULT_MAX_ROWS, extra.signal)),
  );

  server.registerTool(
    'plan',
    {
      title: 'Preview a statement',
      description:
        'Show the HTTP requests one statement would send (method, URL, JSON body), sending none of them: the --dry-run of INSERT, UPDATE, REPLACE, DELETE or EXEC. ' +
        'Rows a predicate names are read (GET) to find them. rows_to_change is how many rows the change would touch; confirm_rows is what execute needs for a change of several rows. ' +
        'A read statement sends no change and is only described.',
      inputSchema: { sql: SQL },
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    ({ sql }, extra) => answer(() => runner.plan(sql, extra.signal)),
  );

  if (!runner.allowWrites) return;
  server.registerTool(
    'execute',
    {
      title: 'Change resources',
      description:
        'Run one INSERT, UPDATE, REPLACE, DELETE or EXEC against the account: this creates, changes or deletes real resources. ' +
        'Call plan first. A statement that would change more than one row runs only with confirm_rows equal to the rows_to_change plan reported; otherwise it is refused and nothing is sent. ' +
        'The answer has the command tag (DELETE 2), RETURNING rows if asked, and the requests it cost.',
      inputSchema: {
        sql: SQL,
        confirm_rows: z.number().int().min(0).optional().describe('For a change of several rows: the count plan reported (rows_to_change)'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    ({ sql, confirm_rows }, extra) => answer(() => runner.execute(sql, confirm_rows, extra.signal)),
  );
}
