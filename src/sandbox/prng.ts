// A small seeded PRNG (sfc32) and string hashing: every random choice the sandbox makes goes through here,
// so the same seed gives the same data, ids and faults.

/** A random source: `next()` in [0, 1). */
export interface Rng {
  next(): number;
  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** 32-bit FNV-1a over a string; good enough to derive independent seeds from names. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche so that similar strings give unrelated seeds.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** sfc32: fast, small state, passes PractRand far beyond what a simulator needs. */
export function createRng(seed: number): Rng {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 ^ Math.imul(seed, 0x85ebca6b);
  let c = 0xb7e15162;
  let d = 1;
  const raw = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) raw(); // warm up: the first outputs of sfc32 are correlated with the seed
  return {
    next: raw,
    int: (min, max) => min + Math.floor(raw() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(raw() * items.length)],
    chance: (p) => raw() < p,
  };
}

/** An Rng derived from a seed and a name: independent streams for independent purposes. */
export function rngFor(seed: number, ...names: string[]): Rng {
  return createRng(hashString(names.join('\u0000'), (seed ^ 0x811c9dc5) >>> 0));
}

/** A version-4-shaped UUID from the random source (deterministic under a seed). */
export function uuidFrom(rng: Rng): string {
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(rng.next() * 16).toString(16);
    return s;
  };
  const variant = '89ab'[Math.floor(rng.next() * 4)];
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}
