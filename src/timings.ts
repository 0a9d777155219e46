// Where a process's cold time goes: with DOQL_TIMINGS=1, named marks (ms since the process started) printed on stderr at exit.
// The cold bench (src/bench/run.ts) reads them; without the variable a mark is one comparison and nothing is printed.
import { performance as perf } from 'node:perf_hooks';

const enabled = process.env.DOQL_TIMINGS === '1';
const marks = new Map<string, number>();

/** Notes the first time the process reaches `name`. */
export function mark(name: string): void {
  if (enabled && !marks.has(name)) marks.set(name, performance.now());
}

/** Notes the last time the process reaches `name` (the last page fetched, the last result printed). */
export function markLast(name: string): void {
  if (enabled) marks.set(name, performance.now());
}

/** The line's prefix, for readers of stderr. */
export const TIMINGS_PREFIX = 'doql timings ';

if (enabled) {
  process.on('exit', () => {
    // Node's own start-up, before any of doql's code loaded, comes from its own clock.
    const all: Record<string, number> = { bootstrap: perf.nodeTiming.bootstrapComplete };
    for (const [name, at] of marks) all[name] = at;
    all.exit = performance.now();
    const rounded = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, Math.round(v * 10) / 10]));
    // stderr on a pipe or file is written synchronously, so the line is out before the process ends.
    process.stderr.write(`${TIMINGS_PREFIX}${JSON.stringify(rounded)}\n`);
  });
}
