// The interactive shell: reads statements (one or many lines, ending with `;`) and dot commands, runs them in
// one session, prints each result, and keeps going after errors and Ctrl-C.
import { loadDisplayWidths } from './format/table.js';
import { createInterface, type Interface } from 'node:readline';
import { createRunContext, type RunContext } from './context.js';
import { describeError } from './errors.js';
import type { RunOptions } from './options.js';
import { Progress } from './progress.js';
import { chooseFormat, printResult, rateLimitNotice, type Output } from './run.js';
import { statementDeadline } from './deadline.js';
import { isDoqlError } from '../errors.js';
import { bufferState } from './shell-buffer.js';
import { completeLine } from './shell-completer.js';
import { HISTORY_SIZE, historyEntry, historyFile, loadHistory, saveHistory } from './shell-history.js';
import { runMeta, type ShellState } from './shell-meta.js';
import { StatementProcess } from './statement-process.js';

export const PROMPT = 'doql> ';
export const CONTINUATION_PROMPT = '   -> ';

/** Where the shell reads and writes; the terminal unless a test gives streams. */
export interface ShellIO {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream & { columns?: number };
  /** Line editing, completion and prompts (a TTY); otherwise lines are read as they come. */
  terminal: boolean;
  stderr: (line: string) => void;
  stderrIsTTY: boolean;
}

export function terminalIO(): ShellIO {
  return {
    input: process.stdin,
    output: process.stdout,
    terminal: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    stderr: (line) => process.stderr.write(`${line}\n`),
    stderrIsTTY: Boolean(process.stderr.isTTY),
  };
}

/**
 * A yes/no question asked through the shell's own readline (a second one would fight it for stdin).
 * The progress line pauses meanwhile, or its redraws would wipe the question.
 */
function askOnShell(rl: Interface, pending: { abort?: () => void; progress?: Progress }) {
  return async (message: string): Promise<boolean> => {
    pending.progress?.stop();
    try {
      return await askLine(rl, pending, message);
    } finally {
      pending.progress?.restart();
    }
  };
}

function askLine(rl: Interface, pending: { abort?: () => void }, message: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ac = new AbortController();
    pending.abort = () => {
      ac.abort();
      resolve(false);
    };
    rl.question(`${message}\nProceed? [y/N] `, { signal: ac.signal }, (answer) => {
      pending.abort = undefined;
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
  });
}

