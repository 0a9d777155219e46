// The shell on a real terminal (tmux): multi-line statements, Tab completion, dot commands, Ctrl-C, Ctrl-D, history.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogDir } from '../catalog/load.js';
import { createSandbox, type Sandbox } from '../sandbox/index.js';
import { BUILT_CATALOG, buildMissing, DOQL_BIN, tempDoqlHome } from '../../test/cli/doql-home.js';
import { stopTmuxServer, TmuxPane, tmuxUnavailable } from '../../test/cli/tmux-driver.js';
import { CONTINUATION_PROMPT, PROMPT } from './shell.js';

const missing = tmuxUnavailable() ?? buildMissing();
if (missing) console.warn(`skipping the terminal shell tests: ${missing}`);

const panes: TmuxPane[] = [];
function shell(args: string[], env: Record<string, string> = {}): TmuxPane {
  const pane = new TmuxPane(['node', DOQL_BIN, ...args], { NO_COLOR: '1', ...env });
  panes.push(pane);
  return pane;
}

/** Presses Enter and waits for the prompt after the output (one more prompt than before on screen). */
async function enter(pane: TmuxPane, prompt = PROMPT): Promise<string> {
  const before = pane.count(prompt);
  pane.press('Enter');
  return pane.waitFor((s) => s.split(prompt).length - 1 > before);
}

describe.skipIf(Boolean(missing))('doql shell on a terminal', () => {
  afterEach(() => {
    for (const p of panes.splice(0)) p.kill();
  });

  it('runs a multi-line SELECT in the sandbox, completing names and columns with Tab', async () => {
    const pane = shell(['shell', '--sandbox'], { DOQL_HOME: tempDoqlHome() });
    await pane.waitFor(PROMPT);
    pane.type('SELECT c.name FROM digitalocean.databases.clu');
    pane.press('Tab');
    // clusters and cluster_config share the prefix: Tab completes as far as it is sure.
    await pane.waitFor('FROM digitalocean.databases.cluster');
    pane.type('s c');
    await enter(pane, CONTINUATION_PROMPT);
    pane.type('WHERE c.regi');
    pane.press('Tab');
    await pane.waitFor(`${CONTINUATION_PROMPT}WHERE c.region`);
    pane.type(' IS NOT NULL ORDER BY 1 LIMIT 2;');
    const screen = await enter(pane);
    expect(screen).toContain('│ name ');
    expect(screen).toContain('(2 rows)');
    expect(screen).not.toContain('doql:');
  });

  it('asks before changing several rows, keeps the question on screen, and sends nothing on n', async () => {
    const pane = shell(['shell', '--sandbox'], { DOQL_HOME: tempDoqlHome() });
    await pane.waitFor(PROMPT);
    pane.type('DELETE FROM digitalocean.compute.droplets WHERE name IS NOT NULL;');
    pane.press('Enter');
    await pane.waitFor('Proceed? [y/N] ');
    // Past the progress line's 300 ms start and a few of its redraws: the question must still be there.
    await new Promise((r) => setTimeout(r, 800));
    expect(pane.screen()).toMatch(/Proceed\? \[y\/N\] $/m);
    pane.type('n');
    const screen = await enter(pane);
    expect(screen).toMatch(/doql: DELETE would change \d+ rows of digitalocean\.compute\.droplets .*nothing was sent \(not confirmed\)/);
  });

  it('completes a service after SHOW RESOURCES IN, and .describe shows fields and methods', async () => {
    const pane = shell(['shell'], { DOQL_HOME: tempDoqlHome() });
    await pane.waitFor(PROMPT);
    pane.type('SHOW RESOURCES IN digitalocean.datab');
    pane.press('Tab');
    await pane.waitFor('SHOW RESOURCES IN digitalocean.databases');
    pane.type(" LIKE 'back%';");
    let screen = await enter(pane);
    expect(screen).toMatch(/│ backups +│ digitalocean\.databases\.backups +│/);
    pane.type('.describe digitalocean.databases.backups');
    screen = await enter(pane);
    expect(screen).toMatch(/│ created_at +│ string +│ A time value/);
    expect(screen).toMatch(/│ size_gigabytes +│ number +│/);
    expect(screen).toMatch(/│ databases_list_backups +│ SELECT +│ database_cluster_uuid +│ To list all/);
  });

  it('prints an error as one doql: line and keeps going; Ctrl-C at the prompt clears the line', async () => {
    const pane = shell(['shell'], { DOQL_HOME: tempDoqlHome() });
    await pane.waitFor(PROMPT);
    pane.type('DESCRIBE digitalocean.databases.bakups;');
    let screen = await enter(pane);
    expect(screen).toContain('doql: unknown resource digitalocean.databases.bakups: did you mean digitalocean.databases.backups?');
    pane.type('SHOW RESOURCES IN');
    pane.press('C-c');
    await pane.waitFor('SHOW RESOURCES IN^C');
    pane.type("SHOW PROVIDERS LIKE 'digital%';");
    screen = await enter(pane);
    expect(screen).toMatch(/│ digitalocean +│/);
    expect(screen.split('doql:').length - 1).toBe(1);
  });

  it('Ctrl-C stops a CPU-bound query within about a second; the prompt comes back with its variables and cached rows', async () => {
    const runaway = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) SELECT count(*) FROM r';
    const pane = shell(['shell', '--sandbox'], { DOQL_HOME: tempDoqlHome() });
    await pane.waitFor(PROMPT);
    pane.type('.set who world');
    await enter(pane);
    pane.type('SELECT count(*) AS n FROM digitalocean.compute.droplets;');
    expect(await enter(pane)).toContain('(1 row)');
    pane.type('SELECT pg_backend_pid() AS backend;');
    const lastCell = (screen: string): string | undefined => [...screen.matchAll(/│ +(\d+) │\n└/g)].pop()?.[1];
    const pidBefore = lastCell(await enter(pane));
    expect(Number(pidBefore)).toBeGreaterThan(3); // not the count above
    pane.type('.timer on');
    await enter(pane);
    pane.type(`${runaway};`);
    const prompts = pane.count(PROMPT);
    pane.press('Enter');
    // It runs (and would run forever): no new prompt a second later.
    await new Promise((r) => setTimeout(r, 1000));
    expect(pane.count(PROMPT)).toBe(prompts);
    const started = Date.now();
    pane.press('C-c');
    const screen = await pane.waitFor(/doql: statement cancelled\ndoql> $/m, 15_000);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(screen).not.toContain('Time:');
    // The same session: its variable, and the droplets from its cache (no request).
    pane.type("SELECT '{{ who }}' AS v, count(*) AS n FROM digitalocean.compute.droplets;");
    const after = await enter(pane);
    expect(after).toMatch(/│ world │/);
    expect(after).toMatch(/Time: [\d.]+ ms, requests: 0\n/);
    // The statement's process was replaced; the shell's backend pid is the same.
    pane.type('SELECT pg_backend_pid() AS backend;');
    expect(lastCell(await enter(pane))).toBe(pidBefore);
  });

  it('a one-shot DELETE asking on the terminal takes Ctrl-C as no: nothing sent, one line, exit 130', async () => {
    const sql = 'DELETE FROM digitalocean.compute.droplets WHERE name IS NOT NULL';
    const pane = new TmuxPane(['sh', '-c', `node ${DOQL_BIN} --sandbox "${sql}"; echo "exit $?"`], { NO_COLOR: '1', DOQL_HOME: tempDoqlHome() });
    panes.push(pane);
    await pane.waitFor('Proceed? [y/N] ');
    pane.press('C-c');
    const screen = await pane.waitFor(/^exit \d+$/m);
    expect(screen).toMatch(/doql: DELETE would change \d+ rows of digitalocean\.compute\.droplets .*nothing was s\n?ent \(not confirmed\)\nexit 130$/m);
    expect(screen).not.toContain('internal error');
  });

  it('Ctrl-D leaves the shell, and the next shell recalls the history with Up', async () => {
    const home = tempDoqlHome();
    const first = shell(['shell'], { DOQL_HOME: home });
    await first.waitFor(PROMPT);
    first.type('SHOW PROVIDERS;');
    await enter(first);
    first.press('C-d');
    await first.waitFor(() => first.dead());

    // `doql` with no statement on a terminal is the shell too.
    const second = shell([], { DOQL_HOME: home });
    await second.waitFor(PROMPT);
    second.press('Up');
    await second.waitFor(`${PROMPT}SHOW PROVIDERS;`);
  });
});

