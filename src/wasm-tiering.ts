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