export async function runShell(opts: RunOptions, io: ShellIO = terminalIO()): Promise<void> {
  // The shell may switch to a table at any time (.mode): its widths are loaded up front.
  await loadDisplayWidths();
  const out: Output = {
    stdout: (text) => io.output.write(text),
    stderr: io.stderr,
    stdoutIsTTY: io.terminal,
    stderrIsTTY: io.stderrIsTTY,
    get columns() {
      return io.output.columns;
    },
  };
  const historyPath = historyFile();
  let buffer = '';
  let running: AbortController | undefined;
  let quitting = false;
  const pendingQuestion: { abort?: () => void; progress?: Progress } = {};

  // The completer reads `state` lazily: it exists before the first Tab can be pressed.
  let state: ShellState | undefined;
  const rl = createInterface({
    input: io.input,
    output: io.output,
    terminal: io.terminal,
    prompt: PROMPT,
    history: loadHistory(historyPath),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: (line: string): [string[], string] => (state ? completeLine(line, buffer, state.ctx.catalog.catalog) : [[], line]),
  });
  let historyWarned = false;
  const save = (entries: readonly string[]): void => {
    const problem = saveHistory(historyPath, entries);
    if (problem && !historyWarned) io.stderr(`doql: ${problem}`);
    historyWarned ||= Boolean(problem);
  };
  rl.on('history', save);
  const history = {
    /** A statement typed over several lines becomes one history entry in place of its lines: Up brings it back whole. */
    saveStatement(typed: string[]): void {
      // readline keeps its history (newest first) on the interface; the property is not in its typings.
      const entries = (rl as unknown as { history?: string[] }).history;
      if (!entries) return;
      for (const line of [...typed].reverse()) if (entries[0] === line) entries.shift();
      const entry = historyEntry(typed);
      const older = entries.indexOf(entry);
      if (older >= 0) entries.splice(older, 1);
      entries.unshift(entry);
      save(entries);
    },
  };

  // Lines on stderr erase the progress line first; it is drawn again on its next tick.
  const stderr = (line: string): void => {
    pendingQuestion.progress?.clear();
    io.stderr(line);
  };
  // On a terminal every SELECT runs in a session process, started now, behind the user's typing: Ctrl-C stops a
  // statement there even while SQLite computes, and the session (variables, cached rows) stays here.
  const statements = io.terminal ? new StatementProcess(opts, 'every', () => shell.ctx, stderr) : undefined;
  const makeContext = (o: RunOptions): Promise<RunContext> =>
    createRunContext(o, {
      offloadSelect: statements?.offload,
      defaultCacheTtl: 60,
      stderr,
      confirm: io.terminal ? askOnShell(rl, pendingQuestion) : undefined,
      onRateLimitWait: (wait) => {
        const notice = rateLimitNotice(wait);
        if (notice) stderr(notice);
      },
    });

  let ctx: RunContext;
  try {
    ctx = await makeContext(opts);
  } catch (err) {
    rl.close();
    throw err;
  }
  void statements?.start();

  const shell: ShellState = {
    ctx,
    opts,
    format: chooseFormat(opts, out),
    timing: false,
    print: (result) => printResult(result, shell.format, shell.opts, out),
    notice: (line) => io.stderr(line),
    run: async (sql) => {
      const ac = new AbortController();
      running = ac;
      const c = shell.ctx;
      const requests = (): number => c.clientStats()?.requests ?? 0;
      let since = performance.now();
      let requestsBefore = requests();
      const progress = new Progress(io.stderrIsTTY && !shell.opts.verbose, () => c.clientStats());
      pendingQuestion.progress = progress;
      // --timeout bounds each statement here too; Ctrl-C still cancels.
      const deadline = shell.opts.timeout !== undefined ? statementDeadline(shell.opts.timeout * 1000, ac.signal) : undefined;
      deadline?.restart();
      try {
        await c.session.executeEach(sql, { signal: deadline?.signal ?? ac.signal }, (result) => {
          deadline?.restart();
          progress.stop();
          shell.print(result);
          if (shell.timing) {
            const now = performance.now();
            io.stderr(`Time: ${(now - since).toFixed(1)} ms, requests: ${requests() - requestsBefore}`);
            since = now;
            requestsBefore = requests();
          }
          progress.restart();
        });
      } catch (err) {
        throw deadline?.expired() && isDoqlError(err) && err.code === 'cancelled' ? deadline.error(err) : err;
      } finally {
        deadline?.clear();
        progress.stop();
        pendingQuestion.progress = undefined;
        running = undefined;
      }
    },
    switchContext: async (name) => {
      if (!shell.opts.sandbox) {
        // Check the context now, so a typo fails here rather than at the next statement.
        const { resolveAuth } = await import('../api/auth.js');
        const { contextList } = await import('./accounts.js');
        // `.context a,b` names several accounts: each must have a token (`all` takes those that do).
        const list = contextList(name);
        if (list !== 'all') for (const n of list ?? [name]) resolveAuth({ context: n, apiUrl: shell.opts.apiUrl, env: process.env });
      }
      const nextOpts = { ...shell.opts, context: name };
      const next = await makeContext(nextOpts);
      Object.assign(next.session.vars, shell.ctx.session.vars);
      const old = shell.ctx;
      shell.ctx = next;
      shell.opts = nextOpts;
      await old.close();
      io.stderr(shell.opts.sandbox ? `context ${name} (the sandbox needs no token)` : `context ${name}`);
    },
    quit: () => {
      quitting = true;
    },
  };
  state = shell;

  const prompt = (): void => {
    if (!io.terminal) return;
    rl.setPrompt(buffer ? CONTINUATION_PROMPT : PROMPT);
    rl.prompt();
  };

  rl.on('SIGINT', () => {
    if (running) {
      // Cancel the statement; its `cancelled` error is printed where it is awaited.
      pendingQuestion.abort?.();
      running.abort();
      return;
    }
    // At the prompt Ctrl-C forgets the line and any statement begun on earlier lines.
    io.output.write('^C\n');
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    buffer = '';
    prompt();
  });

  const report = (err: unknown): void => io.stderr(describeError(err, shell.opts.debug).text);

  /** The lines of the statement being typed, to save it to history as one entry. */
  let lines: string[] = [];
  const handleLine = async (line: string): Promise<void> => {
    // Dot commands, psql's backslash commands, and exit/quit/help alone on a line (as psql and sqlite3 take them).
    if (!buffer && /^\s*[.\\]/.test(line)) {
      await runMeta(shell, line);
      return;
    }
    const word = /^\s*(quit|exit|help)\s*;?\s*$/i.exec(buffer ? '' : line)?.[1]?.toLowerCase();
    if (word) {
      await runMeta(shell, word === 'help' ? '.help' : '.quit');
      return;
    }
    buffer = buffer ? `${buffer}\n${line}` : line;
    lines.push(line);
    const st = bufferState(buffer);
    if (st === 'empty') {
      buffer = '';
      lines = [];
    }
    if (st !== 'complete') return;
    const sql = buffer;
    if (io.terminal && lines.length > 1) history.saveStatement(lines);
    buffer = '';
    lines = [];
    await shell.run(sql);
  };

  if (io.terminal) {
    io.stderr(`doql shell${opts.sandbox ? ' (sandbox)' : ''}: end statements with ;  .help for help, Ctrl-D to exit`);
  }
  prompt();
  try {
    for await (const line of rl) {
      try {
        await handleLine(line);
      } catch (err) {
        report(err);
      }
      if (quitting) break;
      prompt();
    }
    // A statement left without its `;` at end of input (a piped script) still runs.
    if (!quitting && bufferState(buffer) !== 'empty') {
      const sql = buffer;
      buffer = '';
      await shell.run(sql).catch(report);
    }
  } finally {
    rl.close();
    statements?.close();
    if (io.terminal) io.output.write('\n');
    await shell.ctx.close();
  }
}
