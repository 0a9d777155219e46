// How V8 tiers up doql's WebAssembly (libpg-query's parser, undici's HTTP/1.1 parser): set once, before either is compiled.
import { setFlagsFromString } from 'node:v8';

/**
 * V8 compiles WASM with its baseline compiler (Liftoff) and re-compiles each function that runs "hot" with
 * TurboFan on background threads. libpg-query's functions turn hot within the first statement, and their
 * TurboFan compiles cost ~0.3 s of CPU in a one-shot fan-out, on threads that compete with the requests
 * and rows for a 2-core machine's CPU; the optimized parser is ~1.3x faster only after thousands of statements.
 * A budget 1000x V8's default (1.8M) keeps one-shot commands on baseline code; a long-running
 * `doql serve` or shell that parses that much still tiers up.
 * Measured (cold fan-out, 100 clusters → backups, 2 cores, loaded): 0.8–0.9 s user CPU → 0.4–0.45 s.
 */
const TIERING_BUDGET = 1_800_000_000;

let applied = false;

export function applyWasmTiering(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString(`--wasm-tiering-budget=${TIERING_BUDGET}`);
}

/**
 * Runs `load` with every WebAssembly function compiled when its module is (V8 compiles the rest lazily, each at its
 * first call by default). libpg-query's module compiles asynchronously, on V8's background threads, while the
 * engine and catalog load: compiled lazily, the first statement's parse compiled its functions on the main thread
 * instead, ~15 ms of a cold command's path to its first request (measured: first parse 14–19 ms → 1 ms; cold fan-out,
 * alternating, medians of 13: first request at 225 → 195 ms, whole process 484 → 440 ms). The flag
 * is restored once `load` settles, so a later compile (and the code cache's flag check) sees V8's default.
 */
export async function compileEagerly<T>(load: () => Promise<T>): Promise<T> {
  setFlagsFromString('--no-wasm-lazy-compilation');
  try {
    return await load();
  } finally {
    setFlagsFromString('--wasm-lazy-compilation');
  }
}
