// The shell over several accounts: `.context a,b` switches to both, statements then run over each account.
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShell } from '../../src/cli/shell.js';
import type { RunOptions } from '../../src/cli/options.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { buildMissing } from '../select/helpers.js';
import { doctlHome, startTwoAccounts, TOKEN_A, TOKEN_B } from './helpers.js';

describe.skipIf(buildMissing())('the shell with several contexts', () => {
  let sb: Sandbox;
  let home: string;
  const saved = { xdg: process.env.XDG_CONFIG_HOME, doql: process.env.DOQL_HOME };
  beforeAll(async () => {
    sb = await startTwoAccounts();
    home = doctlHome();
    process.env.XDG_CONFIG_HOME = join(home, '.config');
    process.env.DOQL_HOME = join(home, 'doql');
  });
  afterAll(async () => {
    for (const [k, v] of [['XDG_CONFIG_HOME', saved.xdg], ['DOQL_HOME', saved.doql]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await sb?.close();
  });

  it('.context a,b runs the next statements over both accounts', async () => {
    const opts: RunOptions = { output: 'csv', header: true, color: false, expanded: false, var: [], sandbox: false, verbose: false, stats: false, debug: false, dryRun: false, yes: false, apiUrl: sb.url };
    const output = new PassThrough();
    let stdout = '';
    output.on('data', (d: Buffer) => (stdout += d.toString()));
    let stderr = '';
    const lines = ['.context a,b', 'SELECT context, count(*) AS n FROM digitalocean.compute.droplets GROUP BY context ORDER BY 1;', ".context nope,b"];
    sb.resetCounts();
    await runShell(opts, { input: Readable.from(lines.map((l) => `${l}\n`)), output, terminal: false, stderr: (l) => (stderr += `${l}\n`), stderrIsTTY: false });
    const err = stderr.trim().split('\n');
    expect(err[0]).toBe('context a,b');
    expect(err[1]).toMatch(/^doql: .*"nope"/);
    expect(stdout).toBe('context,n\na,3\nb,3\n');
    expect(sb.requests(TOKEN_A).total).toBe(1);
    expect(sb.requests(TOKEN_B).total).toBe(1);
  });
});
