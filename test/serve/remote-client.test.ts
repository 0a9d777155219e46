// What a remote client may do to `doql serve`, and what the server logs of a client before it authenticates.
// Real server process; REGISTRY statements point at a local HTTP server that counts what reaches it.
import http from 'node:http';
import net from 'node:net';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMissing, DOQL_BIN, tempDoqlHome } from '../cli/doql-home.js';
import { runProcess } from '../support/run-process.js';
import { startDoqlServe, type DoqlServe } from './doql-serve.js';

/** A local HTTP server that records every request and answers 404. */
async function startCountingServer(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function query(port: number, sql: string): Promise<unknown> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'tester', database: 'digitalocean' });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } catch (err) {
    return err;
  } finally {
    await client.end();
  }
}

const REFUSED = {
  code: '42501',
  message: 'permission denied: REGISTRY statements are refused over the wire because this server was not started with --allow-registry',
};

describe.skipIf(buildMissing())('doql serve: REGISTRY statements over the wire', () => {
  let web: Awaited<ReturnType<typeof startCountingServer>>;
  let server: DoqlServe;
  let allowing: DoqlServe;
  beforeAll(async () => {
    web = await startCountingServer();
    [server, allowing] = await Promise.all([startDoqlServe(['--sandbox']), startDoqlServe(['--sandbox', '--allow-registry', '--statement-timeout', '90s'])]);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), allowing?.stop()]);
    await web?.close();
  });

  it.each([
    ['a URL', () => `REGISTRY PULL digitalocean FROM '${web.url}/spec.yaml'`],
    ['a file that exists', () => "REGISTRY PULL digitalocean FROM '/etc/passwd'"],
    ['a file that does not', () => "REGISTRY PULL digitalocean FROM '/no/such/dir/spec.yaml'"],
    ['the default source', () => 'REGISTRY PULL digitalocean'],
    ['the list of installed specs', () => 'REGISTRY LIST'],
  ])('refuses REGISTRY with %s: 42501, the same words whatever it names, and nothing is fetched', async (_what, sql) => {
    const err = await query(server.port, sql());
    expect(err).toMatchObject(REFUSED);
    expect((err as pg.DatabaseError).hint).toContain('--allow-registry');
    expect(web.requests).toEqual([]);
    expect(server.log()).not.toContain('/etc/passwd');
  });

  it('with --allow-registry, REGISTRY PULL does reach the URL (so the refusal above is what kept it away)', async () => {
    const before = web.requests.length;
    const err = await query(allowing.port, `REGISTRY PULL digitalocean FROM '${web.url}/spec.yaml'`);
    expect(err).toBeInstanceOf(Error);
    expect((err as pg.DatabaseError).code).not.toBe('42501');
    expect(web.requests.slice(before)).toEqual(['/spec.yaml']);
  });

  it('--statement-timeout sets where every session starts; a bad value stops serve with a usage error', async () => {
    expect(await query(allowing.port, 'SHOW statement_timeout')).toEqual([{ statement_timeout: '90s' }]);
    expect(await query(server.port, 'SHOW statement_timeout')).toEqual([{ statement_timeout: '5min' }]);
    const home = tempDoqlHome();
    const run = await runProcess(process.execPath, [DOQL_BIN, 'serve', '--port', '0', '--statement-timeout', 'soon'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, DOQL_HOME: home },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--statement-timeout must be a duration such as 30s, 5min or 0 (none), got soon');
  });

  it('still runs SQL over resources', async () => {
    const rows = (await query(server.port, 'SELECT count(*) AS n FROM digitalocean.compute.droplets')) as { n: string }[];
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
  });
});

/** Speaks the startup and first SASL message by hand (no driver would send these), then reads to the end. */
function rawLogin(port: number, user: string, saslMechanism?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    let answered = false;
    const socket = net.connect(port, '127.0.0.1', () => socket.write(serialize.startup({ user, database: 'digitalocean' })));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // AuthenticationSASL ('R', code 10) is the server asking: answer with what the client should not send.
      if (!answered && saslMechanism !== undefined && received[0] === 0x52 && received.readInt32BE(5) === 10) {
        answered = true;
        socket.write(serialize.sendSASLInitialResponseMessage(saslMechanism, ''));
      }
    });
    socket.on('close', () => resolve(received.toString('latin1')));
    socket.on('error', reject);
  });
}

describe.skipIf(buildMissing())('doql serve: what it logs of a client before authentication', () => {
  let server: DoqlServe;
  beforeAll(async () => {
    server = await startDoqlServe(['--sandbox', '--password-env', 'DOQL_TEST_PW'], { DOQL_TEST_PW: 'right-pw' });
  });
  afterAll(() => server?.stop());

  it('a password sent as the SASL mechanism name is refused and never logged', async () => {
    const answer = await rawLogin(server.port, 'tester', 's3cret-pw');
    expect(answer).toContain('28P01');
    expect(server.log()).toContain('password authentication failed for user "tester" (unsupported SASL mechanism)');
    expect(server.log()).not.toContain('s3cret-pw');
  });

  it('a user name with newlines cannot forge a log line; a long one is cut', async () => {
    await rawLogin(server.port, 'eve\ndoql serve: 10.0.0.1:1: session started for user "admin"\r', 'x');
    const lines = server.log().split('\n');
    expect(lines.filter((l) => l.startsWith('doql serve: 10.0.0.1'))).toEqual([]);
    expect(server.log()).toContain('user "eve\\x0adoql serve: 10.0.0.1:1: session started for user \\"admin\\"\\x0d"');
    await rawLogin(server.port, 'u'.repeat(5000), 'x');
    const line = server.log().split('\n').find((l) => l.includes('uuuu')) ?? '';
    expect(line).toContain('… (5000 characters)');
    expect(line.length).toBeLessThan(300);
  });
});
