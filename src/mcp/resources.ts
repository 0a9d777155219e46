// Each resource's `doql docs` page as an MCP resource: doql://digitalocean/<service>/<resource>, listed and readable.
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { findResource } from '../catalog/lookup.js';
import type { Catalog, Resource } from '../catalog/types.js';
import { oneLine } from '../docs/markdown.js';
import { renderResourcePage } from '../docs/resource-page.js';
import { describeError } from '../cli/errors.js';

export function resourceUri(resource: Resource): string {
  return `doql://${resource.id.split('.').map(encodeURIComponent).join('/')}`;
}

export function registerDocPages(server: McpServer, catalog: Catalog): void {
  const template = new ResourceTemplate(`doql://${catalog.provider}/{service}/{resource}`, {
    list: () => ({
      resources: Object.values(catalog.services)
        .flatMap((s) => Object.values(s.resources))
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((r) => ({ uri: resourceUri(r), name: r.id, title: r.id, description: oneLine(r.description), mimeType: 'text/markdown' })),
    }),
  });
  server.registerResource(
    'resource-docs',
    template,
    { title: 'doql resource docs', description: "A resource's columns, methods and example statements (the `doql docs` page)", mimeType: 'text/markdown' },
    (uri, variables) => {
      const part = (v: string | string[] | undefined): string => decodeURIComponent(String(Array.isArray(v) ? v[0] : (v ?? '')));
      let resource: Resource;
      try {
        resource = findResource(catalog, `${catalog.provider}.${part(variables.service)}.${part(variables.resource)}`);
      } catch (err) {
        // An unknown page is the client's mistake: an invalid-params error naming the closest pages.
        throw new McpError(ErrorCode.InvalidParams, describeError(err, false).text);
      }
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: renderResourcePage(resource) }] };
    },
  );
}
