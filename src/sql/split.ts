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
      const first = current.find((t) => t.kind !== 'space')!;
      const last = current[current.length - 1];
      const text = script.slice(first.start, last.end).trim();
      out.push({ text, offset: first.start, tokens: tokenize(text) });
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
