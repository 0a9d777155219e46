// SQL cursors on the command line (DECLARE / FETCH / MOVE / CLOSE, read from Postgres's syntax tree): every
// direction moves as Postgres moves it; the positions below are what Postgres 15 answers for the same statements.
import { describe, expect, it } from 'vitest';
import { buildMissing, DOQL_BIN, tempDoqlHome } from './doql-home.js';
import { runProcess } from '../support/run-process.js';

const missing = buildMissing();
if (missing) console.warn(`skipping the cursor command-line tests: ${missing}`);

describe.skipIf(Boolean(missing))('cursors on the command line', () => {
  const home = tempDoqlHome();
  const doql = (sql: string, ...args: string[]) =>
    runProcess('node', [DOQL_BIN, '--sandbox', ...args, sql], { env: { PATH: process.env.PATH ?? '', DOQL_HOME: home, NO_COLOR: '1' } });

  it('FETCH and MOVE in every direction, then CLOSE', async () => {
    const script = [
      'BEGIN',
      'DECLARE c SCROLL CURSOR FOR SELECT x FROM (VALUES (1), (2), (3), (4), (5)) AS v(x) ORDER BY x',
      'FETCH 2 FROM c',
      'FETCH PRIOR FROM c',
      'MOVE LAST IN c',
      'FETCH BACKWARD ALL FROM c',
      'FETCH ABSOLUTE -2 c',
      'FETCH RELATIVE 0 c',
      'FETCH FORWARD -1 c',
      'CLOSE c',
      'COMMIT',
    ].join('; ');
    const r = await doql(script, '-o', 'csv');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('x\n').slice(1).map((s) => s.trim().split('\n').join(','))).toEqual(['1,2', '1', '4,3,2,1', '4', '4', '3']);
  });

  it('a quoted name keeps its case, NO SCROLL refuses going back, and a cursor needs a block or WITH HOLD', async () => {
    const held = await doql('DECLARE "Big" NO SCROLL CURSOR WITH HOLD FOR SELECT name FROM digitalocean.vpcs.vpcs ORDER BY name; FETCH ALL "Big"; FETCH BACKWARD 1 FROM "Big"', '-o', 'csv');
    const names = await doql('SELECT name FROM digitalocean.vpcs.vpcs ORDER BY name', '-o', 'csv');
    expect(held.code).toBe(1);
    expect(held.stdout).toBe(names.stdout);
    expect(held.stderr).toContain('cursor can only scan forward');
    const outside = await doql('DECLARE c CURSOR FOR SELECT 1');
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain('DECLARE CURSOR can only be used in transaction blocks');
    const unknown = await doql('BEGIN; CLOSE "C"');
    expect(unknown.stderr).toContain('cursor "C" does not exist');
  });
});
