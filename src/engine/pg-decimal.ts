// Postgres's numeric as exact decimals (digits and a scale): reading a value as the decimal it is written as,
// rescaling with numeric's rounding (half away from zero), and numeric division with select_div_scale's digits.
import { DoqlError } from '../errors.js';
import { decimalText } from './pg-values.js';

type Value = string | number | bigint | null;

/** An exact value: n / 10^scale. */
export interface Decimal {
  n: bigint;
  scale: number;
}

const TEN = 10n;
export const pow10 = (k: number): bigint => TEN ** BigInt(k);

/** A value as the decimal it is written as: an integer exactly, a double as its shortest decimal form. */
export function toDecimal(v: Value | boolean): Decimal | undefined {
  if (v === null) return undefined;
  if (typeof v === 'bigint') return { n: v, scale: 0 };
  if (typeof v === 'boolean') return { n: v ? 1n : 0n, scale: 0 };
  const text = typeof v === 'number' ? decimalText(v) : decimalText(v.trim());
  const m = text === undefined ? null : /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) return undefined;
  const fraction = m[3] ?? '';
  return { n: BigInt(`${m[1]}${m[2] || '0'}${fraction}`), scale: fraction.length };
}

/** A decimal written with exactly `scale` digits after the point (Postgres's numeric output). */
export function decimalString(d: Decimal): string {
  const negative = d.n < 0n;
  const digits = (negative ? -d.n : d.n).toString().padStart(d.scale + 1, '0');
  const whole = digits.slice(0, digits.length - d.scale);
  const fraction = d.scale > 0 ? `.${digits.slice(digits.length - d.scale)}` : '';
  return `${negative && /[1-9]/.test(digits) ? '-' : ''}${whole}${fraction}`;
}

/** n / d rounded half away from zero (Postgres's numeric rounding). */
export function divRound(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const away = 2n * (r < 0n ? -r : r) >= (d < 0n ? -d : d);
  return away ? q + ((n < 0n) !== (d < 0n) ? -1n : 1n) : q;
}

/** A decimal at another scale, rounded half away from zero when digits are dropped. */
export function rescale(d: Decimal, scale: number): Decimal {
  if (scale >= d.scale) return { n: d.n * pow10(scale - d.scale), scale };
  return { n: divRound(d.n, pow10(d.scale - scale)), scale };
}

/** Postgres's base-10000 weight and first digit of a decimal (numeric.c's NumericVar), for select_div_scale. */
function weightAndFirst(d: Decimal): { weight: number; first: bigint } {
  const abs = d.n < 0n ? -d.n : d.n;
  if (abs === 0n) return { weight: 0, first: 0n };
  const exponent = abs.toString().length - 1 - d.scale; // floor(log10(|x|))
  const weight = Math.floor(exponent / 4);
  const shift = d.scale + 4 * weight;
  const first = shift >= 0 ? abs / pow10(shift) : abs * pow10(-shift);
  return { weight, first };
}

/** x / y as Postgres's numeric division gives it: select_div_scale's digits, rounded half away from zero. */
export function numericDivide(x: Decimal, y: Decimal): Decimal {
  if (y.n === 0n) throw divisionByZero();
  const a = weightAndFirst(x);
  const b = weightAndFirst(y);
  let qweight = a.weight - b.weight;
  if (a.first <= b.first) qweight--;
  // NUMERIC_MIN_SIG_DIGITS 16, DEC_DIGITS 4, display scale between 0 and 1000.
  const scale = Math.min(1000, Math.max(0, 16 - qweight * 4, x.scale, y.scale));
  // x/y = (xn / 10^xs) / (yn / 10^ys); times 10^scale.
  return { n: divRound(x.n * pow10(y.scale + scale), y.n * pow10(x.scale)), scale };
}

export const divisionByZero = (): DoqlError => new DoqlError('validation', 'division by zero', { sqlState: '22012' });

