// Output as psql users expect it: a table fitted to the terminal width (IDs whole, widest columns cut first and
// marked, records when a row cannot fit), display widths for CJK and emoji, NULL apart from '', text vs tsv,
// --no-header, and a closed pipe that ends output quietly.
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { buildMissing, DOQL_BIN, tempDoqlHome } from './doql-home.js';
import { runProcess } from '../support/run-process.js';

const missing = buildMissing();
if (missing) console.warn(`skipping the command-line output tests: ${missing}`);

const home = tempDoqlHome();
function doql(args: string[], env: Record<string, string> = {}) {
  return runProcess('node', [DOQL_BIN, ...args], { env: { PATH: process.env.PATH ?? '', DOQL_HOME: home, NO_COLOR: '1', ...env } });
}
/** bash, to pipe doql into a reader that goes away; prints doql's exit status last. */
function pipeline(script: string) {
  return runProcess('bash', ['--norc', '-c', `${script}; echo "exit \${PIPESTATUS[0]}"`], { env: { PATH: process.env.PATH ?? '', HOME: home, DOQL_HOME: home, DOQL: `node ${DOQL_BIN}` } });
}

const WIDE = 'SELECT id, name, region, size_slug, status, created_at, image FROM digitalocean.compute.droplets ORDER BY id LIMIT 3';

describe.skipIf(Boolean(missing))('a table fitted to the width', () => {
  it('at 80 columns keeps IDs and short columns whole, cuts the widest, marks cut cells and says so', async () => {
    const whole = await doql(['--sandbox', '-o', 'json', WIDE]);
    const rows = JSON.parse(whole.stdout) as { id: number; status: string }[];
    const r = await doql(['--sandbox', '-o', 'table', WIDE], { COLUMNS: '80' });
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    for (const line of lines.slice(0, -1)) expect(stringWidth(line)).toBeLessThanOrEqual(80);
    for (const d of rows) expect(r.stdout).toMatch(new RegExp(`│ ${d.id} +│ .* │ ${d.status} +│`));
    // The image column's JSON is the widest: cut, and marked.
    expect(r.stdout).toMatch(/│ \{"[^│]*… │/);
    expect(lines.at(-1)).toBe('(3 rows; values ending in … were cut to fit 80 columns (-x or -o json shows them whole))');
  });

  it('switches to records when a row cannot fit (psql’s \\x auto)', async () => {
    const r = await doql(['--sandbox', '-o', 'table', WIDE], { COLUMNS: '40' });
    expect(r.stdout).toMatch(/^-\[ RECORD 1 \]\nid +\| \d+\nname +\| \S+\n/);
    expect(r.stdout).not.toContain('…');
  });

  it('-x asked for explicitly shows records on a pipe too', async () => {
    const r = await doql(['-x', "SELECT 1 AS a, 'x' AS bb"]);
    expect(r.stdout).toBe('-[ RECORD 1 ]\na  | 1\nbb | x\n');
  });

  it('measures CJK and emoji as two cells each', async () => {
    const r = await doql(['-o', 'table', "SELECT '漢字' AS k, '😀' AS e UNION ALL SELECT 'abcd', 'xy'"]);
    expect(r.stdout).toBe(
      ['┌──────┬────┐', '│ k    │ e  │', '├──────┼────┤', '│ 漢字 │ 😀 │', '│ abcd │ xy │', '└──────┴────┘', '(2 rows)', ''].join('\n'),
    );
  });

  it('--no-header leaves out the table’s header', async () => {
    const r = await doql(['-o', 'table', '--no-header', 'SELECT 7 AS n']);
    expect(r.stdout).toBe('┌───┐\n│ 7 │\n└───┘\n(1 row)\n');
  });
});

describe.skipIf(Boolean(missing))('NULL and empty strings', () => {
  const SQL = "SELECT NULL AS n, '' AS e, 'a' AS s";
  it.each([
    ['csv', [], 'n,e,s\n,"",a\n'],
    ['csv', ['--null', 'NULL'], 'n,e,s\nNULL,"",a\n'],
    ['text', ['--null', '(null)'], 'n|e|s\n(null)||a\n'],
    ['tsv', ['--null', '\\N'], 'n\te\ts\n\\N\t\ta\n'],
    ['markdown', ['--null', '∅'], '| n | e | s |\n|:---|:---|:---|\n| ∅ |  | a |\n'],
    ['table', ['--null', '(null)'], '┌────────┬───┬───┐\n│ n      │ e │ s │\n├────────┼───┼───┤\n│ (null) │   │ a │\n└────────┴───┴───┘\n(1 row)\n'],
    ['json', ['--null', 'x'], '[\n  {\n    "n": null,\n    "e": "",\n    "s": "a"\n  }\n]\n'],
  ])('-o %s %j', async (format, extra, expected) => {
    const r = await doql(['-o', format, ...extra, SQL]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(expected);
  });
});

describe.skipIf(Boolean(missing))('text and tsv', () => {
  it('text is psql’s unaligned output; tsv escapes tabs and newlines', async () => {
    const SQL = "SELECT 'a' || char(9) || 'b' AS x, 'line1' || char(10) || 'line2' AS y";
    expect((await doql(['-o', 'text', SQL])).stdout).toBe('x|y\na\tb|line1\nline2\n');
    expect((await doql(['-o', 'tsv', SQL])).stdout).toBe('x\ty\na\\tb\tline1\\nline2\n');
  });
});

describe.skipIf(Boolean(missing))('a closed pipe', () => {
  it('ends help quietly with exit 0 (doql --help | true)', async () => {
    const r = await pipeline('$DOQL --help | true');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('exit 0\n');
  });

  it('ends a long result quietly with exit 0 (… | head -1)', async () => {
    const sql = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) SELECT i FROM n';
    const r = await pipeline(`$DOQL -o jsonl "${sql}" | head -1`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('{"i":1}\nexit 0\n');
  });
});
