import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, DoqlError } from '../errors.js';
import { createApiClient } from './client.js';
import type { ApiClient, ApiClientOptions, RequestEvent } from './types.js';
import { delay, sendJson, startFakeServer } from '../../test/api/fake-do-server.js';
import type { FakeServer, Handler } from '../../test/api/fake-do-server.js';

const TOKEN = 'dop_v1_' + 'b'.repeat(64);
const servers: FakeServer[] = [];
const clients: ApiClient[] = [];

async function setup(handler: Handler, opts: Partial<ApiClientOptions> = {}): Promise<{ server: FakeServer; client: ApiClient; events: RequestEvent[] }> {
  const server = await startFakeServer(handler);
  servers.push(server);
  const events: RequestEvent[] = [];
  const client = createApiClient({ baseUrl: server.url, token: TOKEN, backoffBaseMs: 5, retries: 3, onRequest: (e) => events.push(e), ...opts });
  clients.push(client);
  return { server, client, events };
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Answers `fault` for the first `times` requests, then 200 {ok: true}. */
function flaky(times: number, fault: Handler): Handler {
  let n = 0;
  return (req, res, raw) => (n++ < times ? fault(req, res, raw) : sendJson(res, 200, { ok: true }));
}

const drop: Handler = (_req, res) => {
  res.socket?.destroy();
};
const truncated: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '40' });
  res.write('{"droplet": {"id": 1, "na');
  setTimeout(() => res.socket?.destroy(), 5);
};
const invalidJson: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"droplet": {"id": 1, "na');
};
const serverError: Handler = (_req, res) =>
  sendJson(res, 500, { id: 'server_error', message: 'Server was unable to give you a response.', request_id: 'req-500' }, { 'x-request-id': 'req-500' });
const slow: Handler = async (_req, res) => {
  await delay(300);
  sendJson(res, 200, { ok: true });
};

async function failure(p: Promise<unknown>): Promise<DoqlError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DoqlError);
  return err as DoqlError;
}

