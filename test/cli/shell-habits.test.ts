// The shell on a real terminal (tmux) as psql and sqlite3 users drive it: \dt, \d NAME, \x, \?, \q, .schema,
// .mode, exit/quit/help alone on a line, and a statement typed over several lines recalled whole with Up.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildMissing, DOQL_BIN, tempDoqlHome } from './doql-home.js';
import { stopTmuxServer, TmuxPane, tmuxUnavailable } from './tmux-driver.js';
import { CONTINUATION_PROMPT, PROMPT } from '../../src/cli/shell.js';

const missing = tmuxUnavailable() ?? buildMissing();
if (missing) console.warn(`skipping the shell habit tests: ${missing}`);

const panes: TmuxPane[] = [];
function shell(env: Record<string, string> = {}): TmuxPane {
  const pane = new TmuxPane(['node', DOQL_BIN, 'shell', '--sandbox'], { NO_COLOR: '1', DOQL_HOME: tempDoqlHome(), ...env });
  panes.push(pane);
  return pane;
}

/** Types a line, presses Enter and waits for the next prompt (one more on screen than before). */
async function line(pane: TmuxPane, text: string, prompt = PROMPT): Promise<string> {
  const before = pane.count(prompt);
  pane.type(text);
  pane.press('Enter');
  return pane.waitFor((s) => s.split(prompt).length - 1 > before);
}

describe.skipIf(Boolean(missing))('psql and sqlite3 habits in the shell', () => {
  afterEach(() => {
    for (const p of panes.splice(0)) p.kill();
  });
  afterAll(() => {
    if (!missing) stopTmuxServer();
  });

  it('\\dt PATTERN and .tables list resources; \\d NAME and .schema NAME describe one', async () => {
    const pane = shell();
    await pane.waitFor(PROMPT);
    let screen = await line(pane, '\\dt databases.back*');
    expect(screen).toMatch(/│ digitalocean\.databases\.backups +│ SELECT/);
    expect(screen).not.toContain(CONTINUATION_PROMPT);
    screen = await line(pane, '\\d digitalocean.databases.backups');
    expect(screen).toMatch(/│ size_gigabytes +│ number +│/);
    // `backups` alone is ambiguous in today's spec (vector_databases.backups too).
    screen = await line(pane, '.schema databases.backups;');
    expect(screen.split(/│ size_gigabytes +│ number +│/).length - 1).toBe(2);
    expect(screen).not.toContain('doql:');
  });

  it('\\x switches to records and back; .mode csv is -o csv; \\? and help list the commands', async () => {
    const pane = shell();
    await pane.waitFor(PROMPT);
    let screen = await line(pane, '\\x');
    expect(screen).toContain('Expanded display is on.');
    screen = await line(pane, "SELECT 1 AS a, 'x' AS bb;");
    expect(screen).toMatch(/-\[ RECORD 1 \]\na +\| 1\nbb +\| x\n/);
    await line(pane, '\\x off');
    await line(pane, '.mode csv');
    screen = await line(pane, 'SELECT 2 AS c;');
    expect(screen).toMatch(/\nc\n2\n/);
    screen = await line(pane, '\\?');
    expect(screen).toMatch(/\.tables \[pattern\] +list resources/);
    const before = pane.count('.tables [pattern]');
    await line(pane, 'help');
    expect(pane.count('.tables [pattern]')).toBe(before + 1);
    expect(pane.screen()).not.toContain('doql:');
  });

  it.each([['exit'], ['quit'], ['\\q'], ['quit;'], ['.quit']])('%s alone on a line leaves the shell', async (word) => {
    const pane = shell();
    await pane.waitFor(PROMPT);
    pane.type(word);
    pane.press('Enter');
    await pane.waitFor(() => pane.dead(), 10_000);
    expect(pane.screen()).not.toContain(CONTINUATION_PROMPT);
  });

  it('a statement typed over several lines is one history entry: Up brings it back whole, in this shell and the next', async () => {
    const home = tempDoqlHome();
    const first = shell({ DOQL_HOME: home });
    await first.waitFor(PROMPT);
    await line(first, 'SELECT 1 AS a,', CONTINUATION_PROMPT);
    await line(first, "  'two' AS b;");
    first.press('Up');
    await first.waitFor((s) => /doql> SELECT 1 AS a, 'two' AS b;\s*$/.test(s));
    const before = first.count('│ 1 │ two │');
    first.press('Enter');
    await first.waitFor((s) => s.split('│ 1 │ two │').length - 1 > before);
    first.press('C-d');
    await first.waitFor(() => first.dead());
    expect(readFileSync(join(home, 'state', 'history'), 'utf8')).toBe("SELECT 1 AS a, 'two' AS b;\n");

    const second = shell({ DOQL_HOME: home });
    await second.waitFor(PROMPT);
    // A -- comment keeps its line end, or the rest of the statement would become comment.
    await line(second, 'SELECT 3 AS c -- three', CONTINUATION_PROMPT);
    await line(second, ';');
    second.press('Up');
    await second.waitFor((s) => /doql> SELECT 3 AS c -- three\n;\s*$/.test(s));
    second.press('Up');
    await second.waitFor((s) => /doql> SELECT 1 AS a, 'two' AS b;\s*$/.test(s));
  });
});
