// doql on a real terminal (tmux): the table fitted to the terminal's width, the progress line counting rows as
// pages arrive and showing a rate-limit wait, and the question before a statement sends hundreds of requests.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import stringWidth from 'string-width';
import { loadCatalogDir } from '../../src/catalog/load.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { BUILT_CATALOG, buildMissing, DOQL_BIN, tempDoqlHome } from './doql-home.js';
import { stopTmuxServer, TmuxPane, tmuxUnavailable } from './tmux-driver.js';

const missing = tmuxUnavailable() ?? buildMissing();
if (missing) console.warn(`skipping the terminal progress tests: ${missing}`);

const panes: TmuxPane[] = [];
const sandboxes: Sandbox[] = [];
async function sandbox(options: SandboxOptions): Promise<Sandbox> {
  const sb = await createSandbox({ catalog: loadCatalogDir(BUILT_CATALOG, 'default'), ...options });
  sandboxes.push(sb);
  return sb;
}
function doql(sb: Sandbox | undefined, args: string[], size?: { width: number; height: number }): TmuxPane {
  const target = sb ? ['--api-url', sb.url] : ['--sandbox'];
  const pane = new TmuxPane(['node', DOQL_BIN, ...target, ...args], { NO_COLOR: '1', DOQL_HOME: tempDoqlHome(), DIGITALOCEAN_TOKEN: sb?.token ?? '' }, size);
  panes.push(pane);
  return pane;
}
function actionsOfEvery(sb: Sandbox): string {
  return `SELECT count(*) AS n FROM digitalocean.compute.droplet_actions WHERE droplet_id IN (${sb.ids('compute.droplets').join(', ')})`;
}

describe.skipIf(Boolean(missing))('doql on a terminal', () => {
  afterEach(async () => {
    for (const p of panes.splice(0)) p.kill();
    for (const sb of sandboxes.splice(0)) await sb.close();
  });
  afterAll(() => {
    if (!missing) stopTmuxServer();
  });

  it('fits a wide table to an 80-column terminal, IDs whole and cut cells marked', async () => {
    const pane = doql(undefined, ['SELECT id, name, region, size_slug, status, created_at, image FROM digitalocean.compute.droplets ORDER BY id LIMIT 3'], { width: 80, height: 30 });
    const screen = await pane.waitFor(/\(3 rows; values ending in … were cut to fit 80 columns/);
    const table = screen.split('\n').filter((l) => /^[┌│├└]/.test(l));
    expect(table).toHaveLength(7);
    for (const line of table) expect(stringWidth(line)).toBeLessThanOrEqual(80);
    expect(table[3]).toMatch(/^│ \d{8} │/);
  });

  it('counts rows as pages arrive, of the total the API gives', async () => {
    const sb = await sandbox({ rateLimit: false, count: { 'compute.droplets': 3000 }, latencyMs: 250 });
    const pane = doql(sb, ['--concurrency', '1', 'SELECT count(*) AS n FROM digitalocean.compute.droplets']);
    const screen = await pane.waitFor(/rows \d+ of 3000/);
    const rows = Number(/rows (\d+) of 3000/.exec(screen)![1]);
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(3000);
    await pane.waitFor(/│ 3000 │/);
  });

  it('shows a rate-limit wait on the progress line and once as a line of its own', async () => {
    const sb = await sandbox({ count: { 'compute.droplets': 3 }, rateLimit: { limit: 2, windowSeconds: 8, hourly: 0 } });
    const pane = doql(sb, [actionsOfEvery(sb)]);
    await pane.waitFor(/waiting \d s for DigitalOcean's rate limit · requests \d+ done/);
    const screen = await pane.waitFor(/│ +\d+ │/, 20_000);
    expect(screen.match(/waiting \d s for DigitalOcean's rate limit \(2\/min\)\n/g)).toHaveLength(1);
  });

  it('asks before a statement sends more than 250 requests, and sends none on n', async () => {
    const sb = await sandbox({ rateLimit: false, count: { 'compute.droplets': 300 } });
    sb.resetCounts();
    const pane = doql(sb, [actionsOfEvery(sb)]);
    const screen = await pane.waitFor('Proceed? [y/N] ');
    expect(screen).toContain("this statement sends 300 requests, about 72 s of DigitalOcean's rate limit (250/min)");
    pane.type('n');
    pane.press('Enter');
    await pane.waitFor(/doql: this statement sends 300 requests, .*; not confirmed, nothing was sent \(--yes skips the question\)/);
    expect(sb.requests().total).toBe(0);
  });
});