describe('GET retries', () => {
  it.each<[string, Handler]>([
    ['5xx', serverError],
    ['dropped connection', drop],
    ['truncated body', truncated],
    ['invalid JSON on a 200', invalidJson],
    ['429', (_q, res) => sendJson(res, 429, { id: 'too_many_requests', message: 'slow down' }, { 'retry-after': '0' })],
  ])('retries a GET after a %s and succeeds', async (_name, fault) => {
    const { server, client } = await setup(flaky(2, fault));
    const res = await client.request({ method: 'GET', path: '/v2/account' });
    expect(res.body).toEqual({ ok: true });
    expect(server.count()).toBe(3);
    expect(client.stats()).toMatchObject({ requests: 3, retries: 2, done: 3, inFlight: 0 });
  });

  it('retries a GET that timed out', async () => {
    const { server, client } = await setup(flaky(1, slow), { timeoutMs: 100 });
    expect((await client.request({ method: 'GET', path: '/v2/account' })).body).toEqual({ ok: true });
    expect(server.count()).toBe(2);
  });

  it('throws the last error, saying how many attempts, when retries run out', async () => {
    const { server, client } = await setup(serverError, { retries: 2 });
    const err = await failure(client.request({ method: 'GET', path: '/v2/droplets', query: { tag_name: 'web' } }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('api');
    expect(err.message).toBe('500 GET /v2/droplets: Server was unable to give you a response. (gave up after 3 attempts) (request id req-500)');
    expect(server.count()).toBe(3);
  });

  it('gives up on a network error with code network', async () => {
    const { client } = await setup(drop, { retries: 1 });
    const err = await failure(client.request({ method: 'GET', path: '/v2/account' }));
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/^GET \/v2\/account: .*\(gave up after 2 attempts\)$/);
  });

  it('does not retry a 4xx and reports DigitalOcean id, message and request id', async () => {
    const { server, client } = await setup((_q, res) =>
      sendJson(res, 404, { id: 'not_found', message: 'The resource you were accessing could not be found.', request_id: 'abc-123' }),
    );
    const err = (await failure(client.request({ method: 'GET', path: '/v2/droplets/1', query: { secret: 's3' } }))) as ApiError;
    expect(err).toMatchObject({ status: 404, method: 'GET', path: '/v2/droplets/1', apiId: 'not_found', requestId: 'abc-123' });
    expect(err.message).toBe('404 GET /v2/droplets/1: The resource you were accessing could not be found. (request id abc-123)');
    expect(server.count()).toBe(1);
  });
});

describe('mutations are never repeated once they may have happened', () => {
  it.each<[string, Handler, Partial<ApiClientOptions>]>([
    ['5xx', serverError, {}],
    ['dropped connection', drop, {}],
    ['timeout', slow, { timeoutMs: 100 }],
    ['truncated body', truncated, {}],
  ])('POST after a %s: one request, unknown_outcome', async (_name, fault, opts) => {
    const { server, client } = await setup(fault, opts);
    const err = await failure(client.request({ method: 'POST', path: '/v2/droplets', body: { name: 'web-1' } }));
    expect(server.count()).toBe(1);
    expect(err.code).toBe('unknown_outcome');
    expect(err.message).toContain('POST /v2/droplets');
    expect(err.message).toContain('outcome is unknown');
    expect(err.message).toContain('List the resource to see whether it was created before retrying');
    expect(err.message).not.toContain('gave up');
  });

  it('names the request id in an unknown outcome', async () => {
    const { client } = await setup(serverError);
    const err = await failure(client.request({ method: 'DELETE', path: '/v2/droplets/7' }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toContain('(request id req-500)');
    expect(err.message).toContain('still exists');
  });

  it.each(['PUT', 'PATCH', 'DELETE'])('%s after a 5xx is not retried', async (method) => {
    const { server, client } = await setup(serverError);
    await expect(client.request({ method, path: '/v2/x/1', body: {} })).rejects.toMatchObject({ code: 'unknown_outcome' });
    expect(server.count()).toBe(1);
  });

  it('retries a POST after a 429 (it did not happen)', async () => {
    const { server, client } = await setup(
      flaky(1, (_q, res) => sendJson(res, 429, { id: 'too_many_requests', message: 'API Rate limit exceeded.' }, { 'retry-after': '0' })),
    );
    const res = await client.request({ method: 'POST', path: '/v2/droplets', body: { name: 'web-1' } });
    expect(res.status).toBe(200);
    expect(server.count()).toBe(2);
    expect(server.requests.map((r) => JSON.parse(r.body) as unknown)).toEqual([{ name: 'web-1' }, { name: 'web-1' }]);
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it('says a POST still rate limited after every retry was not applied', async () => {
    const { server, client } = await setup((_q, res) =>
      sendJson(res, 429, { id: 'too_many_requests', message: 'API Rate limit exceeded.' }, { 'retry-after': '0' }),
    { retries: 2 });
    const err = await failure(client.request({ method: 'POST', path: '/v2/droplets', body: {} }));
    expect(err).toMatchObject({ status: 429, code: 'api' });
    expect(err.message).toBe('429 POST /v2/droplets: API Rate limit exceeded. (gave up after 3 attempts); the request was not applied');
    expect(server.count()).toBe(3);
  });

  it('retries a POST whose connection was refused, and sends it once it connects', async () => {
    const port = await freePort();
    let started: FakeServer | undefined;
    const client = createApiClient({
      baseUrl: `http://127.0.0.1:${port}`,
      token: TOKEN,
      backoffBaseMs: 20,
      retries: 5,
      onRequest: (e) => {
        // Bring the server up only after the first refusal.
        if (e.attempt === 1 && e.status === 0 && !started) {
          void startFakeServer((_q, res) => sendJson(res, 201, { droplet: { id: 1 } }), port).then((s) => {
            started = s;
            servers.push(s);
          });
        }
      },
    });
    clients.push(client);
    const res = await client.request({ method: 'POST', path: '/v2/droplets', body: { name: 'a' } });
    expect(res.status).toBe(201);
    expect(started!.count()).toBe(1);
  });

  it('says a refused mutation was not sent when retries run out', async () => {
    const port = await freePort();
    const client = createApiClient({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN, backoffBaseMs: 1, retries: 1 });
    clients.push(client);
    const err = await failure(client.request({ method: 'POST', path: '/v2/droplets', body: {} }));
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/connection refused.*not sent.*2 attempts/);
  });
});

describe('responses', () => {
  it('returns text and binary bodies without crashing', async () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0xfe]);
    const { client } = await setup((req, res) => {
      if (req.path.endsWith('/kubeconfig')) {
        res.writeHead(200, { 'content-type': 'application/yaml' });
        return void res.end('apiVersion: v1\nkind: Config\n');
      }
      if (req.path.endsWith('/csv')) {
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
        return void res.end('a,b\n1,2\n');
      }
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.end(pdf);
    });
    const yaml = await client.request({ method: 'GET', path: '/v2/kubernetes/clusters/c/kubeconfig' });
    expect(yaml).toMatchObject({ body: 'apiVersion: v1\nkind: Config\n', contentType: 'application/yaml' });
    expect((await client.request({ method: 'GET', path: '/v2/customers/my/invoices/1/csv' })).body).toBe('a,b\n1,2\n');
    const got = await client.request({ method: 'GET', path: '/v2/customers/my/invoices/1/pdf' });
    expect(Buffer.from(got.body as string, 'base64')).toEqual(pdf);
  });

  it('returns null for an empty 204 and exposes headers and request id', async () => {
    const { client } = await setup((_q, res) => {
      res.writeHead(204, { 'x-request-id': 'r-1' });
      res.end();
    });
    expect(await client.request({ method: 'DELETE', path: '/v2/tags/a' })).toMatchObject({ status: 204, body: null, requestId: 'r-1' });
  });

  it('sends the token only in the Authorization header', async () => {
    const { server, client } = await setup((_q, res) => sendJson(res, 200, {}));
    await client.request({ method: 'GET', path: '/v2/account', query: { a: [1, 2], b: true } });
    const seen = server.requests[0]!;
    expect(seen.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen.url).toBe('/v2/account?a=1&a=2&b=true');
    expect(seen.headers['user-agent']).toBe('doql');
  });
});

describe('the token never leaks', () => {
  it('redacts a token the server echoes, from errors, causes and events', async () => {
    const { client, events } = await setup((req, res) =>
      sendJson(res, 401, { id: 'unauthorized', message: `Unable to authenticate you: ${req.headers.authorization}; token ${TOKEN}` }),
    );
    const err = await failure(client.request({ method: 'GET', path: '/v2/account' }));
    const everything = [err.message, err.hint, err.stack, String(err.cause), JSON.stringify(err), JSON.stringify(events)].join('\n');
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain('b'.repeat(20));
    expect(err.message).toContain('[REDACTED]');
    expect(err.hint).toMatch(/DIGITALOCEAN_TOKEN/);
  });

  it('redacts a plain-text error body and network error messages', async () => {
    const weird = 'not-a-do-shaped-token-123';
    const server = await startFakeServer((_q, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`bad gateway for ${weird}`);
    });
    servers.push(server);
    const client = createApiClient({ baseUrl: server.url, token: weird, retries: 0 });
    clients.push(client);
    const err = await failure(client.request({ method: 'GET', path: '/v2/account' }));
    expect(err.message).toBe('502 GET /v2/account: bad gateway for [REDACTED]');
  });

  it('rejects a token with a newline without echoing it', () => {
    let err: unknown;
    try {
      createApiClient({ baseUrl: 'http://127.0.0.1:1', token: 'abc\ndef-secret' });
    } catch (e) {
      err = e;
    }
    expect((err as DoqlError).code).toBe('auth');
    expect((err as DoqlError).message).not.toContain('secret');
  });
});

