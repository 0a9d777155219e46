// How a long-running command (doql serve, doql mcp, doql sandbox) waits to be stopped: SIGINT or SIGTERM, or what
// else the caller names (an abort signal; for an MCP server on stdio, its client closing standard input).
export interface StopSources {
  /** Stop when this aborts (tests run `doql sandbox` in process and stop it so). */
  signal?: AbortSignal;
  /** Stop when standard input ends or closes. */
  stdin?: boolean;
}

/** Resolves once, on the first stop; every listener it added is removed then. */
export function untilStopped(sources: StopSources = {}): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      sources.signal?.removeEventListener('abort', stop);
      if (sources.stdin) process.stdin.off('end', stop).off('close', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (sources.stdin) process.stdin.on('end', stop).on('close', stop);
    if (sources.signal?.aborted) stop();
    else sources.signal?.addEventListener('abort', stop);
  });
}
