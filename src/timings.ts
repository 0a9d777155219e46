// Where a process's cold time goes: with DOQL_TIMINGS=1, named marks (ms since the process started, and CPU ms used
// by then, which a loaded machine inflates less) printed on stderr at exit.
// The cold bench (src/bench/run.ts) reads them; without the variable a mark is one comparison and nothing is printed.
// Marks read the monotonic clock (clock.ts) and become ms since the process started only at exit: `performance.now()`
// at the first mark would load node:perf_hooks, ~2.5 ms the measured run would spend and an unmeasured one would not.
import { monotonicMs } from './clock.js';

const enabled = process.env.DOQL_TIMINGS === '1';
const marks = new Map<string, [wall: number, cpu: number]>();

function now(): [number, number] {
  const { user, system } = process.cpuUsage();
  return [monotonicMs(), (user + system) / 1000];
}

/** Notes the first time the process reaches `name`. */
export function mark(name: string): void {
  if (enabled && !marks.has(name)) marks.set(name, now());
}

/** Notes the last time the process reaches `name` (the last page fetched, the last result printed). */
export function markLast(name: string): void {
  if (enabled) marks.set(name, now());
}

/** The line's prefix, for readers of stderr. */
export const TIMINGS_PREFIX = 'doql timings ';

if (enabled) {
  process.on('exit', () => {
    marks.set('exit', now());
    // The monotonic clock's reading when the process started: both clocks read together, less performance.now()
    // (performance loaded first, so that its loading falls between neither reading).
    const perf = performance;
    const origin = monotonicMs() - perf.now();
    // Node's own start-up, before any of doql's code loaded, comes from its own clock (no CPU figure).
    const wall: Record<string, number> = { bootstrap: (perf as unknown as { nodeTiming: { bootstrapComplete: number } }).nodeTiming.bootstrapComplete };
    const cpu: Record<string, number> = {};
    const round = (v: number): number => Math.round(v * 10) / 10;
    for (const [name, [w, c]] of marks) {
      wall[name] = round(w - origin);
      cpu[name] = round(c);
    }
    wall.bootstrap = round(wall.bootstrap!);
    // stderr on a pipe or file is written synchronously, so the line is out before the process ends.
    process.stderr.write(`${TIMINGS_PREFIX}${JSON.stringify({ wall, cpu })}\n`);
  });
}
