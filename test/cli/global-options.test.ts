// Options typed before a subcommand apply to it: `doql --dry-run exec -f x.sql` must not send anything.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'doql.js');
const home = mkdtempSync(join(tmpdir(), 'doql-global-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function doql(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, DOQL_HOME: home, DIGITALOCEAN_TOKEN: '' }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('options before the subcommand', () => {
  const file = join(home, 'deploy.sql');
  writeFileSync(file, "INSERT INTO digitalocean.compute.tags (data__name) VALUES ('from-exec');\n");

  it.each([
    ['before exec', ['--sandbox', '--dry-run', '-o', 'json', 'exec', '-f', file]],
    ['after exec', ['exec', '--sandbox', '--dry-run', '-o', 'json', '-f', file]],
  ])('--dry-run %s prints the request and creates nothing', (_label, args) => {
    const r = doql(args);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ method: 'POST', url: '/v2/tags', body: { name: 'from-exec' } }]);
    expect(r.stderr).toContain('dry run: 1 request not sent');
    const tags = doql(['--sandbox', '-o', 'json', "SELECT name FROM digitalocean.compute.tags WHERE name = 'from-exec'"]);
    expect(tags.code).toBe(0);
    expect(JSON.parse(tags.stdout)).toEqual([]);
  });

  it('a dry run against the API names the full URL', () => {
    const r = doql(['--dry-run', '--api-url', 'http://127.0.0.1:9', '-o', 'json', 'exec', '-f', file]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)[0].url).toBe('http://127.0.0.1:9/v2/tags');
  });
});
