// A monotonic clock, in milliseconds, for measuring how long something took. Not `performance.now()`: the global
// `performance` is a getter that loads node:perf_hooks on first use (~2.5 ms of CPU on a cold command's way to its
// first request, where the API client times each attempt).

/** Milliseconds on a monotonic clock with an arbitrary origin: only differences between two readings mean anything. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
