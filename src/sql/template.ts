// `{{ name }}` templating, as StackQL's docs use it. A placeholder is filled inside the lexed statement, as a
// value: in a string literal it becomes part of that literal's text (quotes escaped), outside one it must be
// one literal. The filled statement must lex exactly as the template did, so no value can add, end or merge
// a token: a value never becomes SQL.
import { DoqlError } from '../errors.js';
import { lineCol, syntaxError, tokenize, type Token } from './lexer.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;
/** The only template syntax doql fills: a variable name (`-` allowed: `{{ X-Dangerous }}` names a header). */
const NAME = /^\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}$/;
/** Where any template syntax starts: `{{ … }}`, and Jinja's `{% … %}` and `{# … #}`, which doql refuses. */
const MARKER = /\{[{%#]/;
const CLOSE: Record<string, string> = { '{{': '}}', '{%': '%}', '{#': '#}' };
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DOLLAR_TAG = /^\$[^$]*\$/;

export type Vars = Record<string, string | number | boolean>;

/** Names of the placeholders in a text, in order of first use. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** A piece of the filled statement: one template token's output and the variables that went into it. */
interface Piece {
  text: string;
  vars: string[];
  /** Offset of the template token in the script. */
  at: number;
}

/** A literal's text split into plain text and placeholders. */
type Part = { text: string } | { name: string; at: number };

function clip(value: string): string {
  const v = JSON.stringify(value);
  return v.length > 60 ? `${v.slice(0, 56)}…"` : v;
}

/**
 * Fills every `{{ name }}` of a script. An unset one fails naming it and its line (all unset ones at once);
 * a value that is not a literal where the placeholder stands outside quotes, or that would change how the
 * statement lexes, fails naming its variable; `{% … %}`, `{# … #}` and filters are refused.
 */
export function renderTemplate(text: string, vars: Vars): string {
  if (!MARKER.test(text)) return text;
  return new Filler(text, vars).fill();
}

class Filler {
  /** Unset variables, each with the line of its first use. */
  private readonly missing = new Map<string, string>();

  constructor(
    private readonly text: string,
    private readonly vars: Vars,
  ) {}

  fill(): string {
    const pieces = tokenize(this.text, { template: true }).map((t) => this.piece(t));
    if (this.missing.size) {
      throw new DoqlError('usage', `unset template variable${this.missing.size > 1 ? 's' : ''}: ${[...this.missing.values()].join(', ')}`, {
        hint: 'give a value with --var name=value or --vars FILE (JSON or YAML)',
      });
    }
    const out = pieces.map((p) => p.text).join('');
    this.checkStructure(out, pieces);
    return out;
  }

  private line(offset: number): number {
    return lineCol(this.text, offset).line;
  }

  private label(name: string, offset: number): string {
    return `{{ ${name} }} (line ${this.line(offset)})`;
  }

  /** The variable's value as text, or undefined (recorded as missing) when it is unset. */
  private value(name: string, line: number): string | undefined {
    if (Object.prototype.hasOwnProperty.call(this.vars, name)) return String(this.vars[name]);
    if (!this.missing.has(name)) this.missing.set(name, `{{ ${name} }} (line ${line})`);
    return undefined;
  }

  /** The name in `{{ name }}`; anything else in braces is template syntax doql does not have. */
  private nameOf(syntax: string, offset: number): string {
    const m = NAME.exec(syntax);
    if (m) return m[1];
    const what = syntax.startsWith('{%') ? 'template tags ({% … %})' : syntax.startsWith('{#') ? 'template comments ({# … #})' : 'filters and expressions';
    throw Object.assign(syntaxError(this.text, offset, `unsupported template syntax ${syntax.replace(/\s+/g, ' ')}: doql fills only {{ name }} placeholders, not ${what}`), {
      hint: 'write {{ name }} and give name a value with --var name=value or --vars FILE',
    });
  }

  private piece(t: Token): Piece {
    return { ...this.filled(t), at: t.start };
  }

  private filled(t: Token): Omit<Piece, 'at'> {
    const source = this.text.slice(t.start, t.end);
    if (t.kind === 'template') {
      const name = this.nameOf(source, t.start);
      const v = this.value(name, this.line(t.start));
      return { text: v === undefined ? source : this.literal(name, v, t.start), vars: [name] };
    }
    if (!MARKER.test(source)) return { text: source, vars: [] };
    if (t.kind === 'string') return this.filledString(source, t.start);
    if (t.kind === 'quoted') {
      throw new DoqlError('usage', `a placeholder inside the quoted identifier ${source} (line ${this.line(t.start)}): template values are values, never names`, {
        hint: "use a placeholder in a string literal ('{{ name }}') or as a literal value ({{ n }})",
      });
    }
    return { text: source, vars: [] }; // comments and hints are not templated
  }

  /** A placeholder outside quotes: its value must be exactly one literal. */
  private literal(name: string, raw: string, offset: number): string {
    const v = raw.trim();
    // A negative number in brackets, so that `x{{ n }}` cannot turn into `x -5` or `--5`.
    if (NUMBER.test(v)) return v.startsWith('-') ? `(${v})` : v.replace(/^\+/, '');
    if (/^(true|false|null)$/i.test(v)) return v;
    if (v.startsWith("'") || v.startsWith('$')) {
      try {
        const toks = tokenize(v);
        if (toks.length === 1 && toks[0].kind === 'string') return v;
      } catch {
        // not a complete quoted string: refused below
      }
    }
    throw new DoqlError(
      'usage',
      `${this.label(name, offset)} stands outside quotes, so its value must be one SQL literal (a number, true, false, null or a 'quoted string'), not ${clip(raw)}`,
      { hint: `to use the value as text, quote the placeholder: '{{ ${name} }}'` },
    );
  }

  /** A string literal with placeholders in it: the values become part of its text. */
  private filledString(source: string, offset: number): Omit<Piece, 'at'> {
    const dollar = source.startsWith('$') ? DOLLAR_TAG.exec(source)![0] : undefined;
    // The literal's text, and where it starts in the source (for line numbers).
    const body = dollar ? source.slice(dollar.length, source.length - dollar.length) : source.slice(1, -1).replace(/''/g, "'");
    const bodyAt = offset + (dollar ? dollar.length : 1);
    const lineAt = (i: number): number => this.line(bodyAt) + (body.slice(0, i).match(/\n/g)?.length ?? 0);
    const parts = this.parts(body, lineAt, bodyAt);
    const names = parts.flatMap((p) => ('name' in p ? [p.name] : []));
    const filled = this.fillLiteralText(parts, lineAt);
    if (filled === undefined) return { text: source, vars: names };
    if (!dollar) return { text: `'${filled.replace(/'/g, "''")}'`, vars: names };
    const out = `${dollar}${filled}${dollar}`;
    if (`${filled}${dollar}`.indexOf(dollar) !== filled.length) {
      const culprits = names.filter((n) => String(this.vars[n]).includes('$'));
      const who = (culprits.length ? culprits : names).map((n) => `{{ ${n} }}`).join(', ');
      throw new DoqlError('usage', `the value of ${who} (line ${lineAt(0)}) would close the dollar-quoted string ${dollar}`, {
        hint: `quote the placeholder another way ('{{ … }}' or $other$…$other$)`,
      });
    }
    return { text: out, vars: names };
  }

  /** Splits a literal's text into plain text and `{{ name }}` placeholders. */
  private parts(body: string, lineAt: (i: number) => number, bodyAt: number): Part[] {
    const parts: Part[] = [];
    let i = 0;
    for (;;) {
      const m = MARKER.exec(body.slice(i));
      if (!m) break;
      const at = i + m.index;
      const open = body.slice(at, at + 2);
      const end = body.indexOf(CLOSE[open], at + 2);
      if (end < 0) {
        throw new DoqlError('parse', `unclosed ${open} in a string literal (line ${lineAt(at)}): a placeholder is written {{ name }}`, {
          hint: "to keep a literal {{ in text, write it as '{' || '{'",
        });
      }
      if (at > i) parts.push({ text: body.slice(i, at) });
      parts.push({ name: this.nameOf(body.slice(at, end + 2), bodyAt + at), at });
      i = end + 2;
    }
    if (i < body.length) parts.push({ text: body.slice(i) });
    return parts;
  }

  /**
   * The literal's text with its values in. When the literal is JSON (an `@@json` body, a `data__` object),
   * a value inside a JSON string is escaped for JSON and one outside must be a JSON value, so that a value
   * can never add a field the statement did not write.
   */
  private fillLiteralText(parts: Part[], lineAt: (i: number) => number): string | undefined {
    const values = parts.map((p) => ('name' in p ? this.value(p.name, lineAt(p.at)) : p.text));
    if (values.some((v) => v === undefined)) return undefined;
    const inJsonString = jsonPlaceholders(parts);
    if (!inJsonString) return values.join('');
    return parts
      .map((p, i) => {
        const v = values[i]!;
        if (!('name' in p)) return v;
        if (inJsonString.get(i)) return JSON.stringify(v).slice(1, -1);
        try {
          JSON.parse(v);
          return v;
        } catch {
          throw new DoqlError(
            'usage',
            `{{ ${p.name} }} (line ${lineAt(p.at)}) stands at a value of JSON text, so its value must be JSON (a number, true, false, null, a "string", an array or an object), not ${clip(v)}`,
            { hint: `to use the value as a JSON string, quote the placeholder: "{{ ${p.name} }}"` },
          );
        }
      })
      .join('');
  }

  /** The filled script must lex into exactly the tokens its pieces lex into alone: no value merged or split a token. */
  private checkStructure(out: string, pieces: Piece[]): void {
    const expected: { kind: string; text: string; piece: number }[] = [];
    const blame = (indexes: number[]): never => {
      const named = indexes.filter((i) => pieces[i]?.vars.length);
      const chosen = named.length ? named : pieces.flatMap((p, i) => (p.vars.length ? [i] : []));
      const names = [...new Set(chosen.flatMap((i) => pieces[i].vars))].map((n) => `{{ ${n} }}`).join(', ');
      const line = chosen.length ? ` (line ${this.line(pieces[chosen[0]].at)})` : '';
      throw new DoqlError('usage', `the value of ${names}${line} would change the statement's structure (it runs into the SQL around it)`, {
        hint: 'a template value is one literal or part of one; put text placeholders inside quotes',
      });
    };
    pieces.forEach((p, i) => {
      let toks: Token[];
      try {
        toks = tokenize(p.text);
      } catch {
        return blame([i]);
      }
      for (const t of toks) expected.push({ kind: t.kind, text: t.text, piece: i });
    });
    let actual: Token[];
    try {
      actual = tokenize(out);
    } catch {
      return blame(pieces.map((_, i) => i));
    }
    const n = Math.max(actual.length, expected.length);
    for (let k = 0; k < n; k++) {
      const a = actual[k];
      const e = expected[k];
      if (!a || !e || a.kind !== e.kind || a.text !== e.text) {
        const near = [expected[k - 1], e, expected[k + 1]].flatMap((x) => (x ? [x.piece] : []));
        blame(near.length ? near : [pieces.length - 1]);
      }
    }
  }
}

/**
 * When a literal's text is JSON (once placeholders stand in for values), which placeholders sit inside a
 * JSON string (true) and which stand for a whole JSON value (false); undefined when it is not JSON.
 */
function jsonPlaceholders(parts: Part[]): Map<number, boolean> | undefined {
  const first = parts[0];
  if (!first || 'name' in first || !/^\s*[[{]/.test(first.text)) return undefined;
  const inString = new Map<number, boolean>();
  let quoted = false;
  let escaped = false;
  let standIn = '';
  parts.forEach((p, i) => {
    if ('name' in p) {
      inString.set(i, quoted);
      standIn += quoted ? 'x' : '0';
      return;
    }
    for (const c of p.text) {
      if (escaped) escaped = false;
      else if (quoted && c === '\\') escaped = true;
      else if (c === '"') quoted = !quoted;
    }
    standIn += p.text;
  });
  try {
    JSON.parse(standIn);
  } catch {
    return undefined;
  }
  return inString;
}
