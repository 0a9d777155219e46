// Turns any failure into what the user sees: one `doql:` line on stderr (plus the caret for parse errors),
// and the exit code: 1 statement error, 2 usage error, 130 stopped by Ctrl-C.
import { DoqlError, isDoqlError } from '../errors.js';

/** A statement stopped by Ctrl-C: its own error (which says what was sent), and exit 130 as for SIGINT. */
export class Interrupted extends DoqlError {
  constructor(err: DoqlError) {
    super(err.code, err.message, { hint: err.hint ?? 'Ctrl-C', sqlState: err.sqlState, cause: err });
  }

  override get exitCode(): number {
    return 130;
  }
}

export function describeError(err: unknown, debug: boolean): { text: string; exitCode: number } {
  if (isDoqlError(err)) {
    let text = `doql: ${err.message}`;
    if (err.hint) text += err.code === 'parse' ? `\n${err.hint}` : ` (${err.hint})`;
    if (debug && err.stack) text += `\n${err.stack}`;
    return { text, exitCode: err.exitCode };
  }
  const message = err instanceof Error ? err.message : String(err);
  let text = `doql: internal error: ${message.split('\n')[0]} (run with --debug for details and please report it)`;
  if (debug && err instanceof Error && err.stack) text += `\n${err.stack}`;
  return { text, exitCode: 1 };
}