describe('cancellation', () => {
  it('aborts an in-flight request promptly with cancelled', async () => {
    const { client } = await setup(async (_q, res) => {
      await delay(2_000);
      sendJson(res, 200, {});
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = performance.now();
    const err = await failure(client.request({ method: 'GET', path: '/v2/account', signal: ac.signal }));
    expect(err.code).toBe('cancelled');
    expect(performance.now() - t0).toBeLessThan(500);
    expect(client.stats().inFlight).toBe(0);
  });

  it('aborts a list with pages queued and in flight', async () => {
    const { server, client } = await setup(async (req, res) => {
      const page = Number(req.query.get('page') ?? 1);
      if (page > 1) await delay(2_000);
      sendJson(res, 200, { items: [{ id: page }], meta: { total: 400 } });
    }, { concurrency: 2 });
    const ac = new AbortController();
    const p = client.list({ path: '/v2/x', listKey: 'items', signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    const t0 = performance.now();
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(server.count()).toBeLessThanOrEqual(3);
  });

  it('cancels a pending backoff wait', async () => {
    const { client } = await setup(serverError, { backoffBaseMs: 5_000, backoffMaxMs: 5_000, sleep: () => delay(5_000) });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = performance.now();
    await expect(client.request({ method: 'GET', path: '/v2/a', signal: ac.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('says a mutation cancelled mid-flight may have happened', async () => {
    const { client } = await setup(async (_q, res) => {
      await delay(1_000);
      sendJson(res, 200, {});
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const err = await failure(client.request({ method: 'POST', path: '/v2/droplets', body: {}, signal: ac.signal }));
    expect(err.code).toBe('cancelled');
    expect(err.message).toContain('outcome is unknown');
  });
});

describe('connections', () => {
  it('caps requests in flight at `concurrency`', async () => {
    const { server, client } = await setup(async (_q, res) => {
      await delay(20);
      sendJson(res, 200, {});
    }, { concurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, () => client.request({ method: 'GET', path: '/v2/a' })));
    expect(server.maxConcurrent).toBe(3);
  });

  it('reuses kept-alive connections', async () => {
    const { server, client } = await setup((_q, res) => sendJson(res, 200, {}));
    for (let i = 0; i < 100; i++) await client.request({ method: 'GET', path: '/v2/a' });
    // undici may open a second socket while the first is being released; never one per request.
    expect(server.connections).toBeLessThanOrEqual(2);
  });

  it('emits one token-free event per attempt', async () => {
    const { client, events } = await setup(flaky(1, serverError));
    await client.request({ method: 'GET', path: '/v2/a', query: { q: 1 } });
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ method: 'GET', status: 500, attempt: 1 });
    expect(events[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\/a\?q=1$/);
    expect(events[0]!.error).toContain('HTTP 500');
    expect(events[1]).toMatchObject({ status: 200, attempt: 2, error: undefined });
  });
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
