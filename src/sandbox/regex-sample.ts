// Produces a string that matches a JSON-schema `pattern`: a tiny regex parser for the subset specs use
// (literals, classes, groups, alternation, quantifiers). Callers check the result with RegExp.test.
import type { Rng } from './prng.js';

type Node =
  | { kind: 'chars'; chars: string } // one character out of a set
  | { kind: 'group'; alternatives: Seq[] }
  | { kind: 'empty' };
interface Quantified {
  node: Node;
  min: number;
  max: number;
}
type Seq = Quantified[];

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const WORD = `${LOWER}${UPPER}${DIGITS}_`;
const PRINTABLE = `${WORD}-.:/ `;
/** Repetitions beyond the minimum a `*`, `+` or `{n,}` gets: keeps samples short. */
const EXTRA_REPEATS = 4;

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): Seq[] {
    const alts = this.alternatives();
    if (this.pos < this.src.length) throw new Error(`unexpected ${this.src[this.pos]}`);
    return alts;
  }

  private alternatives(): Seq[] {
    const alts: Seq[] = [this.sequence()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      alts.push(this.sequence());
    }
    return alts;
  }

  private sequence(): Seq {
    const seq: Seq = [];
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      const node = this.atom();
      const [min, max] = this.quantifier();
      seq.push({ node, min, max });
    }
    return seq;
  }

  private atom(): Node {
    const c = this.src[this.pos++];
    switch (c) {
      case '^':
      case '$':
        return { kind: 'empty' };
      case '.':
        return { kind: 'chars', chars: WORD };
      case '(': {
        if (this.src.startsWith('?:', this.pos)) this.pos += 2;
        const alternatives = this.alternatives();
        if (this.src[this.pos] !== ')') throw new Error('unclosed group');
        this.pos++;
        return { kind: 'group', alternatives };
      }
      case '[':
        return { kind: 'chars', chars: this.charClass() };
      case '\\':
        return this.escape(false);
      default:
        return { kind: 'chars', chars: c };
    }
  }

  private escape(inClass: boolean): Node & { kind: 'chars' | 'empty' } {
    const e = this.src[this.pos++];
    switch (e) {
      case 'd':
        return { kind: 'chars', chars: DIGITS };
      case 'w':
        return { kind: 'chars', chars: WORD };
      case 's':
        return { kind: 'chars', chars: ' ' };
      case 'b':
      case 'B':
        // Word boundaries are zero-width; the surrounding atoms decide the match.
        return inClass ? { kind: 'chars', chars: '\b' } : { kind: 'empty' };
      case 'n':
        return { kind: 'chars', chars: '\n' };
      case 't':
        return { kind: 'chars', chars: '\t' };
      default:
        return { kind: 'chars', chars: e };
    }
  }

  private charClass(): string {
    let negate = false;
    if (this.src[this.pos] === '^') {
      negate = true;
      this.pos++;
    }
    let set = '';
    let first = true;
    while (this.pos < this.src.length && (this.src[this.pos] !== ']' || first)) {
      first = false;
      let from: string;
      if (this.src[this.pos] === '\\') {
        this.pos++;
        const node = this.escape(true);
        if (node.kind === 'chars' && node.chars.length > 1) {
          set += node.chars;
          continue;
        }
        from = node.kind === 'chars' ? node.chars : '';
      } else {
        from = this.src[this.pos++];
      }
      if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']' && this.pos + 1 < this.src.length) {
        this.pos++;
        let to = this.src[this.pos++];
        if (to === '\\') to = this.src[this.pos++];
        for (let code = from.charCodeAt(0); code <= to.charCodeAt(0); code++) set += String.fromCharCode(code);
      } else {
        set += from;
      }
    }
    this.pos++; // the closing ]
    if (!negate) return set;
    return [...PRINTABLE].filter((ch) => !set.includes(ch)).join('') || 'x';
  }

  private quantifier(): [number, number] {
    const c = this.src[this.pos];
    let q: [number, number] = [1, 1];
    if (c === '*') q = [0, EXTRA_REPEATS];
    else if (c === '+') q = [1, 1 + EXTRA_REPEATS];
    else if (c === '?') q = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (!m) return q;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? min + EXTRA_REPEATS : Number(m[3]);
      this.pos += m[0].length;
      if (this.src[this.pos] === '?') this.pos++;
      return [min, Math.min(max, min + EXTRA_REPEATS * 2)];
    } else return q;
    this.pos++;
    if (this.src[this.pos] === '?') this.pos++; // lazy marker: same language
    return q;
  }
}

function emit(alts: Seq[], rng: Rng, out: string[]): void {
  // Prefer a non-empty alternative: `^$|…` patterns mean "empty or a real value", and real values read better.
  const nonEmpty = alts.filter((s) => s.some((q) => q.node.kind !== 'empty'));
  const seq = rng.pick(nonEmpty.length ? nonEmpty : alts);
  for (const q of seq) {
    const n = q.min === q.max ? q.min : rng.int(q.min, Math.min(q.max, q.min + 3));
    for (let i = 0; i < n; i++) {
      const node = q.node;
      if (node.kind === 'chars') out.push(node.chars[Math.floor(rng.next() * node.chars.length)]);
      else if (node.kind === 'group') emit(node.alternatives, rng, out);
    }
  }
}

/** A string matching `pattern`, or undefined when the pattern is beyond this sampler (or a try fails). */
export function sampleFromPattern(pattern: string, rng: Rng, tries = 8): string | undefined {
  let ast: Seq[];
  let re: RegExp;
  try {
    ast = new Parser(pattern).parse();
    re = new RegExp(pattern);
  } catch {
    return undefined;
  }
  for (let i = 0; i < tries; i++) {
    const out: string[] = [];
    emit(ast, rng, out);
    const s = out.join('');
    if (re.test(s)) return s;
  }
  return undefined;
}
