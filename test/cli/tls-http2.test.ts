// doql over TLS: `doql sandbox --tls` (a process, self-signed certificate, HTTP/2 offered by ALPN) and
// `doql --ca FILE` as another process. The sandbox's admin endpoint counts the connections and the HTTP
// versions that carried the requests, so "few connections" is judged by the server, not by doql.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/index.js';
import { runProcess, stopChild, type ProcessRun } from '../support/run-process.js';
import { buildMissing, DOQL_BIN } from './doql-home.js';

const missing = buildMissing();
const TOKEN = 'tls-test-token-5f1c9a';
const CLUSTERS = 100;
const FANOUT =
  'SELECT c.id, b.created_at FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id';

interface Connections {
  opened: number;
  used: number;
  byProtocol: Record<string, number>;
  requestsByHttpVersion: Record<string, number>;
}

describe.skipIf(Boolean(missing))('doql over TLS and HTTP/2 against `doql sandbox --tls`', () => {
  const dir = mkdtempSync(join(tmpdir(), 'doql-tls-'));
  const certFile = join(dir, 'sandbox-ca.pem');
  let sandbox: ChildProcess | undefined;
  let url = '';
  let startup = '';
  /** Trusts only the sandbox's certificate; HTTP/1.1 only (undici's default), as an older client would. */
  let h1: Agent;

  const admin = async <T>(path: string, method = 'GET'): Promise<T> => {
    const res = await request(`${url}${path}`, { method, dispatcher: h1 });
    return (await res.body.json()) as T;
  };

  const doql = (args: string[], env: Record<string, string> = {}): Promise<ProcessRun> =>
    runProcess(process.execPath, [DOQL_BIN, '--api-url', url, '-o', 'json', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, DOQL_HOME: dir, NO_COLOR: '1', DIGITALOCEAN_TOKEN: TOKEN, ...env },
      timeoutMs: 60_000,
    });

  /** Every (cluster, backup) pair, read with plain HTTP/1.1 requests: what the join must return. */
  const truth = async (): Promise<number> => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const clusters = (await (await request(`${url}/v2/databases?per_page=200`, { headers: auth, dispatcher: h1 })).body.json()) as { databases: { id: string }[] };
    expect(clusters.databases).toHaveLength(CLUSTERS);
    let n = 0;
    for (const c of clusters.databases) {
      const b = (await (await request(`${url}/v2/databases/${c.id}/backups`, { headers: auth, dispatcher: h1 })).body.json()) as { backups: unknown[] };
      n += b.backups.length;
    }
    return n;
  };

  beforeAll(async () => {
    sandbox = spawn(
      process.execPath,
      [DOQL_BIN, 'sandbox', '--tls', '--port', '0', '--cert-out', certFile, '--token', TOKEN, '--rate-limit', '1000000', '--count', `databases.clusters=${CLUSTERS}`],
      { env: { PATH: process.env.PATH ?? '', HOME: dir, DOQL_HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`doql sandbox --tls did not start: ${startup}`)), 60_000);
      sandbox!.stdout!.setEncoding('utf8').on('data', (d: string) => {
        startup += d;
        const m = /listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(startup);
        if (m && startup.includes('try:')) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      sandbox!.stderr!.setEncoding('utf8').on('data', (d: string) => (startup += d));
      sandbox!.on('exit', (code) => reject(new Error(`doql sandbox --tls exited ${code}: ${startup}`)));
    });
    h1 = new Agent({ connect: { ca: readFileSync(certFile, 'utf8') } });
  }, 90_000);

  afterAll(async () => {
    await h1?.close();
    if (sandbox) await stopChild(sandbox);
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints where its certificate is and how to trust it', () => {
    expect(startup).toContain(`certificate: ${certFile}`);
    expect(startup).toContain(`--ca ${certFile}`);
    expect(readFileSync(certFile, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it('with --ca, gets every row of a 100-cluster fan-out over HTTP/2 on one or two connections', async () => {
    const expected = await truth();
    await admin('/_sandbox/reset-counts', 'POST');
    const r = await doql(['--ca', certFile, FANOUT]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(expected);
    const c = await admin<Connections>('/_sandbox/connections');
    // 1 list of clusters + 100 backups lists, every one over HTTP/2.
    expect(c.requestsByHttpVersion).toEqual({ '2.0': CLUSTERS + 1 });
    expect(c.used).toBeGreaterThanOrEqual(1);
    expect(c.used).toBeLessThanOrEqual(2);
  }, 90_000);

  /** A DOQL_HOME whose config.yaml names the certificate. */
  const homeWithConfig = (file: string): Record<string, string> => {
    const home = join(dir, 'configured');
    mkdirSync(join(home, 'config'), { recursive: true });
    writeFileSync(join(home, 'config', 'config.yaml'), `ca: ${file}\n`);
    return { DOQL_HOME: home, HOME: home };
  };

  it.each([
    ['DOQL_CA', (file: string) => ({ DOQL_CA: file })],
    ['NODE_EXTRA_CA_CERTS', (file: string) => ({ NODE_EXTRA_CA_CERTS: file })],
    ["config.yaml's ca", homeWithConfig],
  ])('trusts the certificate named by %s', async (_name, env) => {
    await admin('/_sandbox/reset-counts', 'POST');
    const r = await doql(['SELECT count(*) AS n FROM digitalocean.databases.clusters'], env(certFile));
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([{ n: CLUSTERS }]);
    expect((await admin<Connections>('/_sandbox/connections')).requestsByHttpVersion).toEqual({ '2.0': 1 });
  }, 60_000);

  it("--ca adds to the system's certificates instead of replacing them", async () => {
    // The sandbox is trusted only as a system certificate (OpenSSL's store, which SSL_CERT_FILE names); --ca
    // names another certificate. Replacing the store with --ca's (and Node's bundled list) refuses the sandbox.
    const other = join(dir, 'other-ca.pem');
    writeFileSync(other, rootCertificates[0]!);
    const system = { NODE_OPTIONS: '--use-openssl-ca', SSL_CERT_FILE: certFile };
    const sql = 'SELECT count(*) AS n FROM digitalocean.databases.clusters';
    const r = await doql(['--ca', other, sql], system);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([{ n: CLUSTERS }]);
    // And the system's store alone is what trusts it: without SSL_CERT_FILE the sandbox is refused.
    const refused = await doql(['--ca', other, sql], { NODE_OPTIONS: '--use-openssl-ca' });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/not trusted/);
  }, 60_000);

  it('without --ca, fails with one line saying to pass --ca, no stack trace and no token', async () => {
    await admin('/_sandbox/reset-counts', 'POST');
    const r = await doql([FANOUT]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^doql: GET \/v2\/databases: the server's TLS certificate is not trusted \([A-Z_]+\).*--ca FILE/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain(TOKEN);
    // Nothing was retried against a certificate that will not change.
    expect((await admin<{ total: number }>('/_sandbox/requests')).total).toBe(0);
  }, 60_000);

  it('names an unreadable --ca file in one line', async () => {
    const r = await doql(['--ca', join(dir, 'absent.pem'), 'SELECT count(*) FROM digitalocean.databases.clusters']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe(`doql: --ca: cannot read ${join(dir, 'absent.pem')}: no such file (give the path of a PEM certificate file, such as the one doql sandbox --tls prints)\n`);
  });

  it('still serves HTTP/1.1 clients, and counts their connections as such', async () => {
    // A new client, so that its connections are opened (and counted) after the reset.
    await h1.close();
    h1 = new Agent({ connect: { ca: readFileSync(certFile, 'utf8') } });
    await admin('/_sandbox/reset-counts', 'POST');
    const expected = await truth();
    expect(expected).toBeGreaterThan(0);
    const c = await admin<Connections>('/_sandbox/connections');
    expect(c.requestsByHttpVersion).toEqual({ '1.1': CLUSTERS + 1 });
    expect(c.byProtocol['http/1.1']).toBeGreaterThanOrEqual(1);
    expect(c.byProtocol.h2).toBeUndefined();
  }, 60_000);
});

describe.skipIf(Boolean(missing))('faults over HTTP/2', () => {
  it('a dropped stream, a 5xx or a cut-short body costs a retry of that request, not the rows or the connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doql-tls-'));
    const sb = await createSandbox({ tls: true, seed: 4, rateLimit: false, count: { 'compute.droplets': 1000 }, faults: { rate: 0.3, kinds: ['drop', '500', '503', 'truncate'] } });
    try {
      const certFile = join(dir, 'ca.pem');
      writeFileSync(certFile, sb.ca!);
      const r = await runProcess(process.execPath, [DOQL_BIN, '--api-url', sb.url, '--ca', certFile, '-o', 'json', 'SELECT id FROM digitalocean.compute.droplets'], {
        env: { PATH: process.env.PATH ?? '', HOME: dir, DOQL_HOME: dir, NO_COLOR: '1', DIGITALOCEAN_TOKEN: sb.token },
        timeoutMs: 60_000,
      });
      expect(r.stderr).toBe('');
      const ids = (JSON.parse(r.stdout) as { id: number }[]).map((x) => x.id);
      expect(new Set(ids).size).toBe(1000);
      const faulted = sb.requests().total - 5;
      expect(faulted).toBeGreaterThan(0); // some of the 5 pages were faulted and fetched again
      expect(sb.requests().byStatus['0']).toBeGreaterThan(0); // dropped streams among them (the seed fixes which)
      const c = sb.connections();
      expect(Object.keys(c.requestsByHttpVersion)).toEqual(['2.0']);
      // A dropped stream resets that stream only: the session it ran on carries the retries.
      expect(c.used).toBeLessThanOrEqual(2);
    } finally {
      await sb.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
