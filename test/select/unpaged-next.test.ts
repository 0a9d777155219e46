// A list the spec calls unpaged (databases_list_clusters) that answers with links.pages.next anyway:
// doql fetches every page instead of returning part of the listing. The server here is a small real
// HTTP server standing in for such an API, since the sandbox serves unpaged lists whole.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/api/client.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { createSession } from '../../src/engine/session.js';

const clusters = Array.from({ length: 5 }, (_, i) => ({ id: `c-${i}`, name: `db-${i}` }));

describe('an unpaged list that pages anyway', () => {
  let server: Server;
  let base = '';
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      const url = new URL(req.url ?? '/', base);
      const page = Number(url.searchParams.get('page') ?? '1');
      const size = 2;
      const items = clusters.slice((page - 1) * size, page * size);
      const last = Math.ceil(clusters.length / size);
      const pages: Record<string, string> = {};
      if (page < last) pages.next = `${base}/v2/databases?page=${page + 1}`;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ databases: items, links: { pages } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('returns every cluster, following next links', async () => {
    const client = createApiClient({ baseUrl: base, token: 't' });
    const session = createSession({ catalog: loadCatalog(), api: () => client });
    const [r] = await session.execute('SELECT id FROM digitalocean.databases.clusters ORDER BY id');
    expect(r.rows.map((x) => x[0])).toEqual(clusters.map((c) => c.id));
    expect(seen.length).toBeGreaterThanOrEqual(3);
    session.close();
    await client.close();
  });
});
