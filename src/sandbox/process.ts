// `doql sandbox` as a process of its own (the bench, the build's training runs, tests that need the API's work off
// their own thread): started on a free port, resolved with its URL once it has printed its last start-up line.
import { spawn, type ChildProcess } from 'node:child_process';

export interface SandboxProcess {
  /** `http://127.0.0.1:PORT` (https with --tls). */
  url: string;
  child: ChildProcess;
  /** SIGTERM, resolved when the process has exited. */
  stop(): Promise<void>;
}

export interface SandboxProcessOptions {
  env?: NodeJS.ProcessEnv;
  /** Flags for node itself, before the script (--trace-gc). */
  nodeArgs?: readonly string[];
  timeoutMs?: number;
  /** Sees the process's standard output as it comes. */
  onOutput?: (chunk: Buffer) => void;
}

/** Starts `node doqlBin sandbox --port 0 …args`; a process that does not start is stopped, and the error says why. */
export async function startSandboxProcess(doqlBin: string, args: readonly string[], options: SandboxProcessOptions = {}): Promise<SandboxProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), doqlBin, 'sandbox', '--port', '0', ...args], {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      const timeoutMs = options.timeoutMs ?? 120_000;
      const timer = setTimeout(() => reject(new Error(`the sandbox did not start within ${timeoutMs / 1000} s: ${out}${err}`)), timeoutMs);
      let started = false;
      // Both pipes stay read for the process's life (a full pipe would stall it), kept only until it has started.
      child.stderr!.on('data', (d: Buffer) => {
        if (!started) err += d.toString();
      });
      child.stdout!.on('data', (d: Buffer) => {
        options.onOutput?.(d);
        if (started) return;
        out += d.toString();
        // `try: …` is the last line it prints once it listens (sandbox/command.ts).
        const m = /listening on (https?:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m && out.includes('\ntry:')) {
          started = true;
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the sandbox exited (${code}): ${err.trim() || out.trim()}`));
      });
    });
    return { url, child, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
