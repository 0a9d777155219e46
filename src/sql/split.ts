// Splits a script into statements on `;` outside strings, identifiers and comments.
import { tokenize, type Token } from './lexer.js';

export interface StatementText {
  text: string;
  /** Offset of the statement in the script, for error positions. */
  offset: number;
  tokens: Token[];
}

export function splitStatements(script: string): StatementText[] {
  const tokens = tokenize(script);
  const out: StatementText[] = [];
  let current: Token[] = [];
  const flush = (): void => {
    const meaningful = current.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
    if (meaningful.length) {
      // The statement's own tokens, re-based on its text: the script is lexed once.
      const from = current.findIndex((t) => t.kind !== 'space');
      let to = current.length;
      while (current[to - 1].kind === 'space') to--;
      const base = current[from].start;
      const text = script.slice(base, current[to - 1].end);
      const tokens = current.slice(from, to).map((t) => ({ ...t, start: t.start - base, end: t.end - base }));
      out.push({ text, offset: base, tokens });
    }
    current = [];
  };
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === ';') flush();
    else current.push(t);
  }
  flush();
  return out;
}
