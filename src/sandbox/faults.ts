// Injected faults: a fraction of requests fail with 500/503, lose their connection, answer too late,
// or carry truncated JSON. Which requests fail is deterministic under the seed (one draw per request).
import type { Rng } from './prng.js';
import { rngFor } from './prng.js';

export type FaultKind = '500' | '503' | 'drop' | 'slow' | 'truncate';

export interface FaultOptions {
  /** Fraction of requests faulted, 0..1. */
  rate: number;
  kinds?: FaultKind[];
  /** How long a `slow` response waits before answering (default 30 s: past a client's timeout). */
  slowMs?: number;
}

export const FAULT_KINDS: readonly FaultKind[] = ['500', '503', 'drop', 'slow', 'truncate'];
export const DEFAULT_SLOW_MS = 30_000;

export class FaultInjector {
  private rng: Rng;
  private options: FaultOptions | undefined;

  constructor(
    private seed: number,
    options?: FaultOptions,
  ) {
    this.rng = rngFor(seed, 'faults');
    this.options = options;
  }

  set(options: FaultOptions | undefined): void {
    if (options && !(options.rate >= 0 && options.rate <= 1)) throw new RangeError(`fault rate must be between 0 and 1 (got ${options.rate})`);
    for (const k of options?.kinds ?? []) if (!FAULT_KINDS.includes(k)) throw new RangeError(`unknown fault kind ${k}`);
    this.options = options;
  }

  get slowMs(): number {
    return this.options?.slowMs ?? DEFAULT_SLOW_MS;
  }

  /** The fault for the next request, if any. Two draws per request, always, so the sequence depends only on the seed. */
  draw(): FaultKind | undefined {
    const hit = this.rng.next();
    const which = this.rng.next();
    const o = this.options;
    if (!o || o.rate <= 0 || hit >= o.rate) return undefined;
    const kinds = o.kinds?.length ? o.kinds : FAULT_KINDS;
    return kinds[Math.floor(which * kinds.length)];
  }

  reset(seed: number = this.seed): void {
    this.seed = seed;
    this.rng = rngFor(seed, 'faults');
  }
}
