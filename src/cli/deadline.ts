// --timeout: an abort signal that fires when one statement runs longer than allowed, rate-limit waits included,
// and the error that says so (rather than the `cancelled` the abort itself produces).
import { DoqlError } from '../errors.js';
import { duration } from '../api/rate-limit.js';

export interface StatementDeadline {
  signal: AbortSignal;
  /** Starts the clock again: a statement begins. */
  restart(): void;
  clear(): void;
  expired(): boolean;
  /** The timeout error in place of the cancellation it caused. */
  error(cause: DoqlError): DoqlError;
}

export function statementDeadline(ms: number, signal?: AbortSignal): StatementDeadline {
  const controller = new AbortController();
  // A caller's own cancel (the shell's Ctrl-C) aborts too.
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener('abort', () => controller.abort(), { once: true });
  let timer: NodeJS.Timeout | undefined;
  let fired = false;
  return {
    signal: controller.signal,
    restart(): void {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        fired = true;
        controller.abort();
      }, ms);
    },
    clear(): void {
      if (timer) clearTimeout(timer);
    },
    expired: (): boolean => fired,
    error(cause: DoqlError): DoqlError {
      const which = /^statement \d+ of \d+/.exec(cause.message)?.[0];
      return new DoqlError('timeout', `${which ? `${which}: ` : ''}stopped after ${duration(ms)}: --timeout bounds each statement, rate-limit waits included`, {
        hint: 'raise --timeout, or narrow the statement',
        cause,
      });
    },
  };
}
