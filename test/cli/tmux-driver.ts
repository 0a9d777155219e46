// Drives a program in a detached tmux pane as a person would: type, press keys, read the screen.
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

/** Why tmux tests cannot run here, or undefined when they can. */
export function tmuxUnavailable(): string | undefined {
  const r = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'the tmux binary is not installed';
}

let counter = 0;
/** Own server socket, so tests never touch a person's tmux sessions. */
const SOCKET = `doql-test-${process.pid}`;

let keeperStarted = false;
/**
 * Starts this process's tmux server with an idle session that outlives every pane. Without it,
 * killing the last pane's session makes the server exit, and a `new-session` sent while it is
 * exiting fails with "server exited unexpectedly" (seen in CI).
 */
function ensureServer(): void {
  if (keeperStarted) return;
  execFileSync('tmux', ['-L', SOCKET, 'new-session', '-d', '-s', 'keeper', 'sleep', '86400'], { encoding: 'utf8' });
  keeperStarted = true;
}

/** Stops this process's tmux server and removes its socket file (tmux leaves it behind). */
export function stopTmuxServer(): void {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  keeperStarted = false;
  // Where tmux puts `-L` sockets (the server may be gone already, so it cannot be asked).
  rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, SOCKET), { force: true });
}

export class TmuxPane {
  private readonly socket = SOCKET;
  private readonly name = `pane${++counter}`;

  constructor(command: string[], env: Record<string, string>, size = { width: 120, height: 40 }) {
    ensureServer();
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    this.tmux('new-session', '-d', '-s', this.name, '-x', String(size.width), '-y', String(size.height), 'env', ...envArgs, ...command);
    // Keep the pane after the program exits, to see its last words and that it did exit.
    this.tmux('set-option', '-t', this.name, 'remain-on-exit', 'on');
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Types text literally. tmux reads an argument ending in `;` as a command separator, so `;` goes as `\;`. */
  type(text: string): void {
    const parts = text.split(';');
    parts.forEach((part, i) => {
      if (part) this.tmux('send-keys', '-t', this.name, '-l', part);
      if (i < parts.length - 1) this.tmux('send-keys', '-t', this.name, '\\;');
    });
  }

  /** Presses keys by tmux name: Enter, Tab, C-c, C-d, Up. */
  press(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-t', this.name, '-S', '-200');
  }

  dead(): boolean {
    return this.tmux('display-message', '-p', '-t', this.name, '#{pane_dead}').trim() === '1';
  }

  /** Polls the screen until `test` passes; fails with the screen shown when it never does. */
  async waitFor(test: string | RegExp | ((screen: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const pass = typeof test === 'function' ? test : (s: string) => (typeof test === 'string' ? s.includes(test) : test.test(s));
    const end = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < end) {
      screen = this.screen();
      if (pass(screen)) return screen;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${String(test)}; the screen:\n${screen}`);
  }

  /** Counts occurrences of a text on screen, to wait for the next prompt rather than any prompt. */
  count(text: string): number {
    return this.screen().split(text).length - 1;
  }

  kill(): void {
    try {
      this.tmux('kill-session', '-t', this.name);
    } catch {
      // Already gone.
    }
  }
}
