// A fake DigitalOcean API with three database clusters and their backups, for `doql serve` tests that need
// rows: it records every request (so tests can see the token was sent to it, and only to it).
import { delay, sendJson, startFakeServer, type FakeServer } from '../api/fake-do-server.js';

export const CLUSTERS = [
  { id: '9cc10173-e9ea-4176-9dbc-a4cee4c4ff30', name: 'alpha', engine: 'pg', num_nodes: 1 },
  { id: '2b1e8d6f-5a1c-4c55-8f0e-6a4c7e2d9b11', name: 'beta', engine: 'mysql', num_nodes: 2 },
  { id: '7d3f0c2a-1b4e-4f6a-9c8d-0e1f2a3b4c5d', name: 'gamma', engine: 'redis', num_nodes: 3 },
];

/** Backups per cluster id: alpha has 2, beta 3, gamma none. */
export const BACKUPS: Record<string, { created_at: string; size_gigabytes: number }[]> = {
  [CLUSTERS[0].id]: [
    { created_at: '2024-01-01T00:00:00Z', size_gigabytes: 0.25 },
    { created_at: '2024-01-02T00:00:00Z', size_gigabytes: 1.5 },
  ],
  [CLUSTERS[1].id]: [
    { created_at: '2024-02-01T00:00:00Z', size_gigabytes: 2 },
    { created_at: '2024-02-02T00:00:00Z', size_gigabytes: 3.75 },
    { created_at: '2024-02-03T00:00:00Z', size_gigabytes: 4 },
  ],
  [CLUSTERS[2].id]: [],
};

/** A cluster id whose backups take this long to list: for cancelling a running statement. */
export const SLOW_CLUSTER = 'slow';
export const SLOW_MS = 20_000;

export function startFakeDigitalOcean(): Promise<FakeServer> {
  return startFakeServer(async (req, res) => {
    if (req.method === 'GET' && req.path === '/v2/databases') {
      sendJson(res, 200, { databases: CLUSTERS, links: {}, meta: { total: CLUSTERS.length } });
      return;
    }
    const backups = /^\/v2\/databases\/([^/]+)\/backups$/.exec(req.path);
    if (req.method === 'GET' && backups) {
      if (backups[1] === SLOW_CLUSTER) await delay(SLOW_MS);
      const list = BACKUPS[backups[1]];
      if (list) sendJson(res, 200, { backups: list });
      else sendJson(res, 404, { id: 'not_found', message: 'The resource you were accessing could not be found.' });
      return;
    }
    sendJson(res, 404, { id: 'not_found', message: 'The resource you were accessing could not be found.' });
  });
}
