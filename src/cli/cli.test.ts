// The command line as a user meets it: exit codes, one `doql:` line per failure, help and version.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildMissing, DOQL_BIN, tempDoqlHome } from '../../test/cli/doql-home.js';

const missing = buildMissing();
if (missing) console.warn(`skipping the command-line tests: ${missing}`);

const dir = mkdtempSync(join(tmpdir(), 'doql-cli-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

function doql(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [DOQL_BIN, ...args], {
    encoding: 'utf8',
    input: input ?? '',
    env: { PATH: process.env.PATH, DOQL_HOME: tempDoqlHome(), NO_COLOR: '1' },
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(Boolean(missing))('doql on the command line', () => {
  it.each([
    ['an unknown option', ['--frobnicate'], /^doql: unknown option '--frobnicate'\n$/],
    ['an -f file that does not exist', ['exec', '-f', join(dir, 'nope.sql')], /^doql: cannot read .*nope\.sql: no such file\n$/],
    ['a vars file that does not exist', ['--vars', join(dir, 'nope.yaml'), 'SHOW PROVIDERS'], /^doql: cannot read vars file .*nope\.yaml: no such file\n$/],
    ['a vars file that is a directory', ['--vars', dir, 'SHOW PROVIDERS'], /^doql: cannot read vars file .*: is a directory\n$/],
    ['a vars file that is not YAML', ['--vars', file('bad.yaml', 'a: [1,\n'), 'SHOW PROVIDERS'], /^doql: vars file .*bad\.yaml is not valid JSON or YAML: .*\n$/],
    ['a --var without =', ['--var', 'region', 'SHOW PROVIDERS'], /^doql: --var needs name=value, got "region"\n$/],
    ['a bad --output', ['-o', 'xml', 'SHOW PROVIDERS'], /^doql: option '-o, --output <format>' argument 'xml' is invalid.*\n$/],
    ['no statement and no terminal', [], /^doql: no statement given: .*\n$/],
  ])('%s: exit 2 and one doql: line', (_name, args, stderr) => {
    const r = doql(args);
    expect(r.stderr).toMatch(stderr);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('a statement that does not parse: exit 1, line and column, the line and a caret', () => {
    const r = doql(['SHOW RESOURCES digitalocean']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('doql: syntax error at line 1, column 16: expected IN after SHOW RESOURCES\nSHOW RESOURCES digitalocean\n               ^\n');
  });

  it('a string left open in a file: exit 1, and the caret under the quote', () => {
    const r = doql(['exec', '-f', file('open.sql', "SELECT 'abc")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("doql: syntax error at line 1, column 8: unterminated string literal\nSELECT 'abc\n       ^\n");
  });

  it('an unset {{ var }}: names it and its line', () => {
    const r = doql(['exec', '-f', file('vars.sql', "SHOW PROVIDERS;\nSHOW RESOURCES IN {{ service }};\n")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^doql: unset template variable: \{\{ service \}\} \(line 2\)/);
  });

  it('--var and --vars fill the placeholders', () => {
    const vars = file('vars.yaml', 'rest: ck%\nstart: xx\n');
    const r = doql(['-o', 'csv', '--vars', vars, '--var', 'start=ba', "SHOW RESOURCES IN digitalocean.databases LIKE '{{ start }}{{ rest }}'"]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('name,id\nbackups,digitalocean.databases.backups\n');
  });

  it('a placeholder outside quotes takes one literal, not a name', () => {
    const r = doql(['--var', 'service=digitalocean.databases', 'SHOW RESOURCES IN {{ service }}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^doql: \{\{ service \}\} \(line 1\) stands outside quotes, so its value must be one SQL literal/);
  });

  it('exec -f - reads standard input', () => {
    const r = doql(['exec', '-f', '-', '-o', 'jsonl'], 'SHOW PROVIDERS;');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).name).toBe('digitalocean');
  });

  it('--version prints the package version', () => {
    const r = doql(['--version']);
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });

  it('--help lists the commands and examples', () => {
    const r = doql(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['exec', 'shell', 'sandbox', 'registry', 'serve', 'docs', 'help']) expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    expect(r.stdout).toContain('Examples:');
  });

  it('help output explains the output formats', () => {
    const r = doql(['help', 'output']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Output: -o table/);
  });

  it('docs --out writes a page per resource and the indexes', () => {
    const out = join(dir, 'docs');
    const r = doql(['docs', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^wrote \d+ pages \(\d+ services, \d+ resources\) to /);
    expect(readFileSync(join(out, 'databases', 'backups', 'index.md'), 'utf8')).toContain("WHERE database_cluster_uuid = '{{ database_cluster_uuid }}';");
    expect(readFileSync(join(out, 'index.md'), 'utf8')).toContain('[databases](databases/index.md)');
  });
});
