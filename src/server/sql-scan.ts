// The shape of a Parse message's SQL, read from doql's one lexer (the statements a session will run are split
// by the same tokens): how many statements, the highest `$n` placeholder, and the bare words used. The statement
// itself is parsed into its tree once, when it runs; a Parse only needs to know this much.
import { splitStatements } from '../sql/split.js';

export interface SqlShape {
  /** Non-empty `;`-separated statements (comments and whitespace alone do not count). */
  statementCount: number;
  /** The highest `$n` placeholder, 0 when there is none. */
  paramCount: number;
  /** The first word of the first statement, upper-cased ('' for an empty query). */
  firstKeyword: string;
  /** Every bare word outside strings, quoted identifiers and comments, upper-cased. */
  words: Set<string>;
}

/** The shape of `sql`; an unterminated string, identifier or comment is a syntax error (42601), as in Postgres. */
export function scanSql(sql: string): SqlShape {
  const statements = splitStatements(sql);
  const words = new Set<string>();
  let paramCount = 0;
  for (const st of statements) {
    for (const t of st.tokens) {
      if (t.kind === 'word') words.add(t.text.toUpperCase());
      else if (t.kind === 'param' && /^\$\d+$/.test(t.text)) paramCount = Math.max(paramCount, Number(t.text.slice(1)));
    }
  }
  const first = statements[0]?.tokens.find((t) => t.kind !== 'space' && t.kind !== 'comment' && t.kind !== 'hint');
  return { statementCount: statements.length, paramCount, firstKeyword: first?.kind === 'word' ? first.text.toUpperCase() : '', words };
}
