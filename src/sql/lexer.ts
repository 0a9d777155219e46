// A small SQL lexer: enough to split statements, find 3-part resource names and parse doql's own statements.
import { DoqlError } from '../errors.js';

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'op' | 'param' | 'hint' | 'comment' | 'space' | 'template';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Offset in the source text. */
  start: number;
  end: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
/** The opening of a dollar-quoted string: `$$` or `$tag$` (a tag is an identifier without `$`, at most 64 long). */
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]{0,63})?\$/;

/** `{{` … `}}`, `{%` … `%}`, `{#` … `#}`: template syntax, recognised only when lexing a template. */
const TEMPLATE_CLOSE: Record<string, string> = { '{{': '}}', '{%': '%}', '{#': '#}' };

/**
 * Tokenizes SQL; never throws except for an unterminated string/identifier/comment, with its position.
 * With `template`, template syntax outside strings and comments is one `template` token (template.ts fills it).
 */
export function tokenize(sql: string, options?: { template?: boolean }): Token[] {
  const template = options?.template === true;
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (kind: TokenKind, start: number, end: number): void => {
    out.push({ kind, text: sql.slice(start, end), start, end });
  };
  while (i < n) {
    const c = sql[i];
    const start = i;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      while (i < n && /\s/.test(sql[i])) i++;
      push('space', start, i);
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
      push('comment', start, i);
    } else if (c === '/' && sql[i + 1] === '*') {
      // Block comments nest, as in Postgres (`/* a /* b */ c */` is one comment).
      let depth = 0;
      do {
        if (i >= n) throw syntaxError(sql, start, 'unterminated /* comment');
        if (sql.startsWith('/*', i)) {
          depth++;
          i += 2;
        } else if (sql.startsWith('*/', i)) {
          depth--;
          i += 2;
        } else i++;
      } while (depth > 0);
      push(sql[start + 2] === '+' ? 'hint' : 'comment', start, i);
    } else if (c === "'") {
      i++;
      for (;;) {
        if (i >= n) throw syntaxError(sql, start, 'unterminated string literal');
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") i += 2;
          else break;
        } else i++;
      }
      i++;
      push('string', start, i);
    } else if (c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      i++;
      for (;;) {
        if (i >= n) throw syntaxError(sql, start, 'unterminated quoted identifier');
        if (sql[i] === close) {
          if (sql[i + 1] === close && close !== ']') i += 2;
          else break;
        } else i++;
      }
      i++;
      push('quoted', start, i);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      while (i < n && /[0-9a-fA-FxX._]/.test(sql[i])) {
        if ((sql[i] === 'e' || sql[i] === 'E') && (sql[i + 1] === '+' || sql[i + 1] === '-')) i++;
        i++;
      }
      push('number', start, i);
    } else if (WORD_START.test(c)) {
      while (i < n && WORD_PART.test(sql[i])) i++;
      push('word', start, i);
    } else if (c === '$' && DOLLAR_TAG.test(sql.slice(i, i + 66))) {
      // Postgres's dollar quoting, `$$it's$$` or `$json${"a": 'b'}$json$`: a string token written as the
      // standard literal SQLite understands; start/end still point at the source.
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 66))![0];
      const close = sql.indexOf(tag, i + tag.length);
      if (close < 0) throw syntaxError(sql, start, `unterminated dollar-quoted string (no closing ${tag})`);
      i = close + tag.length;
      out.push({ kind: 'string', text: `'${sql.slice(start + tag.length, close).replace(/'/g, "''")}'`, start, end: i });
    } else if ((c === '$' || c === '?' || c === ':' || c === '@') && i + 1 < n && /[0-9A-Za-z_@]/.test(sql[i + 1])) {
      i++;
      if (c === '@' && sql[i] === '@') i++;
      // `@X-Dangerous`: EXEC arguments name HTTP headers, which have hyphens.
      while (i < n && (WORD_PART.test(sql[i]) || (c === '@' && sql[i] === '-' && WORD_PART.test(sql[i + 1] ?? '')))) i++;
      push('param', start, i);
    } else if (c === '?') {
      i++;
      push('param', start, i);
    } else if (template && c === '{' && TEMPLATE_CLOSE[sql.slice(i, i + 2)]) {
      const open = sql.slice(i, i + 2);
      const close = sql.indexOf(TEMPLATE_CLOSE[open], i + 2);
      if (close < 0) throw syntaxError(sql, start, `unclosed ${open} (a placeholder is written {{ name }})`);
      i = close + 2;
      push('template', start, i);
    } else if ('(),;.'.includes(c)) {
      i++;
      push('punct', start, i);
    } else {
      // Operators: longest match of the usual multi-char ones.
      const two = sql.slice(i, i + 3);
      const op = ['->>', '||', '<=', '>=', '<>', '!=', '==', '->', '<<', '>>'].find((o) => two.startsWith(o));
      i += op ? op.length : 1;
      push('op', start, i);
    }
  }
  return out;
}

/** Line and column (1-based) of an offset. */
export function lineCol(sql: string, offset: number): { line: number; column: number } {
  const before = sql.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}

/** A parse error pointing at a position: `line 2, column 7: … ` plus the line and a caret. */
export function syntaxError(sql: string, offset: number, message: string): DoqlError {
  const { line, column } = lineCol(sql, offset);
  const text = sql.split('\n')[line - 1] ?? '';
  const caret = `${' '.repeat(Math.max(0, column - 1))}^`;
  const err = new DoqlError('parse', `syntax error at line ${line}, column ${column}: ${message.replace(/\s*\n\s*/g, ' ')}`, {
    hint: `${text}\n${caret}`,
    sqlState: '42601',
  });
  return Object.assign(err, { position: offset, reason: message.replace(/\s*\n\s*/g, ' ') });
}

/** Re-points a parse error found in a statement at its place in the whole script. */
export function relocateSyntaxError(err: unknown, script: string, statementOffset: number): unknown {
  const e = err as DoqlError & { position?: number; reason?: string };
  if (!(err instanceof DoqlError) || e.code !== 'parse' || e.position === undefined || e.reason === undefined) return err;
  return syntaxError(script, statementOffset + e.position, e.reason);
}

/** Tokens without whitespace and comments (hints are kept). */
export function significant(tokens: Token[]): Token[] {
  return tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
}

export function isWord(t: Token | undefined, ...words: string[]): boolean {
  return t !== undefined && t.kind === 'word' && words.some((w) => t.text.toUpperCase() === w);
}

/** The value of a string literal token (`'it''s'` → `it's`). */
export function stringValue(t: Token): string {
  return t.text.slice(1, -1).replace(/''/g, "'");
}

/** The name of an identifier token (quotes removed). */
export function identValue(t: Token): string {
  if (t.kind === 'quoted') {
    const q = t.text[0];
    const body = t.text.slice(1, -1);
    return q === '[' ? body : body.split(q + q).join(q);
  }
  return t.text;
}
