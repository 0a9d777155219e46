import type { ChildProcess } from 'node:child_process';
import { runPsql, type ProcessRun } from '../../test/support/run-process.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../test/server/server-fixture.js';
import { selfSignedCertificate, startServer } from '../../test/server/server-fixture.js';

/** Runs the real psql binary against the test server; `whileRunning` gets the child to signal it. */
function psql(port: number, args: string[], env: Record<string, string> = {}, whileRunning?: (child: ChildProcess) => void): Promise<ProcessRun> {
  return runPsql(port, args, { database: 'doql', env, whileRunning });
}

describe('wire server with psql, no password', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('prints a simple query result as psql does for Postgres', async () => {
    const run = await psql(server.port, ['-c', "select 1 as a, 'x' as b"]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(' a | b \n---+---\n 1 | x\n(1 row)\n\n');
  });

  it('prints typed columns and NULLs', async () => {
    const run = await psql(server.port, ['-A', '-c', 'select id, price, ok, name from things order by id']);
    expect(run.stdout).toBe('id|price|ok|name\n1|9.5|t|alpha\n2|0.25|f|\n(2 rows)\n');
  });

  it('shows an error with its SQLSTATE and exits 1', async () => {
    const run = await psql(server.port, ['-v', 'VERBOSITY=verbose', '-c', 'select * from nope']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ERROR:  42P01: no such table: nope');
  });

  it('cancels a running statement on Ctrl-C (SIGINT sends a CancelRequest)', async () => {
    const sleeping = server.nextSleep();
    const run = await psql(server.port, ['-c', 'select pg_sleep(10)'], {}, (child) => {
      void sleeping.then(() => child.kill('SIGINT'));
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('canceling statement due to user request');
  });
});

describe.each(['scram-sha-256', 'md5'] as const)('wire server with psql and a password (%s)', (authMethod) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ password: 'open-sesame', authMethod });
  });
  afterAll(() => server.close());

  it('connects with the right PGPASSWORD', async () => {
    const run = await psql(server.port, ['-tA', '-c', 'select 42'], { PGPASSWORD: 'open-sesame' });
    expect(run).toMatchObject({ code: 0, stdout: '42\n' });
  });

  it('fails with exit code 2 and the 28P01 message on a wrong PGPASSWORD', async () => {
    const run = await psql(server.port, ['-c', 'select 42'], { PGPASSWORD: 'nope' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('FATAL:  password authentication failed for user "tester"');
  });
});

describe('wire server with psql over TLS', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ tls: selfSignedCertificate() });
  });
  afterAll(() => server.close());

  it('negotiates TLS when psql requires it', async () => {
    const run = await psql(server.port, ['-c', '\\conninfo', '-c', 'select 1 as one'], { PGSSLMODE: 'require' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/SSL connection \(protocol: TLSv1\.[23]/);
    expect(run.stdout).toContain(' one \n-----\n   1\n');
  });
});
