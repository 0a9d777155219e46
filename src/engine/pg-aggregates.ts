// Postgres aggregates SQLite lacks, with Postgres's answers: bool_or, bool_and (every), and the ordered-set
// aggregates percentile_cont, percentile_disc and mode (`… WITHIN GROUP (ORDER BY x)`, which the rewriter
// turns into pg_percentile_cont(fraction, x, descending) and so on).
import type Database from 'better-sqlite3';
import { DoqlError } from '../errors.js';

type Value = string | number | bigint | null;

function asBoolean(v: Value, fn: string): boolean | null {
  if (v === null) return null;
  if (typeof v === 'bigint' || typeof v === 'number') {
    if (Number(v) === 0 || Number(v) === 1) return Number(v) === 1;
  }
  throw new DoqlError('validation', `function ${fn}(${typeof v === 'string' ? 'text' : 'numeric'}) does not exist: ${fn} takes a boolean`, { sqlState: '42883' });
}

function asNumber(v: Value, fn: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new DoqlError('validation', `${fn}: doql orders numbers only here, not ${JSON.stringify(v)}`, { sqlState: '0A000' });
}

function fraction(f: Value, fn: string): number {
  const n = f === null ? NaN : Number(f);
  if (!(n >= 0 && n <= 1)) throw new DoqlError('validation', `${fn}: percentile value ${String(f)} is not between 0 and 1`, { sqlState: '22003' });
  return n;
}

interface Ordered {
  values: Value[];
  fraction?: Value;
  descending: boolean;
}

const sorted = (acc: Ordered, fn: string): number[] => {
  const nums = acc.values.map((v) => asNumber(v, fn)).sort((a, b) => a - b);
  return acc.descending ? nums.reverse() : nums;
};

/** better-sqlite3 types an aggregate's step as (total, element of total), which fits neither of these. */
type AnyAggregate = Parameters<Database.Database['aggregate']>[1];

export function registerPgAggregates(db: Database.Database): void {
  const boolAggregate = (name: string, combine: (a: boolean, b: boolean) => boolean): void => {
    db.aggregate(name, {
      start: () => null as boolean | null,
      step: (acc: boolean | null, v: Value) => {
        const b = asBoolean(v, name);
        return b === null ? acc : acc === null ? b : combine(acc, b);
      },
      result: (acc: boolean | null) => (acc === null ? null : acc ? 1n : 0n),
    } as AnyAggregate);
  };
  boolAggregate('bool_or', (a, b) => a || b);
  boolAggregate('bool_and', (a, b) => a && b);
  boolAggregate('every', (a, b) => a && b);

  const ordered = (name: string, result: (acc: Ordered) => Value): void => {
    db.aggregate(`pg_${name}`, {
      varargs: true,
      start: () => ({ values: [], descending: false }) as Ordered,
      step: (acc: Ordered, ...args: Value[]) => {
        // (fraction, value, descending) for the percentiles; (value, descending) for mode.
        const [f, v, desc] = args.length === 3 ? args : [undefined, args[0], args[1]];
        acc.fraction = f;
        acc.descending = Number(desc) === 1;
        if (v !== null) acc.values.push(v);
        return acc;
      },
      result: (acc: Ordered) => (acc.values.length === 0 ? null : result(acc)),
    } as AnyAggregate);
  };
  ordered('percentile_cont', (acc) => {
    const f = fraction(acc.fraction ?? null, 'percentile_cont');
    const v = sorted(acc, 'percentile_cont');
    const pos = f * (v.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return lo === hi ? v[lo] : v[lo] + (pos - lo) * (v[hi] - v[lo]);
  });
  ordered('percentile_disc', (acc) => {
    const f = fraction(acc.fraction ?? null, 'percentile_disc');
    const v = sorted(acc, 'percentile_disc');
    const row = Math.ceil(f * v.length);
    const x = v[Math.max(row, 1) - 1];
    return Number.isSafeInteger(x) ? BigInt(x) : x;
  });
  ordered('mode', (acc) => {
    // The most frequent value; among equally frequent ones, the first in the ordering.
    const v = [...acc.values].sort((a, b) => (a! < b! ? -1 : a! > b! ? 1 : 0));
    if (acc.descending) v.reverse();
    let best: Value = null;
    let bestCount = 0;
    for (let i = 0; i < v.length; ) {
      let j = i;
      while (j < v.length && v[j] === v[i]) j++;
      if (j - i > bestCount) {
        best = v[i];
        bestCount = j - i;
      }
      i = j;
    }
    return best;
  });
}
