// /*+ AWAIT */ gives up at the wait timeout naming the actions still in progress, and fails naming an action that
// errored. The sandbox never errors an action, so a small proxy in front of it reports the action as `errored`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { closeAll, failure, routes, sessionOn, startSandbox } from './harness.js';

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await closeAll();
});

/** Forwards everything to the sandbox, but answers GET /v2/actions/{id} with the action's status set to `errored`. */
async function erroringProxy(sb: Sandbox): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        const headers = { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' };
        const upstream = await fetch(`${sb.url}${req.url}`, { method: req.method, headers, body });
        let text = await upstream.text();
        if (req.method === 'GET' && /^\/v2\/actions\/\d+$/.test(req.url ?? '')) {
          const json = JSON.parse(text) as { action: { status: string } };
          json.action.status = 'errored';
          text = JSON.stringify(json);
        }
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(text);
      })().catch((err: unknown) => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'proxy', message: String(err) }));
      });
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const reboot = (id: string): string =>
  `EXEC /*+ AWAIT */ digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id='${id}' @@json='{"type":"reboot"}'`;

describe('/*+ AWAIT */ failures', () => {
  it('gives up at the wait timeout with a message naming the action id still in progress', async () => {
    const sb = await startSandbox({ actionDelayMs: 60_000 });
    const t = sessionOn(sb, { waitTimeoutMs: 600 });
    const id = sb.ids('/v2/droplets')[0];
    const started = performance.now();
    const err = await failure(t.run(reboot(id)));
    expect(performance.now() - started).toBeLessThan(3_000);
    const polled = t.sent.find((s) => s.path.startsWith('/v2/actions/'))!.path.split('/').pop();
    expect(err.code).toBe('timeout');
    expect(err.message).toBe(`gave up waiting after 1 s for action ${polled} (still in progress)`);
    expect(err.hint).toMatch(/raise --wait-timeout/);
    expect(routes(sb)['POST /v2/droplets/{droplet_id}/actions']).toBe(1);
  });

  it('INSERT /*+ AWAIT */ gives up at the wait timeout too, naming the create action', async () => {
    const sb = await startSandbox({ actionDelayMs: 60_000 });
    const t = sessionOn(sb, { waitTimeoutMs: 700 });
    const started = performance.now();
    const err = await failure(
      t.run(`INSERT /*+ AWAIT */ INTO digitalocean.compute.droplets (data__name, data__size, data__image) SELECT 'slow', 's-1vcpu-1gb', 'ubuntu-24-04-x64'`),
    );
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/^gave up waiting after 1 s for action \d+ \(still in progress\)$/);
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('an errored action fails the statement naming its id and type', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb, {}, { baseUrl: await erroringProxy(sb) });
    const id = sb.ids('/v2/droplets')[0];
    const err = await failure(t.run(reboot(id)));
    const polled = t.sent.find((s) => s.path.startsWith('/v2/actions/'))!.path.split('/').pop();
    expect(err.code).toBe('api');
    expect(err.message).toBe(`action ${polled} (reboot) errored`);
    expect(err.hint).toBe(`see SELECT * FROM digitalocean.account.actions WHERE action_id = ${polled}`);
    expect(routes(sb)['POST /v2/droplets/{droplet_id}/actions']).toBe(1);
  });
});
