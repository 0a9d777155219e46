// Mutations through the doql command line (bin/doql.js, no terminal): --sandbox state kept between runs,
// several-row changes refused without --yes, --dry-run sending nothing, scripts stopping at the first failure,
// and --wait-timeout. Counts come from an in-process sandbox the CLI reaches through --api-url.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMissing, tempDoqlHome } from '../cli/doql-home.js';
import { closeAll, doql, DROPLET_IMAGE, DROPLET_SIZE, insertDroplets, jsonl, routes, sessionOn, startSandbox } from './harness.js';

const missing = buildMissing();
if (missing) console.warn(`skipping the mutation command-line tests: ${missing}`);
afterAll(closeAll);

const dir = mkdtempSync(join(tmpdir(), 'doql-mutations-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.skipIf(Boolean(missing))('mutations on the command line', () => {
  it('--sandbox: an INSERT /*+ AWAIT */ in one run is seen active, with its tags, by a SELECT in the next run', async () => {
    const home = tempDoqlHome();
    const insert = `INSERT /*+ AWAIT */ INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image, data__tags) SELECT 'web-1', 'nyc3', '${DROPLET_SIZE}', '${DROPLET_IMAGE}', '["web"]'`;
    const first = await doql([insert, '--sandbox'], { home });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const second = await doql([`SELECT name, status, tags FROM digitalocean.compute.droplets WHERE name = 'web-1'`, '--sandbox', '-o', 'json'], { home });
    expect(second.stderr).toBe('');
    expect(JSON.parse(second.stdout)).toEqual([{ name: 'web-1', status: 'active', tags: ['web'] }]);
    // A fresh home is a fresh account.
    const other = await doql([`SELECT count(*) AS n FROM digitalocean.compute.droplets WHERE name = 'web-1'`, '--sandbox', '-o', 'json']);
    expect(JSON.parse(other.stdout)).toEqual([{ n: 0 }]);
  });

  it('INSERT … VALUES … RETURNING id, name prints the created droplets', async () => {
    const sb = await startSandbox();
    const r = await doql([`${insertDroplets([{ name: 'p-1' }, { name: 'p-2' }])} RETURNING id, name`, '-o', 'json'], { sandbox: sb });
    expect(r.code).toBe(0);
    const printed = (JSON.parse(r.stdout) as { id: number; name: string }[]).sort((a, b) => a.name.localeCompare(b.name));
    expect(printed.map((x) => x.name)).toEqual(['p-1', 'p-2']);
    expect(printed.every((x) => sb.ids('/v2/droplets').includes(String(x.id)))).toBe(true);
    expect(routes(sb)).toEqual({ 'POST /v2/droplets': 2 });
  });

  describe('DELETE FROM droplets WHERE tag_name = … AND created_at < … matching several droplets', () => {
    const DELETE = `DELETE FROM digitalocean.compute.droplets WHERE tag_name = 'ci' AND created_at < '2100-01-01'`;

    async function accountWithCiDroplets() {
      const sb = await startSandbox();
      const t = sessionOn(sb);
      await t.run(insertDroplets([{ name: 'ci-1', tags: ['ci'] }, { name: 'ci-2', tags: ['ci', 'web'] }, { name: 'web-9', tags: ['web'] }]));
      const all = await t.rows('SELECT id, name FROM digitalocean.compute.droplets');
      const ci = all.filter((d) => String(d.name).startsWith('ci-')).map((d) => String(d.id));
      sb.resetCounts();
      return { sb, t, all, ci };
    }

    it('without a terminal and without --yes: refuses (exit 1), lists what would change, sends no DELETE', async () => {
      const { sb, ci } = await accountWithCiDroplets();
      const r = await doql([DELETE], { sandbox: sb });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^doql: DELETE would change 2 rows of digitalocean\.compute\.droplets \(.*\); nothing was sent \(rerun with --yes to allow changes to several rows\)\n$/);
      for (const id of ci) expect(r.stderr).toContain(`/v2/droplets/${id}`);
      expect(Object.keys(routes(sb)).filter((k) => k.startsWith('DELETE'))).toEqual([]);
      expect(routes(sb)).toEqual({ 'GET /v2/droplets': 1 });
    });

    it('with --yes: one DELETE per matching droplet and no others', async () => {
      const { sb, t, all, ci } = await accountWithCiDroplets();
      const r = await doql([DELETE, '--yes'], { sandbox: sb });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(routes(sb)['DELETE /v2/droplets/{droplet_id}']).toBe(2);
      expect(routes(sb)['DELETE /v2/droplets']).toBeUndefined(); // not the by-tag bulk delete
      const left = (await t.rows('SELECT id FROM digitalocean.compute.droplets')).map((d) => String(d.id));
      expect(left.sort()).toEqual(all.map((d) => String(d.id)).filter((id) => !ci.includes(id)).sort());
    });
  });

  it('--dry-run prints each request (method, URL, JSON body) for INSERT, UPDATE, DELETE and EXEC, and sends none', async () => {
    const sb = await startSandbox();
    const droplet = sb.ids('/v2/droplets')[0];
    const domain = sb.ids('/v2/domains')[0];
    const script = [
      `INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image, data__tags) SELECT 'web-1', 'nyc3', '${DROPLET_SIZE}', '${DROPLET_IMAGE}', '["web"]'`,
      `UPDATE digitalocean.compute.domain_records SET data__name = 'x', data__type = 'A' WHERE domain_name = '${domain}' AND domain_record_id = 7`,
      `DELETE FROM digitalocean.compute.droplets WHERE droplet_id = ${droplet}`,
      `EXEC digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id='${droplet}' @@json='{"type":"reboot"}'`,
    ].join(';\n');
    const r = await doql(['exec', '-f', file('dry.sql', script), '--dry-run', '-o', 'jsonl'], { sandbox: sb });
    expect(r.code).toBe(0);
    expect(sb.requests().total).toBe(0);
    expect(r.stderr).toBe('dry run: 1 request not sent\n'.repeat(4));
    // The URL is the path, optionally behind the API base URL.
    const base = `^(${escape(sb.url)})?`;
    expect(jsonl(r.stdout)).toEqual([
      { method: 'POST', url: expect.stringMatching(new RegExp(`${base}/v2/droplets$`)), body: { name: 'web-1', region: 'nyc3', size: DROPLET_SIZE, image: DROPLET_IMAGE, tags: ['web'] } },
      { method: 'PATCH', url: expect.stringMatching(new RegExp(`${base}/v2/domains/${escape(domain)}/records/7$`)), body: { name: 'x', type: 'A' } },
      { method: 'DELETE', url: expect.stringMatching(new RegExp(`${base}/v2/droplets/${droplet}$`)), body: null },
      { method: 'POST', url: expect.stringMatching(new RegExp(`${base}/v2/droplets/${droplet}/actions$`)), body: { type: 'reboot' } },
    ]);
  });

  it('--dry-run still validates: a bad statement fails (exit 1) and nothing is sent', async () => {
    const sb = await startSandbox();
    const r = await doql([`INSERT INTO digitalocean.compute.droplets (data__name, data__backups) SELECT 'x', 'maybe'`, '--dry-run'], { sandbox: sb });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^doql: digitalocean\.compute\.droplets\.droplets_create: data__backups must be true or false, got "maybe"; missing required field data__size; missing required field data__image\n$/);
    expect(sb.requests().total).toBe(0);
  });

  describe('exec -f: a script stops at its first failure', () => {
    it('reports which statement failed, that the earlier ones ran and which did not run; later ones send nothing', async () => {
      const sb = await startSandbox();
      const script = file(
        'deploy.sql',
        [
          `INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image) SELECT 'deploy-1', 'nyc3', '${DROPLET_SIZE}', '${DROPLET_IMAGE}' RETURNING name`,
          `EXEC digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id='1' @@json='{"type":"reboot"}'`,
          `INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image) SELECT 'deploy-2', 'nyc3', '${DROPLET_SIZE}', '${DROPLET_IMAGE}'`,
          `DELETE FROM digitalocean.compute.droplets WHERE droplet_id = ${sb.ids('/v2/droplets')[0]}`,
          '',
        ].join(';\n'),
      );
      const r = await doql(['exec', '-f', script, '-o', 'jsonl'], { sandbox: sb });
      expect(r.code).toBe(1);
      expect(jsonl(r.stdout)).toEqual([{ name: 'deploy-1' }]);
      expect(r.stderr).toMatch(/^doql: statement 2 of 4 failed \(statement 1 ran; statements 3–4 not run\): 404 POST \/v2\/droplets\/1\/actions: .*\n$/);
      expect(routes(sb)).toEqual({ 'POST /v2/droplets': 1, 'POST /v2/droplets/{droplet_id}/actions': 1 });
    });

    it('a statement refused before sending (validation) stops the script the same way', async () => {
      const sb = await startSandbox();
      const script = file(
        'deploy2.sql',
        [
          `INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image) SELECT 'deploy-1', 'nyc3', '${DROPLET_SIZE}', '${DROPLET_IMAGE}'`,
          `INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image) SELECT 'deploy-2', 'nyc3', '${DROPLET_SIZE}', '${DROPLET_IMAGE}'`,
          `INSERT INTO digitalocean.compute.droplets (data__name, data__size) SELECT 'deploy-3', '${DROPLET_SIZE}'`,
          `INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image) SELECT 'deploy-4', 'nyc3', '${DROPLET_SIZE}', '${DROPLET_IMAGE}'`,
        ].join(';\n'),
      );
      const r = await doql(['exec', '-f', script], { sandbox: sb });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        'doql: statement 3 of 4 failed (statements 1–2 ran; statement 4 not run): digitalocean.compute.droplets.droplets_create: missing required field data__image\n',
      );
      expect(routes(sb)).toEqual({ 'POST /v2/droplets': 2 });
    });
  });

  it('--wait-timeout 1 with a slow action: exit 1 and a message naming the action still in progress', async () => {
    const sb = await startSandbox({ actionDelayMs: 60_000 });
    const droplet = sb.ids('/v2/droplets')[0];
    const r = await doql(
      [`EXEC /*+ AWAIT */ digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id='${droplet}' @@json='{"type":"reboot"}'`, '--wait-timeout', '1'],
      { sandbox: sb },
    );
    expect(r.code).toBe(1);
    const m = /^doql: gave up waiting after 1 s for action (\d+) \(still in progress\) \(raise --wait-timeout, or check later with SELECT \* FROM digitalocean\.account\.actions\)\n$/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    // The id named is the reboot that is still running.
    const t = sessionOn(sb);
    expect(await t.rows(`SELECT type, status FROM digitalocean.compute.droplet_actions WHERE droplet_id = '${droplet}' AND id = ${m![1]}`)).toEqual([
      { type: 'reboot', status: 'in-progress' },
    ]);
    expect(routes(sb)['POST /v2/droplets/{droplet_id}/actions']).toBe(1);
  });
});
