import { describe, expect, it } from 'vitest';
import { compareNames } from './name-order.js';

describe('compareNames', () => {
  it('orders names as localeCompare does', () => {
    const alphabet = 'abyz0189_.';
    // A fixed pseudo-random walk, so a failure repeats.
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const name = (): string => Array.from({ length: 1 + next(5) }, () => alphabet[next(alphabet.length)]).join('');
    for (let i = 0; i < 20_000; i++) {
      const a = name();
      const b = name();
      expect([a, b, Math.sign(compareNames(a, b))]).toEqual([a, b, Math.sign(a.localeCompare(b))]);
    }
  });

  it('falls back to localeCompare for other characters', () => {
    expect(Math.sign(compareNames('Zeta', 'alpha'))).toBe(Math.sign('Zeta'.localeCompare('alpha')));
    expect(Math.sign(compareNames('é', 'f'))).toBe(-1);
  });
});
