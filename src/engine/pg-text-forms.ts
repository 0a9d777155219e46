// Values as Postgres's output functions write them, where doql's own form differs: float8 (1e+16), jsonb
// (`{"a": 1, "b": [1, 2]}`, keys shorter first), json_agg's and json_build_object's json, and the text of a value
// of each kind (what `::text` gives: 'true', `2024-06-11 10:18:00+00`).
import { decimalText, pgTimestampText } from './pg-values.js';

type Value = string | number | bigint | null;

/** float8 as Postgres 15 prints it: the shortest exact digits, with an exponent below 1e-4 and from 1e15. */
export function float8Text(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa, exp] = x.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 15) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(x);
}

/**
 * jsonb's text form: object keys shorter first then in byte order, one space after `,` and `:`, numbers as
 * written. Anything that is not JSON is returned as it is.
 */
export function jsonbText(text: string): string {
  try {
    return writeJsonb(new JsonReader(text).document());
  } catch {
    return text;
  }
}

type Json = { kind: 'scalar'; text: string } | { kind: 'array'; items: Json[] } | { kind: 'object'; entries: Map<string, Json> };

/** A JSON reader that keeps each number's text (jsonb prints 1.50 as 1.50, JSON.parse would give 1.5). */
class JsonReader {
  private i = 0;
  constructor(private readonly s: string) {}

  document(): Json {
    const v = this.value();
    this.space();
    if (this.i !== this.s.length) throw new Error('trailing text');
    return v;
  }

  private space(): void {
    while (/\s/.test(this.s[this.i] ?? '')) this.i++;
  }

  private value(): Json {
    this.space();
    const c = this.s[this.i];
    if (c === '{') {
      this.i++;
      const entries = new Map<string, Json>();
      this.space();
      if (this.s[this.i] === '}') return this.i++, { kind: 'object', entries };
      for (;;) {
        this.space();
        const key = JSON.parse(this.string()) as string;
        this.space();
        if (this.s[this.i++] !== ':') throw new Error('expected :');
        // jsonb keeps the last of duplicate keys.
        entries.delete(key);
        entries.set(key, this.value());
        this.space();
        const sep = this.s[this.i++];
        if (sep === '}') return { kind: 'object', entries };
        if (sep !== ',') throw new Error('expected ,');
      }
    }
    if (c === '[') {
      this.i++;
      const items: Json[] = [];
      this.space();
      if (this.s[this.i] === ']') return this.i++, { kind: 'array', items };
      for (;;) {
        items.push(this.value());
        this.space();
        const sep = this.s[this.i++];
        if (sep === ']') return { kind: 'array', items };
        if (sep !== ',') throw new Error('expected ,');
      }
    }
    if (c === '"') return { kind: 'scalar', text: JSON.stringify(JSON.parse(this.string())) };
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.s.slice(this.i));
    if (!m) throw new Error('not JSON');
    this.i += m[0].length;
    return { kind: 'scalar', text: m[0] };
  }

  private string(): string {
    const m = /^"(?:[^"\\]|\\.)*"/.exec(this.s.slice(this.i));
    if (!m) throw new Error('expected a string');
    this.i += m[0].length;
    return m[0];
  }
}

const byJsonbKeyOrder = (a: string, b: string): number => {
  const la = Buffer.byteLength(a);
  const lb = Buffer.byteLength(b);
  return la !== lb ? la - lb : Buffer.compare(Buffer.from(a), Buffer.from(b));
};

function writeJsonb(v: Json): string {
  if (v.kind === 'scalar') return v.text;
  if (v.kind === 'array') return `[${v.items.map(writeJsonb).join(', ')}]`;
  const keys = [...v.entries.keys()].sort(byJsonbKeyOrder);
  return `{${keys.map((k) => `${JSON.stringify(k)}: ${writeJsonb(v.entries.get(k)!)}`).join(', ')}}`;
}

/** json_agg's and json_build_array's text (`[1, "a"]`) and json_build_object's (`{"a" : 1, "b" : 2}`). */
export function jsonText(text: string, style: string): string {
  let doc: Json;
  try {
    doc = new JsonReader(text).document();
  } catch {
    return text;
  }
  if (doc.kind === 'array') return `[${doc.items.map(writeJsonb).join(', ')}]`;
  if (doc.kind === 'object' && style === 'object') return `{${[...doc.entries].map(([k, v]) => `${JSON.stringify(k)} : ${writeJsonb(v)}`).join(', ')}}`;
  return text;
}

/** A value as Postgres's output function for `kind` writes it (what `::text` and `||` give). */
export function pgText(v: Value, kind: string): Value {
  if (v === null) return null;
  switch (kind) {
    case 'bool': {
      const t = typeof v === 'string' ? /^(t|true|1)$/i.test(v.trim()) : Number(v) !== 0;
      return t ? 'true' : 'false';
    }
    case 'timestamptz':
      return pgTimestampText(String(v));
    case 'timestamp':
      return pgTimestampText(String(v)).replace(/\+00$/, '');
    case 'jsonb':
      return jsonbText(String(v));
    case 'float':
      return typeof v === 'string' ? v : float8Text(Number(v));
    case 'numeric':
      return typeof v === 'string' ? v : (decimalText(v) ?? String(v));
    case 'numeric_out': {
      // A numeric result column: a whole number stays a number (the CLI prints it as one), others keep their digits as text.
      const text = typeof v === 'string' ? v : (decimalText(v) ?? String(v));
      return /^-?\d{1,18}$/.test(text) ? BigInt(text) : text;
    }
    default:
      return typeof v === 'number' ? float8Text(v) : String(v);
  }
}

