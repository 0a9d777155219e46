// Where a node of Postgres's syntax tree sits in the statement's text. The tree gives each node its start
// (`location`) but not its end, so a part's text runs from its earliest location to where the next part begins,
// less the keyword or comma between them; the brackets it opened or closed say where it really starts and ends.
import { significant, type Token } from '../lexer.js';

/** The earliest `location` in a subtree (a node's own location is often its operator: `a = 1` is at `=`). */
export function startOf(node: unknown): number {
  let min = Number.POSITIVE_INFINITY;
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'location' && typeof x === 'number' && x >= 0) min = Math.min(min, x);
      else visit(x);
    }
  };
  visit(node);
  return min;
}

/** The statement's tokens a span is cut from: significant, hints left out (the parser ignores comments too). */
export interface SpanTokens {
  text: string;
  tokens: Token[];
}

export function spanTokens(text: string, tokens: Token[]): SpanTokens {
  return { text, tokens: significant(tokens).filter((t) => t.kind !== 'hint') };
}

const isPunct = (t: Token, p: string): boolean => t.kind === 'punct' && t.text === p;

/**
 * The text of the part that starts at `start` and ends before `limit` (where the next part starts), without
 * the separators that may stand between them (`,`, `;`, and the keywords in `trailers`, e.g. WHERE, AND).
 * A bracket the part opened before its first node is taken in; one closed after its end is left out.
 */
export function spanText(src: SpanTokens, start: number, limit: number, trailers: readonly string[] = []): { text: string; start: number; end: number } {
  const toks = src.tokens;
  let first = toks.findIndex((t) => t.start >= start);
  if (first < 0) first = toks.length;
  let last = first - 1;
  while (last + 1 < toks.length && toks[last + 1].end <= limit) last++;
  const trailing = (t: Token): boolean =>
    isPunct(t, ',') || isPunct(t, ';') || (t.kind === 'word' && trailers.includes(t.text.toUpperCase()));
  while (last >= first && trailing(toks[last])) last--;
  let depth = 0;
  for (let i = first; i <= last; i++) {
    if (isPunct(toks[i], '(')) depth++;
    else if (isPunct(toks[i], ')')) depth--;
  }
  // More closed than opened: the part began inside brackets its first node does not mark (`(a = 1) AND …`).
  while (depth < 0 && first > 0 && isPunct(toks[first - 1], '(')) {
    first--;
    depth++;
  }
  // Still more closed: they close brackets around an earlier part (`(a = 1 AND b = 2)`: b's own text is `b = 2`).
  while (depth < 0 && last >= first && isPunct(toks[last], ')')) {
    last--;
    depth++;
  }
  if (last < first) return { text: '', start, end: start };
  const s = toks[first].start;
  const e = toks[last].end;
  return { text: src.text.slice(s, e), start: s, end: e };
}

/** The significant token that starts exactly at `offset`, when there is one. */
export function tokenAt(src: SpanTokens, offset: number): { token: Token; index: number } | undefined {
  const index = src.tokens.findIndex((t) => t.start === offset);
  return index < 0 ? undefined : { token: src.tokens[index], index };
}