describe.skipIf(Boolean(missing))('Ctrl-C on a running statement', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    // Every request takes 20 s: the statement is still waiting when Ctrl-C comes.
    sandbox = await createSandbox({ catalog: loadCatalogDir(BUILT_CATALOG, 'default'), latencyMs: 20_000 });
  });
  afterAll(async () => {
    for (const p of panes.splice(0)) p.kill();
    await sandbox?.close();
    if (!missing) stopTmuxServer();
  });

  it('cancels the statement, not the shell', async () => {
    const pane = shell(['shell', '--api-url', sandbox.url], { DOQL_HOME: tempDoqlHome(), DIGITALOCEAN_TOKEN: sandbox.token });
    await pane.waitFor(PROMPT);
    pane.type('SELECT id FROM digitalocean.databases.clusters;');
    pane.press('Enter');
    // The progress line shows once the statement has been waiting 300 ms with its request out.
    await pane.waitFor(/1 in flight/);
    const started = Date.now();
    pane.press('C-c');
    // The error line and the new prompt are two writes: wait for both, not for the first alone (CI saw the gap).
    const screen = await pane.waitFor(/doql: .*cancelled\ndoql> $/m, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(screen).toMatch(/doql: .*cancelled\ndoql> $/m);
    pane.type('SELECT 40 + 2 AS answer;');
    expect(await enter(pane)).toMatch(/│ +42 │/);
  });
});
