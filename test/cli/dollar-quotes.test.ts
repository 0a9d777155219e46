// Postgres's dollar-quoted strings (`$$it's$$`, `$tag$…$tag$`): handy for JSON bodies full of quotes, and
// what some Postgres tools send.
import { describe, expect, it } from 'vitest';
import { buildMissing, DOQL_BIN, tempDoqlHome } from './doql-home.js';
import { runProcess } from '../support/run-process.js';

const missing = buildMissing();
if (missing) console.warn(`skipping the dollar-quote tests: ${missing}`);

describe.skipIf(Boolean(missing))('dollar-quoted strings', () => {
  const home = tempDoqlHome();
  const doql = (...args: string[]) => runProcess('node', [DOQL_BIN, ...args], { env: { PATH: process.env.PATH ?? '', DOQL_HOME: home } });

  it('are strings in a SELECT, with quotes, semicolons and JSON inside', async () => {
    const r = await doql('-o', 'json', `SELECT $$it's; fine$$ AS s, $j\${"a": "it's"}$j$ ->> 'a' AS a, length($$$$) AS empty; SELECT 2 AS two`);
    expect(r.stderr).toBe('');
    // Two result sets: one JSON document, an array per statement.
    expect(JSON.parse(r.stdout)).toEqual([[{ s: "it's; fine", a: "it's", empty: 0 }], [{ two: 2 }]]);
  });

  it('carry an EXEC body', async () => {
    const r = await doql('--sandbox', '--dry-run', '-o', 'json', `EXEC digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id=1 @@json=$\${"type": "rename", "name": "it's"}$$`);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ method: 'POST', url: '/v2/droplets/1/actions', body: { type: 'rename', name: "it's" } }]);
  });

  it('unterminated, they are a syntax error naming the missing tag', async () => {
    const r = await doql('SELECT $x$abc $$');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('doql: syntax error at line 1, column 8: unterminated dollar-quoted string (no closing $x$)');
  });
});
