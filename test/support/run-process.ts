// Runs a real program (bin/doql.js, psql) to completion with only the environment given, collecting its
// output; the one place tests spawn and wait, so every CLI and psql helper behaves the same.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the run. */
  ms: number;
}

export interface RunOptions {
  env: Record<string, string>;
  /** Written to standard input, which is then closed (no terminal on any stream). */
  input?: string;
  cwd?: string;
  /** Killed after this long (default 25 s), so a hung child fails the test instead of stalling it. */
  timeoutMs?: number;
  /** Gets the child while it runs, to signal it. */
  whileRunning?: (child: ChildProcess) => void;
}

export function runProcess(command: string, args: string[], options: RunOptions): Promise<ProcessRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 25_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
    child.stdin.end(options.input ?? '');
    options.whileRunning?.(child);
  });
}

/** psql 15 (`-X`: no psqlrc, `-w`: never prompt) against a local server as user `tester`. */
export function runPsql(
  port: number,
  args: string[],
  options: { database: string; env?: Record<string, string>; whileRunning?: (child: ChildProcess) => void },
): Promise<ProcessRun> {
  return runProcess('psql', ['-X', '-w', '-h', '127.0.0.1', '-p', String(port), '-U', 'tester', '-d', options.database, ...args], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      PGCONNECT_TIMEOUT: '5',
      PGPASSFILE: '/nonexistent/doql-test-pgpass', // no ~/.pgpass: only PGPASSWORD counts
      ...options.env,
    },
    whileRunning: options.whileRunning,
  });
}

/** Stops a child: SIGTERM, then SIGKILL after 5 s; resolves once it has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
